"""What responder holds about a person, for export and erasure (GDPR).

The person is found by profile id (cases, the profile cache, case events waiting in the
outbox) and by social identity (their mentions in the timeline). Erasure deletes their cases
with everything attached to them (messages, brand answers, replies, internal notes, the
negative mentions counted for spikes, console viewers) and any other message they wrote, and
takes their profile id off the dashboard's mention facts (the anonymous counts stay, as the
spike counters do); the case events already published stay in Kafka's retention.
"""

from uuid import UUID

from rapport import outbox
from rapport.events import PrivacyRequest
from rapport.mongo import Database, Document
from rapport.topics import CASES
from responder.adapters.brand_health_store import MongoBrandHealth


class ResponderPersonalData:
    def __init__(self, db: Database) -> None:
        self._db = db

    def _profile_ids(self, request: PrivacyRequest) -> list[UUID]:
        return sorted({request.profile_id, *request.profile_ids})

    async def _case_ids(self, request: PrivacyRequest) -> list[UUID]:
        query = {"profile_id": {"$in": self._profile_ids(request)}}
        return [doc["_id"] for doc in await self._db["cases"].find(query, {"_id": 1}).to_list()]

    def _messages(self, request: PrivacyRequest, case_ids: list[UUID]) -> Document:
        authored = [{"platform": i.platform, "author_id": i.author_id} for i in request.identities]
        return {"$or": [{"case_id": {"$in": case_ids}}, *authored]}

    async def export(self, request: PrivacyRequest) -> dict[str, list[Document]]:
        case_ids = await self._case_ids(request)
        by_case = {"case_id": {"$in": case_ids}}
        queries = {
            "cases": {"_id": {"$in": case_ids}},
            "timeline": self._messages(request, case_ids),
            "replies": by_case,
            "notes": by_case,
            "profiles": {"_id": {"$in": self._profile_ids(request)}},
            "mention_facts": {"profile_id": {"$in": [str(p) for p in self._profile_ids(request)]}},
        }
        return {name: await self._db[name].find(query).to_list() for name, query in queries.items()}

    async def erase(self, request: PrivacyRequest) -> int:
        case_ids = await self._case_ids(request)
        keys = [str(profile_id) for profile_id in self._profile_ids(request)]
        authors = [f"{i.platform}:{i.author_id}" for i in request.identities]
        deletions = {
            "timeline": self._messages(request, case_ids),
            "replies": {"case_id": {"$in": case_ids}},
            "notes": {"case_id": {"$in": case_ids}},
            "viewers": {"case_id": {"$in": case_ids}},
            "negatives": {"$or": [{"case_id": {"$in": case_ids}}, {"author": {"$in": authors}}]},
            "profiles": {"_id": {"$in": self._profile_ids(request)}},
            outbox.COLLECTION: {"topic": CASES.name, "key": {"$in": keys}},
            "cases": {"_id": {"$in": case_ids}},
        }
        erased = 0
        for name, query in deletions.items():
            erased += (await self._db[name].delete_many(query)).deleted_count
        return erased + await MongoBrandHealth(self._db).anonymise(self._profile_ids(request))
