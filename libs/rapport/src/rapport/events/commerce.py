"""Commerce: purchases and converted referrals from the brand's shop, on ``commerce.events``.

External systems publish these (or post them to loyalty's ``POST /v1/events``). A customer is
named by their Rapport profile id (profiles resolves CRM ids: ``GET /v1/profiles/lookup``).
"""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from rapport.events.base import Contract, Event

ExternalId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]


class Purchase(Contract):
    purchase_id: ExternalId
    profile_id: UUID
    amount: Annotated[float, Field(gt=0, le=1_000_000)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    purchased_at: AwareDatetime


class PurchaseMade(Event):
    type: Literal["purchase.made"] = "purchase.made"
    schema_version: Literal[1] = 1
    payload: Purchase

    @classmethod
    def of(cls, purchase: Purchase) -> "PurchaseMade":
        return cls.caused_by(
            purchase.purchase_id, payload=purchase, occurred_at=purchase.purchased_at
        )


class Referral(Contract):
    referral_id: ExternalId
    referrer_profile_id: UUID
    referred_profile_id: UUID
    purchase_id: ExternalId
    converted_at: AwareDatetime


class ReferralConverted(Event):
    type: Literal["referral.converted"] = "referral.converted"
    schema_version: Literal[1] = 1
    payload: Referral

    @classmethod
    def of(cls, referral: Referral) -> "ReferralConverted":
        return cls.caused_by(
            referral.referral_id, payload=referral, occurred_at=referral.converted_at
        )
