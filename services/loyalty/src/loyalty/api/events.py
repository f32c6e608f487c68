"""Purchases and converted referrals from external systems, onto ``commerce.events``."""

from typing import Annotated, Literal, Self
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, Field, model_validator

from loyalty.api.deps import ServicesDep
from rapport.api import JsonBody, require
from rapport.auth import Scope
from rapport.bounds import Amount, Timestamp
from rapport.events import Event, Purchase, PurchaseMade, Referral, ReferralConverted

router = APIRouter(prefix="/v1", tags=["commerce"])


class PurchaseIn(Purchase):
    """A purchase as posted: the contract's fields, bounded (``rapport.bounds``)."""

    type: Literal["purchase"]
    amount: Amount
    purchased_at: Timestamp

    def event(self) -> tuple[str, UUID, Event]:
        made = PurchaseMade.of(Purchase(**self.model_dump(exclude={"type"})))
        return f"purchase:{self.purchase_id}", self.profile_id, made


class ReferralIn(Referral):
    type: Literal["referral"]
    converted_at: Timestamp

    @model_validator(mode="after")
    def _not_self(self) -> Self:
        if self.referrer_profile_id == self.referred_profile_id:
            raise ValueError("a customer cannot refer themselves")
        return self

    def event(self) -> tuple[str, UUID, Event]:
        converted = ReferralConverted.of(Referral(**self.model_dump(exclude={"type"})))
        return f"referral:{self.referral_id}", self.referrer_profile_id, converted


CommerceIn = Annotated[PurchaseIn | ReferralIn, Field(discriminator="type")]


class Accepted(BaseModel):
    event_id: UUID
    type: str


@router.post(
    "/events",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[require(Scope.INTEGRATION), JsonBody],
)
async def post_event(services: ServicesDep, body: CommerceIn) -> Accepted:
    """A purchase or converted referral; 202 once it is stored for commerce.events. Idempotent
    by its purchase or referral id (a different body under the same id is 409)."""
    key, profile_id, event = body.event()
    people = (
        [profile_id] if isinstance(body, PurchaseIn) else [profile_id, body.referred_profile_id]
    )
    await services.intake.remember(key, body.model_dump(mode="json"), people, event)
    return Accepted(event_id=event.event_id, type=event.type)
