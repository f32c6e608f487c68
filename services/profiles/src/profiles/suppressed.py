"""The identities profiles lists as erased, besides those the request names: every identity
(email, phone, CRM id, social) of the profiles the erasure is about (``rapport.suppression``)."""

from profiles.domain.model import Profile
from rapport.events import PrivacyRequest
from rapport.mongo import Database
from rapport.suppression import Identity, Known


def known_identities(db: Database) -> Known:
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
