"""GDPR requests: the record of each (with every service's confirmation) and profiles' own part.

After an erasure only the request record remains: its id, kind, the profile id (a random-looking
uuid), the ids it was known by and the confirmations; no identifier of the person. The person's
events in the outbox go too, published or not (the published privacy requests and answers are
dropped by ``rapport.privacy``; those still to be published stay).
"""

from typing import Any
from uuid import UUID

from profiles.confirmations import COLLECTION as LINK_REQUESTS
from profiles.domain.model import Profile
from profiles.store import Session, Store
from rapport import outbox
from rapport.events import PrivacyAnswer, PrivacyRequest, PrivacyRequested, SocialIdentity
from rapport.mongo import Document
from rapport.privacy import PRIVACY_TOPIC


def social_identities(profile: Profile) -> list[SocialIdentity]:
    return [
        SocialIdentity(platform=i.platform, author_id=i.value)
        for i in profile.identities
        if i.kind == "social" and i.platform is not None
    ]


class MongoPrivacy(Store):
    """The request records (``privacy_requests``) and profiles' :class:`PersonalData`."""

    async def open(self, request: PrivacyRequest) -> None:
        """Record the request and announce it to every service (through the outbox)."""

        async def work(session: Session) -> None:
            await self._db["privacy_requests"].insert_one(
                {
                    "_id": request.request_id,
                    "kind": request.kind,
                    "profile_id": request.profile_id,
                    "profile_ids": request.profile_ids,
                    "requested_at": request.requested_at,
                    "confirmations": [],
                },
                session=session,
            )
            announced = (PRIVACY_TOPIC, str(request.profile_id), PrivacyRequested.of(request))
            await self._publish([announced], session)

        await self._transaction(work)

    async def confirm(self, answer: PrivacyAnswer) -> None:
        """Record a service's answer once; a redelivered answer changes nothing."""
        confirmation: dict[str, Any] = {
            "service": answer.service,
            "completed_at": answer.completed_at,
            "documents": answer.documents,
            "export": answer.export,
        }
        await self._db["privacy_requests"].update_one(
            {"_id": answer.request_id, "confirmations.service": {"$ne": answer.service}},
            {"$push": {"confirmations": confirmation}},
        )

    async def request(self, request_id: UUID) -> Document | None:
        return await self._db["privacy_requests"].find_one({"_id": request_id})

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
