from datetime import UTC, datetime
from uuid import UUID

from rapport.events import PrivacyCompleted, PrivacyRequest, PrivacyRequested
from rapport.mongo import Document
from rapport.privacy import do_part

PERSON = UUID(int=7)
AT = datetime(2026, 11, 23, 9, tzinfo=UTC)


class Held:
    def __init__(self) -> None:
        self.docs: dict[str, list[Document]] = {"cases": [{"_id": UUID(int=1), "at": AT}]}

    async def export(self, request: PrivacyRequest) -> dict[str, list[Document]]:
        return self.docs

    async def erase(self, request: PrivacyRequest) -> int:
        erased = sum(len(d) for d in self.docs.values())
        self.docs = {}
        return erased


def requested(kind: str) -> PrivacyRequested:
    request = PrivacyRequest.model_validate(
        {"request_id": UUID(int=99), "kind": kind, "profile_id": PERSON, "requested_at": AT}
    )
    return PrivacyRequested.of(request)


async def test_an_export_answers_with_the_services_documents_as_json() -> None:
    event = await do_part("responder", Held(), requested("export").payload)
    assert isinstance(event, PrivacyCompleted)
    answer = event.payload
    assert (answer.service, answer.kind, answer.documents) == ("responder", "export", 1)
    assert answer.export == {"cases": [{"_id": str(UUID(int=1)), "at": "2026-11-23T09:00:00Z"}]}


async def test_an_erasure_confirms_the_count_and_a_repeat_confirms_with_the_same_event_id() -> None:
    held = Held()
    first = await do_part("loyalty", held, requested("erase").payload)
    second = await do_part("loyalty", held, requested("erase").payload)
    assert held.docs == {}
    assert (first.payload.documents, second.payload.documents) == (1, 0)
    assert first.payload.export is None
    assert first.event_id == second.event_id
