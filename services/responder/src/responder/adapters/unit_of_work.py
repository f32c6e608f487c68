"""The unit of work on MongoDB: ``work`` runs in one transaction (``with_transaction`` retries
it whole on transient errors) with every store bound to its session; the outbox relay is woken
once it commits. A duplicate key (a second active case of a profile, a race on an upsert) is a
``CaseConflict``: the case change starts again from what is stored."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import BulkWriteError, DuplicateKeyError

from rapport.mongo import Database, in_transaction
from rapport.outbox import OutboxRelay
from responder.adapters.agent_store import MongoAgents
from responder.adapters.case_store import CaseWrites
from responder.adapters.reply_store import MongoReplies
from responder.adapters.timeline_store import MongoTimeline
from responder.domain.messages import Message
from responder.domain.replies import Reply
from responder.ports import CaseConflict, Work

DUPLICATE_KEY = 11000


class MongoUnitOfWork:
    def __init__(self, db: Database, relay: OutboxRelay | None = None) -> None:
        self._db = db
        self._relay = relay

    async def __call__(self, work: Work) -> None:
        async def run(session: AsyncClientSession) -> None:
            await work(MongoTransaction(self._db, session))

        try:
            await in_transaction(self._db, run)
        except (DuplicateKeyError, BulkWriteError) as error:
            if not _duplicate(error):
                raise
            raise CaseConflict(str(error)) from error
        if self._relay is not None:
            self._relay.wake()


class MongoTransaction:
    def __init__(self, db: Database, session: AsyncClientSession) -> None:
        self.cases = CaseWrites(db, session)
        self.timeline = _TimelineWrites(MongoTimeline(db), session)
        self.agents = _AgentWrites(MongoAgents(db), session)
        self.replies = _ReplyWrites(MongoReplies(db), session)


class _TimelineWrites:
    def __init__(self, timeline: MongoTimeline, session: AsyncClientSession) -> None:
        self._timeline, self._session = timeline, session

    async def add(self, message: Message) -> None:
        await self._timeline.add(message, self._session)

    async def attach(self, ids: Sequence[UUID], case_id: UUID) -> None:
        await self._timeline.attach(ids, case_id, self._session)

    async def thread_all(self, threads: Sequence[tuple[Message, Sequence[UUID]]]) -> None:
        await self._timeline.thread_all(threads, self._session)

    async def move(self, source: UUID, target: UUID) -> None:
        await self._timeline.move(source, target, self._session)


class _AgentWrites:
    def __init__(self, agents: MongoAgents, session: AsyncClientSession) -> None:
        self._agents, self._session = agents, session

    async def take(self, agent_id: str, skills: list[str], at: datetime) -> None:
        await self._agents.take(agent_id, skills, at, self._session)

    async def release(self, agent_id: str) -> None:
        await self._agents.release(agent_id, self._session)


class _ReplyWrites:
    def __init__(self, replies: MongoReplies, session: AsyncClientSession) -> None:
        self._replies, self._session = replies, session

    async def mark_sent(self, reply: Reply, at: datetime, external_id: str | None) -> None:
        await self._replies.mark_sent(reply, at, external_id, self._session)


def _duplicate(error: DuplicateKeyError | BulkWriteError) -> bool:
    if isinstance(error, DuplicateKeyError):
        return True
    return all(
        e.get("code") == DUPLICATE_KEY for e in error.details.get("writeErrors", [None]) if e
    )
