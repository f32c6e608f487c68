"""A service's answer to a privacy request: export or erase its part, then confirm it.

profiles announces ``privacy.requested`` on ``privacy.requests``; every service (profiles
included) consumes it, does its part through its :class:`PersonalData` and answers
``privacy.completed``. Erasing twice is harmless: the second pass finds nothing, and the
confirmation has the same event id (request, service).

An export's part is stored encrypted in the service's own database (``rapport.exports``); the
answer says only how many documents and where to fetch them. A re-announcement naming other
services (``PrivacyRequest.services``) is not this service's to answer again.

``privacy_outbox_handler(service, data, db, exports)`` stores the answer in the service's
outbox, right after the erasure (``PersonalData`` takes no session, so not in its transaction),
and an erasure drops the service's earlier answers about the person (a request names their
identities) and their stored exports. That is safe: the consumer commits the request's offset
only after both, so a crash in between redelivers the request, the erasure runs again (finding
nothing) and the answer is stored then; an answer stored before (same event id) is a duplicate
key, taken as done.
"""

from collections.abc import Awaitable, Callable
from typing import Protocol

from pymongo.errors import DuplicateKeyError

from rapport import outbox
from rapport.clock import utcnow
from rapport.events import PrivacyAnswer, PrivacyCompleted, PrivacyRequest, PrivacyRequested
from rapport.exports.api import export_path
from rapport.exports.store import ExportStore
from rapport.mongo import Database, Document
from rapport.topics import PRIVACY

PRIVACY_TOPIC = PRIVACY.name
Handler = Callable[[PrivacyRequested], Awaitable[None]]


class PersonalData(Protocol):
    """What one service holds about a person."""

    async def export(self, request: PrivacyRequest) -> dict[str, list[Document]]:
        """Every document about the person, by collection."""
        ...

    async def erase(self, request: PrivacyRequest) -> int:
        """Delete (or strip of identifiers) every document about the person; how many."""
        ...


async def do_part(
    service: str, data: PersonalData, request: PrivacyRequest, exports: ExportStore
) -> PrivacyCompleted:
    """Erase the service's part, or store it encrypted; the answer saying so."""
    answer = PrivacyAnswer(
        request_id=request.request_id,
        kind=request.kind,
        profile_id=request.profile_id,
        service=service,
        completed_at=utcnow(),
        documents=0,
    )
    if request.kind == "erase":
        answer = answer.model_copy(update={"documents": await data.erase(request)})
    else:
        stored = await exports.put(request, service, await data.export(request))
        answer = answer.model_copy(
            update={
                "documents": stored.documents,
                "export_path": export_path(request.request_id),
                "expires_at": stored.expires_at,
            }
        )
    return PrivacyCompleted.of(answer)


def privacy_outbox_handler(
    service: str,
    data: PersonalData,
    db: Database,
    exports: ExportStore,
    *,
    relay_now: Callable[[], None] = lambda: None,
) -> Handler:
    """Do the service's part and store the answer in its outbox (``relay_now`` wakes the
    relay)."""

    async def handle(event: PrivacyRequested) -> None:
        request = event.payload
        if not request.asks(service):
            return
        completed = await do_part(service, data, request, exports)
        if request.kind == "erase":
            await forget_answers(db, request)
            await exports.forget(request)
        try:
            await outbox.add(db, None, [(PRIVACY_TOPIC, str(request.profile_id), completed)])
        except DuplicateKeyError:
            return  # answered before this redelivery
        relay_now()

    return handle


async def forget_answers(db: Database, request: PrivacyRequest) -> None:
    """Drop the published requests and answers about the person from the outbox: a request
    names their identities."""
    keys = [str(i) for i in {request.profile_id, *request.profile_ids}]
    await db[outbox.COLLECTION].delete_many(
        {"topic": PRIVACY_TOPIC, "key": {"$in": keys}, "published_at": {"$ne": None}}
    )
