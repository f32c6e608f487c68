"""The profiles loyalty has heard of on ``crm.profiles``, each with its person: the profile that
absorbed it in a merge (itself until then). Referrals check both parties here, so they hold
without asking profiles on every request, and aliases of one person are one person.

Events of different profiles arrive in any order (the topic is keyed by profile): a profile's
``created`` after the merge that absorbed it leaves the merge in place."""

from uuid import UUID

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport.events import ProfileChange
from rapport.mongo import Database

Session = AsyncClientSession


class MongoPeople:
    def __init__(self, db: Database) -> None:
        self._people = db["people"]

    async def observe(self, change: ProfileChange) -> None:
        """Remember the profile; a merge makes its survivor the person of every absorbed id
        (and of whatever they absorbed before); an unmerge makes the split-off profile its
        own person again."""
        profile_id = change.profile.profile_id
        writes = [UpdateOne({"_id": profile_id}, {"$setOnInsert": {"person": profile_id}}, True)]
        if change.change == "unmerged":
            writes = [UpdateOne({"_id": profile_id}, {"$set": {"person": profile_id}}, True)]
        if change.change == "merged":
            absorbed = [i for i in change.related_profile_ids if i != profile_id]
            joined = {"$set": {"person": profile_id}}
            writes += [UpdateOne({"_id": i}, joined, True) for i in absorbed]
            await self._people.update_many({"person": {"$in": absorbed}}, joined)
        await self._people.bulk_write(writes, ordered=True)

    async def persons(self, ids: list[UUID], session: Session | None) -> dict[UUID, UUID]:
        """The person of each known id among ``ids``."""
        found = self._people.find({"_id": {"$in": ids}}, session=session)
        return {doc["_id"]: doc["person"] async for doc in found}

    async def aliases(self, person: UUID, session: Session | None) -> list[UUID]:
        """Every id known to be ``person``, their own included."""
        found = self._people.find({"person": person}, {"_id": 1}, session=session)
        return list({person, *[doc["_id"] async for doc in found]})
