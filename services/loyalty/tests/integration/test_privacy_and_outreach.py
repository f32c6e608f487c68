"""Erasure leaves no trace of the person; outreach respects consent, relevance and the cap."""

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from loyalty.consumers import event_handlers
from loyalty.domain.catalogue import Offer
from loyalty.parts import Parts
from rapport.events import (
    OutreachDecided,
    ParticipationSegment,
    PrivacyCompleted,
    PrivacyRequest,
    PrivacyRequested,
    Referral,
    ReferralConverted,
    RelationshipStage,
    SocialIdentity,
)
from rapport.kafka.consumer import dispatch
from rapport.mongo import Database
from rapport.testing import MovableClock
from services.loyalty.tests.integration.builders import (
    created,
    mention_by,
    profile_changed,
    purchase_made,
    snapshot,
)
from services.loyalty.tests.integration.conftest import outboxed, roll_out, settings

pytestmark = pytest.mark.integration
FAN = RelationshipStage.FAN


async def test_after_an_erasure_no_document_names_the_person(
    services: Parts, mongo_db: Database, clock: MovableClock
) -> None:
    handle = dispatch(event_handlers(services, settings()))
    ann, old_ann, bob = uuid4(), uuid4(), uuid4()
    question = mention_by(ann, score=0.0, intents=["question"])
    await handle(question)
    await handle(mention_by(ann, url="https://example.com/a.jpg"))
    await handle(mention_by(old_ann))
    await handle(mention_by(bob))
    await services.redemptions.redeem(ann, "key-erase01", "mug", 5, clock())
    referred = Referral(
        referral_id="r1",
        referrer_profile_id=bob,
        referred_profile_id=ann,
        purchase_id="order-1",
        converted_at=clock(),
    )
    converted = ReferralConverted.of(referred)
    for known in (ann, old_ann, bob):
        await handle(created(known))
    await handle(purchase_made(ann, "order-1"))
    await handle(converted)
    assert await mongo_db["referrals"].count_documents({"referred": ann}) == 1
    await services.posted_events.remember(
        "referral:r1", {"referred": str(ann)}, [bob, ann], converted
    )
    author = question.payload.mention.author.id
    request = PrivacyRequest(
        request_id=uuid4(),
        kind="erase",
        profile_id=ann,
        profile_ids=[old_ann],
        identities=[SocialIdentity(platform="x", author_id=author)],
        requested_at=clock(),
    )
    await handle(PrivacyRequested.of(request))
    await handle(PrivacyRequested.of(request))

    for name in await mongo_db.list_collection_names():
        for doc in await mongo_db[name].find().to_list():
            if name == "outbox" and doc["event_type"] == "privacy.completed":
                continue  # the answer to this very erasure, waiting for the relay
            for identifier in (str(ann), str(old_ann), author):
                assert identifier not in repr(doc), name
    assert await services.members.get(bob) is not None
    assert {e.payload.profile_id for e in await outboxed(mongo_db)} == {bob}
    (answer,) = await outboxed(mongo_db, "privacy.requests")
    assert isinstance(answer, PrivacyCompleted)
    assert answer.payload.documents > 0


def offer(clock: MovableClock, **fields: object) -> Offer:
    return Offer.model_validate(
        {
            "offer_id": f"offer-{uuid4().hex[:6]}",
            "title": "Descaler kit, 20% off",
            "stages": ["fan"],
            "starts_at": clock() - timedelta(hours=1),
            "expires_at": clock() + timedelta(days=7),
            **fields,
        }
    )


async def member(services: Parts, stage: RelationshipStage, consent: bool) -> UUID:
    handle = dispatch(event_handlers(services, settings()))
    profile_id = uuid4()
    await handle(mention_by(profile_id))
    await handle(profile_changed(snapshot(profile_id, stage, consent=consent), "consent_changed"))
    return profile_id


async def test_an_offer_goes_only_to_consenting_members_it_is_relevant_to(
    services: Parts, mongo_db: Database, clock: MovableClock
) -> None:
    fan = await member(services, FAN, consent=True)
    await member(services, FAN, consent=False)
    await member(services, RelationshipStage.DETRACTOR, consent=True)
    assert await roll_out(services, offer(clock)) == 1
    (decided,) = (await outboxed(mongo_db))[-1:]
    assert isinstance(decided, OutreachDecided)
    assert decided.payload.profile_id == fan
    assert decided.payload.relevant_to == ["stage:fan"]


async def test_at_most_two_offers_a_week_reach_a_member(
    services: Parts, clock: MovableClock
) -> None:
    await member(services, FAN, consent=True)
    sent = [await roll_out(services, offer(clock)) for _ in range(3)]
    assert sent == [1, 1, 0]
    clock.advance(days=7, seconds=1)
    assert await roll_out(services, offer(clock)) == 1


async def test_a_member_who_becomes_relevant_gets_the_running_offers(
    services: Parts, mongo_db: Database, clock: MovableClock
) -> None:
    creators = offer(clock, segments=["frequent_creator"], stages=[])
    await services.offers.put(creators.offer_id, creators)
    profile_id = await member(services, RelationshipStage.CASUAL_COMMENTER, consent=True)
    assert not [e for e in await outboxed(mongo_db) if isinstance(e, OutreachDecided)]
    creator = snapshot(profile_id, consent=True, segment=ParticipationSegment.FREQUENT_CREATOR)
    handle = dispatch(event_handlers(services, settings()))
    await handle(profile_changed(creator, "segment_changed"))
    decided = [e for e in await outboxed(mongo_db) if isinstance(e, OutreachDecided)]
    assert [d.payload.relevant_to for d in decided] == [["segment:frequent_creator"]]
