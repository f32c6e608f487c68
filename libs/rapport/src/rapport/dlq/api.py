"""``/v1/admin/dead-letters``: the group's dead letters, on every service (``operations`` scope).

The router's lifespan gives the app its own ``DeadLetters`` (a MongoDB client on the service's
database, a producer started on first replay, a group-less reader) and ``ParkedEvents`` (for
``parked_api``, on the same client), and refreshes the ``rapport_dead_letters`` gauge every
``REFRESH_S`` seconds.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request, status
from pydantic import Field

from rapport.api import JsonBody, StrictModel, require
from rapport.auth import Principal, Scope
from rapport.dlq.audit import Action, ActionLog, AlreadyHandled
from rapport.dlq.letters import Headers, Position
from rapport.dlq.operations import MAX_PAGE, DeadLetters, UnknownTopic
from rapport.dlq.reader import LetterReader, OffsetOutOfRange
from rapport.kafka.connection import ClientSecurity, client_security
from rapport.kafka.producer import EventProducer
from rapport.mongo import connect
from rapport.openapi import refused
from rapport.outbox_parked import ParkedEvents
from rapport.settings import RapportSettings

log = logging.getLogger(__name__)
REFRESH_S = 60.0
PREFIX = "/v1/admin/dead-letters"


class Note(StrictModel):
    note: str = Field("", max_length=1000, description="why; kept in the audit record")


class Bulk(Note):
    topic: str | None = Field(None, max_length=249, description="only this topic's letters")


class LazyProducer:
    """A producer that connects on its first send: most services never replay anything."""

    def __init__(self, bootstrap: str, *, client_id: str, security: ClientSecurity) -> None:
        self._bootstrap, self._client_id, self._security = bootstrap, client_id, security
        self._producer: EventProducer | None = None
        self._lock = asyncio.Lock()

    async def send_headers(
        self, topic: str, key: bytes | None, value: bytes | None, headers: Headers
    ) -> None:
        async with self._lock:
            if self._producer is None:
                producer = EventProducer(
                    self._bootstrap, client_id=self._client_id, security=self._security
                )
                await producer.start()
                self._producer = producer
        await self._producer.send_headers(topic, key, value, headers)

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: RapportSettings = app.state.settings
    client_id = f"rapport-{settings.service_name}-dlq"
    mongo = connect(settings)
    security = client_security(settings)
    producer = LazyProducer(settings.kafka_bootstrap, client_id=client_id, security=security)
    letters = DeadLetters(
        settings.service_name,
        reader=LetterReader(settings.kafka_bootstrap, client_id=client_id, security=security),
        actions=ActionLog(mongo[settings.mongo_db]),
        producer=producer,
    )
    app.state.dead_letters = letters
    app.state.parked_events = ParkedEvents(mongo[settings.mongo_db])
    refresher = asyncio.create_task(refresh_every(letters, REFRESH_S), name="dlq-metrics")
    try:
        yield
    finally:
        refresher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await refresher
        await producer.stop()
        await mongo.close()


async def refresh_every(letters: DeadLetters, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await letters.refresh_metrics()
        except Exception as error:  # the gauge goes stale; the next round tries again
            log.warning("dead-letter gauge not refreshed", extra={"error": repr(error)})


router = APIRouter(
    prefix=PREFIX, tags=["dead letters"], lifespan=lifespan, responses=refused(404, 409, 503)
)
OPERATIONS = require(Scope.OPERATIONS)
Operator = Annotated[Principal, OPERATIONS]
"""Declared before ``Letters`` in every route: FastAPI resolves dependencies in order, and the
caller is checked before anything else is looked up (routes with a body name ``OPERATIONS``
before ``JsonBody`` too; FastAPI checks it once)."""
TopicName = Annotated[str, Path(max_length=249, description="dead-letter or original topic")]
Partition = Annotated[int, Path(ge=0, le=100_000)]
Offset = Annotated[int, Path(ge=0, le=2**63 - 1)]


def dead_letters(request: Request) -> DeadLetters:
    letters: DeadLetters = request.app.state.dead_letters
    return letters


Letters = Annotated[DeadLetters, Depends(dead_letters)]


@contextlib.contextmanager
def _as_http_errors() -> Iterator[None]:
    try:
        yield
    except (UnknownTopic, OffsetOutOfRange) as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    except AlreadyHandled as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except TimeoutError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error


def _position(letters: DeadLetters, topic: str, partition: int, offset: int) -> Position:
    return Position(letters.resolve(topic), partition, offset)


@router.get("")
async def list_letters(
    _: Operator,
    letters: Letters,
    topic: Annotated[str | None, Query(max_length=249)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    after: Annotated[str | None, Query(max_length=300, pattern=r"^.+/\d{1,6}/\d{1,19}$")] = None,
    include_handled: Annotated[
        bool, Query(alias="all", description="also letters already replayed or dropped")
    ] = False,
) -> dict[str, Any]:
    """The group's dead letters, oldest first; never their text. Page on with ``after=next``."""
    with _as_http_errors():
        page = await letters.listing(
            topic=topic,
            limit=limit,
            after=Position.parse(after) if after else None,
            include_handled=include_handled,
        )
    return {"group": letters.group, "letters": page.letters, "next": page.next}


@router.get("/{topic}/{partition}/{offset}")
async def show_letter(
    _: Operator,
    letters: Letters,
    topic: TopicName,
    partition: Partition,
    offset: Offset,
    value: Annotated[bool, Query(description="include the key and value")] = False,
) -> dict[str, Any]:
    """One dead letter in full, with its traceback; its key and value only with ``value=true``."""
    with _as_http_errors():
        return await letters.show(_position(letters, topic, partition, offset), with_value=value)


@router.post("/replay", dependencies=[OPERATIONS, JsonBody])
async def replay_all(who: Operator, letters: Letters, body: Bulk) -> dict[str, Any]:
    """Replay every letter not yet handled (optionally of one topic) to its original topic."""
    with _as_http_errors():
        return await letters.act_on_all(
            Action.REPLAY, topic=body.topic, by=who.subject, note=body.note
        )


@router.post("/drop", dependencies=[OPERATIONS, JsonBody])
async def drop_all(who: Operator, letters: Letters, body: Bulk) -> dict[str, Any]:
    """Drop every letter not yet handled (optionally of one topic), with an audit record each."""
    with _as_http_errors():
        return await letters.act_on_all(
            Action.DROP, topic=body.topic, by=who.subject, note=body.note
        )


@router.post("/{topic}/{partition}/{offset}/replay", dependencies=[OPERATIONS, JsonBody])
async def replay_letter(
    who: Operator,
    letters: Letters,
    topic: TopicName,
    partition: Partition,
    offset: Offset,
    body: Note,
) -> dict[str, Any]:
    """Send the letter back to its original topic, same key, value and event id; once only."""
    with _as_http_errors():
        position = _position(letters, topic, partition, offset)
        return await letters.act(Action.REPLAY, position, by=who.subject, note=body.note)


@router.post("/{topic}/{partition}/{offset}/drop", dependencies=[OPERATIONS, JsonBody])
async def drop_letter(
    who: Operator,
    letters: Letters,
    topic: TopicName,
    partition: Partition,
    offset: Offset,
    body: Note,
) -> dict[str, Any]:
    """Mark the letter as dropped (it leaves the list), with who, when and why."""
    with _as_http_errors():
        position = _position(letters, topic, partition, offset)
        return await letters.act(Action.DROP, position, by=who.subject, note=body.note)
