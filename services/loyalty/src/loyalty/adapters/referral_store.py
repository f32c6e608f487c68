"""Purchases loyalty has recorded and the referrals it admitted, in MongoDB. Whether a referral
pays is decided in ``loyalty.domain.referrals`` (``use_cases.referring`` admits it); here,
``referrals`` is keyed by purchase id and unique by referred person, so two concurrent
referrals of one purchase or one person cannot both be stored. Refusals of consumed referrals
are kept in ``referral_refusals`` with their reason."""

from datetime import datetime
from uuid import UUID

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from loyalty.adapters.people_store import MongoPeople
from loyalty.domain.referrals import ReferralFacts
from loyalty.errors import ReferralRefused
from rapport.events import Purchase, Referral
from rapport.mongo import Database

Session = AsyncClientSession


class MongoReferrals:
    """Bound to a session, reads and writes in its transaction."""

    def __init__(self, db: Database, people: MongoPeople, session: Session | None = None) -> None:
        self._purchases = db["purchases"]
        self._referrals = db["referrals"]
        self._refusals = db["referral_refusals"]
        self._people = people
        self._session = session

    async def record_purchase(self, purchase: Purchase) -> None:
        fields = {"profile_id": purchase.profile_id, "purchased_at": purchase.purchased_at}
        await self._purchases.update_one(
            {"_id": purchase.purchase_id},
            {"$setOnInsert": fields},
            upsert=True,
            session=self._session,
        )

    async def admit(self, referral: Referral, *, referrer: UUID, referred: UUID) -> None:
        admitted = {
            "_id": referral.purchase_id,
            "referral_id": referral.referral_id,
            "referrer": referrer,
            "referred": referred,
        }
        try:
            await self._referrals.insert_one(admitted, session=self._session)
        except DuplicateKeyError as raced:
            raise ReferralRefused(_raced(referral, raced)) from raced
        await self._refusals.delete_one({"_id": referral.referral_id}, session=self._session)

    async def refused(self, referral: Referral, reason: str, at: datetime) -> None:
        """Keep a consumed referral's refusal, for a human to see."""
        record = referral.model_dump(mode="json") | {"reason": reason, "at": at}
        await self._refusals.replace_one({"_id": referral.referral_id}, record, upsert=True)

    async def facts(self, referral: Referral) -> ReferralFacts:
        s = self._session
        purchase = await self._purchases.find_one({"_id": referral.purchase_id}, session=s)
        buyer = purchase["profile_id"] if purchase else None
        ids = [referral.referrer_profile_id, referral.referred_profile_id]
        persons = await self._people.persons([*ids, *([buyer] if buyer else [])], s)
        referred = persons.get(referral.referred_profile_id)
        paid = await self._referrals.find_one({"_id": referral.purchase_id}, session=s)
        before = None
        if referred is not None:
            aliases = await self._people.aliases(referred, s)
            found = await self._referrals.find_one({"referred": {"$in": aliases}}, session=s)
            before = found["referral_id"] if found else None
        return ReferralFacts(
            referral_id=referral.referral_id,
            purchase_id=referral.purchase_id,
            referrer=persons.get(referral.referrer_profile_id),
            referred=referred,
            buyer=persons.get(buyer, buyer) if buyer else None,
            purchase_paid_by=paid["referral_id"] if paid else None,
            referred_before_by=before,
        )


def _raced(referral: Referral, error: DuplicateKeyError) -> str:
    """Why a referral lost to another admitted at the same moment."""
    taken = (error.details or {}).get("keyPattern", {})
    what = "the referred customer was" if "referred" in taken else "its purchase was"
    return f"referral {referral.referral_id} refused: {what} just referred by another referral"
