"""loyalty's one way to publish: an event is stored in the outbox (``rapport.outbox``) in the
same transaction as the change that causes it, and the relay publishes it after the commit.

Writers that make one change together (an earning and the tier it lifts) share a transaction:
``transaction(work, session=s)`` runs ``work`` in the caller's transaction ``s``.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar
from uuid import UUID

from opentelemetry.context import Context
from pymongo.asynchronous.client_session import AsyncClientSession

from loyalty.adapters import in_transaction
from loyalty.topics import LOYALTY_TOPIC
from rapport import outbox
from rapport.events import Event
from rapport.mongo import Database
from rapport.workers import Poller

T = TypeVar("T")
S = TypeVar("S")
Session = AsyncClientSession


class Outbox:
    def __init__(self, db: Database, relay: Poller | None = None) -> None:
        self._db = db
        self._relay = relay

    async def add(
        self, s: Session, key: UUID, events: Sequence[Event], *, topic: str = LOYALTY_TOPIC
    ) -> None:
        """Store ``events`` for ``topic``, keyed by ``key`` (the member), in ``s``'s transaction."""
        await self.add_keyed(s, [(key, event) for event in events], topic=topic)

    async def add_keyed(
        self,
        s: Session,
        events: Sequence[tuple[UUID, Event]],
        *,
        topic: str = LOYALTY_TOPIC,
        traces: Sequence[Context] | None = None,
    ) -> None:
        """Store (key, event)s for ``topic``, in this order, in ``s``'s transaction, each in the
        trace ``traces`` gives it (default: the current one)."""
        rows = [(topic, str(key), event) for key, event in events]
        await outbox.add(self._db, s, rows, contexts=traces)

    def wake(self) -> None:
        """Tell the relay that rows are waiting (it polls anyway)."""
        if self._relay is not None:
            self._relay.wake()

    async def transaction(
        self, work: Callable[[Session], Awaitable[T]], *, session: Session | None = None
    ) -> T:
        """Run ``work`` in ``session``'s transaction, or in a new one that wakes the relay
        once it committed."""
        if session is not None:
            return await work(session)
        result = await in_transaction(self._db, work)
        self.wake()
        return result

    async def work(self, bind: Callable[[Session], S], work: Callable[[S], Awaitable[T]]) -> T:
        """A unit of work: ``work`` on the stores ``bind`` makes of a new transaction."""

        async def bound(s: Session) -> T:
            return await work(bind(s))

        return await self.transaction(bound)
