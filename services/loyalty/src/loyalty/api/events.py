"""Purchases and converted referrals from external systems, onto ``commerce.events``."""

from functools import partial
from typing import Annotated, Literal, Self
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, Field, model_validator

from loyalty.adapters.posted_event_store import Recorder
from loyalty.api.deps import PartsDep
from loyalty.use_cases import referring
from rapport.api import JsonBody, require
from rapport.auth import Scope
from rapport.bounds import Amount, Timestamp
from rapport.events import Event, Purchase, PurchaseMade, Referral, ReferralConverted
from rapport.openapi import refused

router = APIRouter(prefix="/v1", tags=["commerce"])


class PurchaseIn(Purchase):
    """A purchase as posted: the contract's fields, bounded (``rapport.bounds``)."""

    type: Literal["purchase"]
    amount: Amount
    purchased_at: Timestamp

    def contract(self) -> Purchase:
        return Purchase(**self.model_dump(exclude={"type"}))

    def event(self) -> tuple[str, UUID, Event]:
        return f"purchase:{self.purchase_id}", self.profile_id, PurchaseMade.of(self.contract())


class ReferralIn(Referral):
    type: Literal["referral"]
    converted_at: Timestamp

    @model_validator(mode="after")
    def _not_self(self) -> Self:
        if self.referrer_profile_id == self.referred_profile_id:
            raise ValueError("a customer cannot refer themselves")
        return self

    def contract(self) -> Referral:
        return Referral(**self.model_dump(exclude={"type"}))

    def event(self) -> tuple[str, UUID, Event]:
        converted = ReferralConverted.of(self.contract())
        return f"referral:{self.referral_id}", self.referrer_profile_id, converted


CommerceIn = Annotated[PurchaseIn | ReferralIn, Field(discriminator="type")]


class Accepted(BaseModel):
    event_id: UUID
    type: str


@router.post(
    "/events",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[require(Scope.INTEGRATION), JsonBody],
    responses=refused(409),
)
async def post_event(parts: PartsDep, body: CommerceIn) -> Accepted:
    """A purchase or converted referral; 202 once it is stored for commerce.events. Idempotent
    by its purchase or referral id (a different body under the same id is 409). A referral is
    409 with the reason unless both people are known profiles, and two people, the purchase
    is recorded and the referred customer's, and neither the purchase nor the person was
    referred before."""
    key, profile_id, event = body.event()
    people = (
        [profile_id] if isinstance(body, PurchaseIn) else [profile_id, body.referred_profile_id]
    )
    also = _recorded(body)
    await parts.posted_events.remember(key, body.model_dump(mode="json"), people, event, also)
    return Accepted(event_id=event.event_id, type=event.type)


def _recorded(body: PurchaseIn | ReferralIn) -> Recorder:
    """What loyalty records of the posted event, with it: the purchase, or the referral's
    admission (which refuses it when it does not pay)."""
    if isinstance(body, PurchaseIn):
        return partial(referring.record_purchase, body.contract())
    return partial(referring.admit, body.contract())
