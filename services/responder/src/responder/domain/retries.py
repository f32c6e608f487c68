"""When a failed delivery (an agent's reply, a notification) is tried again: doubling backoff
up to a number of attempts, or at the time the receiver named (a rate limit, which uses up no
attempt); never after a permanent failure."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from rapport.retry import backoff_s


@dataclass(frozen=True)
class Retries:
    max_attempts: int
    first_backoff_s: float
    max_backoff_s: float
    lease: timedelta
    """A claimed delivery is not claimed again before this (its sender died): longer than a send
    may take."""

    def next_attempt(
        self,
        attempts: int,
        now: datetime,
        *,
        permanent: bool = False,
        retry_at: datetime | None = None,
    ) -> datetime | None:
        """After the ``attempts``-th failed try, when to try again; None to give up."""
        if permanent:
            return None
        if retry_at is not None:
            return retry_at
        if attempts >= self.max_attempts:
            return None
        wait = backoff_s(attempts, first_s=self.first_backoff_s, max_s=self.max_backoff_s)
        return now + timedelta(seconds=wait)
