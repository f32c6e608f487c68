"""A service's answer to a privacy request: export or erase its part, then confirm it.

profiles announces ``privacy.requested`` on ``privacy.requests``; every service (profiles
included) consumes it, does its part through its :class:`PersonalData` and publishes
``privacy.completed``. Erasing twice is harmless: the second pass finds nothing, and the
confirmation has the same event id (request, service).
"""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from pydantic_core import to_jsonable_python

from rapport.events import PrivacyAnswer, PrivacyCompleted, PrivacyRequest, PrivacyRequested, utcnow
from rapport.kafka.producer import Publish
from rapport.mongo import Document

PRIVACY_TOPIC = "privacy.requests"


class PersonalData(Protocol):
    """What one service holds about a person."""

    async def export(self, request: PrivacyRequest) -> dict[str, list[Document]]:
        """Every document about the person, by collection."""
        ...

    async def erase(self, request: PrivacyRequest) -> int:
        """Delete (or strip of identifiers) every document about the person; how many."""
        ...


def privacy_handler(
    service: str, data: PersonalData, publish: Publish
) -> Callable[[PrivacyRequested], Awaitable[None]]:
    async def handle(event: PrivacyRequested) -> None:
        request = event.payload
        export: dict[str, Any] | None = None
        if request.kind == "erase":
            documents = await data.erase(request)
        else:
            parts = await data.export(request)
            documents = sum(len(docs) for docs in parts.values())
            export = to_jsonable_python(parts)
        answer = PrivacyAnswer(
            request_id=request.request_id,
            kind=request.kind,
            profile_id=request.profile_id,
            service=service,
            completed_at=utcnow(),
            documents=documents,
            export=export,
        )
        await publish([(PRIVACY_TOPIC, str(request.profile_id), PrivacyCompleted.of(answer))])

    return handle
