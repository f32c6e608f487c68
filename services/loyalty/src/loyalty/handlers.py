"""What loyalty does with each event it consumes."""

from loyalty.domain.rules import earning_for, entry_id
from loyalty.repository import Ledger
from rapport.events import AwardedPoints, MentionEnriched, PointsAwarded
from rapport.kafka.producer import Publish

LOYALTY_TOPIC = "loyalty.events"


async def on_mention_enriched(
    event: MentionEnriched, *, ledger: Ledger, publish: Publish, points_per_positive_mention: int
) -> None:
    """Reward a positive mention once, however often it is delivered."""
    earning = earning_for(
        event.payload.mention, points_per_positive_mention=points_per_positive_mention
    )
    if earning is None:
        return
    cause = event.payload.mention_event_id
    profile_id = event.payload.profile.profile_id
    award = await ledger.award(
        AwardedPoints(
            profile_id=profile_id,
            entry_id=entry_id(earning.rule, str(cause)),
            rule=earning.rule,
            points=earning.points,
            cause_event_id=cause,
            balance=0,
        )
    )
    await publish([(LOYALTY_TOPIC, str(profile_id), PointsAwarded.of(award))])
