"""A privacy answer stored in the service's outbox, against the real database."""

from datetime import UTC, datetime
from uuid import UUID

import pytest

from rapport import outbox
from rapport.events import PrivacyCompleted, PrivacyRequest, PrivacyRequested
from rapport.events.codec import decode
from rapport.exports.store import export_store
from rapport.mongo import Database, Document, ensure_indexes
from rapport.privacy import PRIVACY_TOPIC, privacy_outbox_handler
from rapport.settings import Environment, RapportSettings

pytestmark = pytest.mark.integration
PERSON = UUID(int=7)
AT = datetime(2026, 11, 23, 9, tzinfo=UTC)


class Held:
    def __init__(self, db: Database) -> None:
        self.cases = db["cases"]

    async def export(self, request: PrivacyRequest) -> dict[str, list[Document]]:
        return {"cases": await self.cases.find({"profile_id": request.profile_id}).to_list()}

    async def erase(self, request: PrivacyRequest) -> int:
        result = await self.cases.delete_many({"profile_id": request.profile_id})
        return result.deleted_count


def requested(kind: str, request: int = 99) -> PrivacyRequested:
    found = PrivacyRequest.model_validate(
        {"request_id": UUID(int=request), "kind": kind, "profile_id": PERSON, "requested_at": AT}
    )
    return PrivacyRequested.of(found)


async def test_an_erasure_is_answered_once_in_the_outbox_and_drops_an_earlier_export(
    mongo_db: Database,
) -> None:
    await ensure_indexes(mongo_db, {outbox.COLLECTION: outbox.INDEXES})
    await mongo_db["cases"].insert_many(
        [{"_id": UUID(int=n), "profile_id": PERSON} for n in (1, 2)]
    )
    woken: list[bool] = []
    exports = export_store(mongo_db, RapportSettings(environment=Environment.TEST))
    exported = privacy_outbox_handler("responder", Held(mongo_db), mongo_db, exports)
    await exported(requested("export", request=98))  # its answer names the person (the key)
    await mongo_db[outbox.COLLECTION].update_many({}, {"$set": {"published_at": AT}})
    handle = privacy_outbox_handler(
        "responder", Held(mongo_db), mongo_db, exports, relay_now=lambda: woken.append(True)
    )
    await handle(requested("erase"))
    await handle(requested("erase"))  # a redelivery: nothing left to erase, already answered
    (row,) = await mongo_db[outbox.COLLECTION].find().to_list()
    assert (row["topic"], row["key"], row["published_at"]) == (PRIVACY_TOPIC, str(PERSON), None)
    answer = decode(bytes(row["value"]), (PrivacyCompleted,))
    assert isinstance(answer, PrivacyCompleted)
    assert (answer.payload.service, answer.payload.documents) == ("responder", 2)
    assert row["_id"] == str(answer.event_id)
    assert await mongo_db["cases"].count_documents({}) == 0
    assert woken == [True]
    assert await mongo_db["privacy_exports"].count_documents({}) == 0  # the export went too
