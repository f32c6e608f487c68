import pytest

from rapport.kafka.dlq_limit import DlqLimit, DlqLimitExceeded
from rapport.retry import RetryPolicy, backoff_s, retry_until


def test_delays_double_up_to_the_cap() -> None:
    policy = RetryPolicy(attempts=6, first_delay_s=0.5, max_delay_s=3.0, jitter=0)
    assert list(policy.delays()) == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_jitter_shortens_each_wait_by_at_most_its_share() -> None:
    policy = RetryPolicy(attempts=200, first_delay_s=1.0, max_delay_s=1.0, jitter=0.2)
    delays = list(policy.delays())
    assert all(0.8 <= d <= 1.0 for d in delays)
    assert len(set(delays)) > 1


def test_waits_go_on_for_as_long_as_it_takes() -> None:
    waits = RetryPolicy(attempts=2, first_delay_s=0.1, max_delay_s=0.4, jitter=0).waits()
    assert [next(waits) for _ in range(1000)][-3:] == [0.4, 0.4, 0.4]


def test_one_attempt_means_no_retry() -> None:
    assert list(RetryPolicy(attempts=1).delays()) == []


class TestDlqLimit:
    def test_allows_invalid_messages_up_to_the_ratio(self) -> None:
        limit = DlqLimit(max_invalid_ratio=0.5, window=4)
        for valid in (False, True, False, True, False, True):
            limit.record(valid=valid)

    def test_stops_when_the_window_is_mostly_invalid(self) -> None:
        limit = DlqLimit(max_invalid_ratio=0.5, window=4)
        limit.record(valid=True)
        limit.record(valid=False)
        limit.record(valid=False)
        with pytest.raises(DlqLimitExceeded, match="3 of the last 4"):
            limit.record(valid=False)

    def test_does_not_judge_before_the_window_is_full(self) -> None:
        limit = DlqLimit(max_invalid_ratio=0.5, window=10)
        for _ in range(9):
            limit.record(valid=False)


@pytest.mark.parametrize(
    ("attempt", "wait"), [(1, 2.0), (2, 4.0), (3, 8.0), (8, 256.0), (9, 300.0), (10_000, 300.0)]
)
def test_backoff_doubles_from_the_first_wait_up_to_the_cap(attempt: int, wait: float) -> None:
    assert backoff_s(attempt, first_s=2.0, max_s=300.0) == wait


class Flaky:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    async def start(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("not yet")
        return "started"


async def test_retry_until_tries_again_while_the_error_is_the_expected_one() -> None:
    flaky = Flaky(failures=2)
    started = await retry_until(flaky.start, retry_on=ConnectionError, timeout_s=60, wait_s=0)
    assert (started, flaky.calls) == ("started", 3)


async def test_retry_until_gives_up_with_the_last_error_after_the_timeout() -> None:
    flaky = Flaky(failures=10**9)
    with pytest.raises(ConnectionError, match="not yet"):
        await retry_until(flaky.start, retry_on=ConnectionError, timeout_s=0, wait_s=0)
    assert flaky.calls == 1


async def test_retry_until_does_not_retry_other_errors() -> None:
    async def broken() -> None:
        raise ValueError("bad settings")

    with pytest.raises(ValueError, match="bad settings"):
        await retry_until(broken, retry_on=ConnectionError, timeout_s=60, wait_s=0)
