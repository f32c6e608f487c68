from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from rapport.events import PrivacyRequest, PrivacyRequested
from rapport.exports.store import ExportStore
from rapport.mongo import Database, Document
from rapport.privacy import do_part, privacy_outbox_handler

PERSON = UUID(int=7)
AT = datetime(2026, 11, 23, 9, tzinfo=UTC)
UNUSED = cast(Any, None)
"""An erasure stores no export, and a request not addressed to the service touches nothing."""


class Held:
    def __init__(self) -> None:
        self.docs: dict[str, list[Document]] = {"cases": [{"_id": UUID(int=1), "at": AT}]}

    async def export(self, request: PrivacyRequest) -> dict[str, list[Document]]:
        return self.docs

    async def erase(self, request: PrivacyRequest) -> int:
        erased = sum(len(d) for d in self.docs.values())
        self.docs = {}
        return erased


def requested(kind: str, services: list[str] | None = None) -> PrivacyRequested:
    request = PrivacyRequest.model_validate(
        {
            "request_id": UUID(int=99),
            "kind": kind,
            "profile_id": PERSON,
            "requested_at": AT,
            "services": services or [],
        }
    )
    return PrivacyRequested.of(request)


async def test_an_erasure_confirms_the_count_and_a_repeat_confirms_with_the_same_event_id() -> None:
    held = Held()
    exports: ExportStore = UNUSED
    first = await do_part("loyalty", held, requested("erase").payload, exports)
    second = await do_part("loyalty", held, requested("erase").payload, exports)
    assert held.docs == {}
    assert (first.payload.documents, second.payload.documents) == (1, 0)
    assert first.payload.export_path is None
    assert first.event_id == second.event_id


async def test_a_re_announcement_to_other_services_is_not_answered_again() -> None:
    held = Held()
    db: Database = UNUSED
    handle = privacy_outbox_handler("loyalty", held, db, UNUSED)
    await handle(requested("erase", services=["ingest", "responder"]))
    assert held.docs != {}  # not erased again, nothing stored: db and store were never touched
