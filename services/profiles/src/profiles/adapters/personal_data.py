"""GDPR requests: profiles' own part, and the identities it lists as erased.

After an erasure only the request record remains (``adapters.privacy_request_store``): its id,
kind, the profile id (a random-looking uuid), the ids it was known by and the confirmations; no
identifier of the person. The person's events in the outbox go too, published or not (the
published privacy requests and answers are dropped by ``rapport.privacy``; those still to be
published stay).
"""

from uuid import UUID

from profiles.adapters.link_request_store import COLLECTION as LINK_REQUESTS
from profiles.adapters.mongo_store import Store
from profiles.domain.model import Profile
from rapport import outbox
from rapport.events import PrivacyRequest
from rapport.mongo import Database, Document
from rapport.privacy import PRIVACY_TOPIC
from rapport.suppression import Identity, Known


class MongoPrivacy(Store):
    """profiles' :class:`PersonalData` (the request records are ``privacy_requests``')."""

    async def export(self, request: PrivacyRequest) -> dict[str, list[Document]]:
        ids = await self._ids(request)
        return {
            "profiles": await self._profiles.find({"_id": {"$in": ids}}).to_list(),
            "history": await self._history.find({"profile_id": {"$in": ids}}).to_list(),
            "cases": await self._cases.find({"profile_id": {"$in": ids}}).to_list(),
            "audit": await self._audit.find({"profile_ids": {"$in": ids}}).to_list(),
            "link_requests": await self._db[LINK_REQUESTS]
            .find({"profile_id": {"$in": ids}}, {"_id": 0})
            .to_list(),
        }

    async def erase(self, request: PrivacyRequest) -> int:
        ids = await self._ids(request)
        erased = 0
        for collection, field in (
            (self._profiles, "_id"),
            (self._history, "profile_id"),
            (self._cases, "profile_id"),
            (self._audit, "profile_ids"),
            (self._db[LINK_REQUESTS], "profile_id"),
        ):
            result = await collection.delete_many({field: {"$in": ids}})
            erased += result.deleted_count
        keys = [str(i) for i in ids] + [f"{i.platform}:{i.author_id}" for i in request.identities]
        events = await self._db[outbox.COLLECTION].delete_many(
            {"key": {"$in": keys}, "topic": {"$ne": PRIVACY_TOPIC}}  # those: rapport.privacy
        )
        erased += events.deleted_count
        await self._processed.update_many(
            {"profile_id": {"$in": ids}}, {"$set": {"profile_id": None, "events": []}}
        )
        exports = await self._db["privacy_requests"].update_many(
            {"profile_id": {"$in": ids}, "kind": "export", "confirmations.export": {"$ne": None}},
            {"$set": {"confirmations.$[].export": None}},
        )
        return erased + exports.modified_count

    async def _ids(self, request: PrivacyRequest) -> list[UUID]:
        """The request's profile ids, and those of any profile holding its social identities."""
        keys = [f"{i.platform}:{i.author_id}" for i in request.identities]
        holders = await self._profiles.find({"identities.key": {"$in": keys}}, {"_id": 1}).to_list()
        return list({request.profile_id, *request.profile_ids, *(d["_id"] for d in holders)})


def known_identities(db: Database) -> Known:
    """Every identity (email, phone, CRM id, social) of the profiles an erasure is about,
    besides those the request names (``rapport.suppression``)."""

    async def known(request: PrivacyRequest) -> list[Identity]:
        keys = [f"{i.platform}:{i.author_id}" for i in request.identities]
        ids = [request.profile_id, *request.profile_ids]
        found = db["profiles"].find(
            {"$or": [{"_id": {"$in": ids}}, {"identities.key": {"$in": keys}}]}
        )
        profiles = [Profile.model_validate(doc) async for doc in found]
        return [
            Identity(i.platform if i.kind == "social" and i.platform else i.kind, i.value)
            for profile in profiles
            for i in profile.identities
        ]

    return known
