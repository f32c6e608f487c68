"""What responder does with each event it consumes."""

from rapport.events import CaseOpened, MentionEnriched, OpenedCase, deterministic_id, utcnow
from rapport.kafka.producer import Publish
from responder.domain.triage import needs_case, priority
from responder.repository import CaseRepository

CASES_TOPIC = "care.cases"


async def on_mention_enriched(
    event: MentionEnriched, *, cases: CaseRepository, publish: Publish
) -> None:
    """Thread a mention that needs a human into its author's open case, or open one."""
    mention = event.payload.mention
    if not needs_case(mention):
        return
    mention_id = event.payload.mention_event_id
    profile_id = event.payload.profile.profile_id
    existing = await cases.open_case_of(profile_id)
    if existing is not None:
        if existing["opened_by_mention"] != mention_id:
            await cases.add_mention(existing["_id"], mention_id)
            return
        opened = OpenedCase(
            case_id=existing["_id"],
            profile_id=profile_id,
            opened_by_mention=mention_id,
            queue=existing["queue"],
            priority=existing["priority"],
            opened_at=existing["opened_at"],
        )
    else:
        opened = OpenedCase(
            case_id=deterministic_id("case", str(mention_id)),
            profile_id=profile_id,
            opened_by_mention=mention_id,
            queue="support",
            priority=priority(mention),
            opened_at=utcnow(),
        )
        await cases.open(opened)
    # Published again on redelivery (same event id) in case the first attempt stopped here.
    await publish([(CASES_TOPIC, str(profile_id), CaseOpened.of(opened))])
