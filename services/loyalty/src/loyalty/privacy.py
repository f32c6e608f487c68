"""What loyalty holds about a person, for export and erasure (``rapport.privacy``)."""

from uuid import UUID

from loyalty.topics import COMMERCE_TOPIC, LOYALTY_TOPIC
from rapport import outbox
from rapport.events import PrivacyRequest
from rapport.mongo import Database, Document


def _people(request: PrivacyRequest) -> list[UUID]:
    return list({request.profile_id, *request.profile_ids})


def _filters(request: PrivacyRequest) -> dict[str, Document]:
    ids = _people(request)
    authors = [f"{i.platform}:{i.author_id}" for i in request.identities]
    by_profile = {"profile_id": {"$in": ids}}
    return {
        "members": {"_id": {"$in": ids}},
        "ledger": by_profile,
        "redemptions": by_profile,
        "outreach": by_profile,
        "questions": {"$or": [by_profile, {"author_key": {"$in": authors}}]},
        "intake": {"profile_ids": {"$in": ids}},
        "people": {"$or": [{"_id": {"$in": ids}}, {"person": {"$in": ids}}]},
        "purchases": by_profile,
        "referrals": {"$or": [{"referrer": {"$in": ids}}, {"referred": {"$in": ids}}]},
        "referral_refusals": {
            "$or": [
                {"referrer_profile_id": {"$in": [str(i) for i in ids]}},
                {"referred_profile_id": {"$in": [str(i) for i in ids]}},
            ]
        },
    }


class LoyaltyData:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def export(self, request: PrivacyRequest) -> dict[str, list[Document]]:
        return {
            name: await self._db[name].find(query).to_list()
            for name, query in _filters(request).items()
        }

    async def erase(self, request: PrivacyRequest) -> int:
        """Everything about the person, and loyalty's events about them in the outbox: keyed
        by them, or a commerce event that names them (a referral of someone else)."""
        filters = _filters(request)
        events = await self._db["intake"].distinct("event_id", filters["intake"])
        keys = [str(profile_id) for profile_id in _people(request)]
        filters[outbox.COLLECTION] = {
            "topic": {"$in": [LOYALTY_TOPIC, COMMERCE_TOPIC]},
            "$or": [{"key": {"$in": keys}}, {"_id": {"$in": events}}],
        }
        erased = 0
        for name, query in filters.items():
            erased += (await self._db[name].delete_many(query)).deleted_count
        return erased
