"""GDPR requests: profiles' own part.

After an erasure only the request record remains (``profiles.privacy_requests``): its id, kind,
the profile id (a random-looking uuid), the ids it was known by and the confirmations; no
identifier of the person. The person's
events in the outbox go too, published or not (the published privacy requests and answers are
dropped by ``rapport.privacy``; those still to be published stay).
"""

from uuid import UUID

from profiles.confirmations import COLLECTION as LINK_REQUESTS
from profiles.domain.model import Profile
from profiles.store import Store
from rapport import outbox
from rapport.events import PrivacyRequest, SocialIdentity
from rapport.mongo import Document
from rapport.privacy import PRIVACY_TOPIC


def social_identities(profile: Profile) -> list[SocialIdentity]:
    return [
        SocialIdentity(platform=i.platform, author_id=i.value)
        for i in profile.identities
        if i.kind == "social" and i.platform is not None
    ]


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
