"""The topic catalogue: every topic, its key, size, retention, events, producers and consumers.

``proto/topics.yaml`` is generated from this module; the local runtime and the Kubernetes
job create topics from it. Every consumer group gets a dead-letter topic ``<topic>.dlq.<group>``.
"""

from dataclasses import dataclass

from rapport.events import (
    AlertChanged,
    CaseChanged,
    CaseOpened,
    Event,
    MentionEnriched,
    MentionIngested,
    OutreachDecided,
    PointsAwarded,
    PointsExpired,
    PointsHeld,
    PrivacyCompleted,
    PrivacyRequested,
    ProfileChanged,
    PurchaseMade,
    ReferralConverted,
    RewardRedeemed,
    TierChanged,
    TokenRevoked,
)

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class Topic:
    name: str
    description: str
    key: str
    partitions: int
    retention_ms: int
    events: tuple[type[Event], ...]
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    cleanup_policy: str = "delete"
    """``compact,delete`` keeps the latest record of each key until the retention ends."""

    def dead_letter_topic(self, group: str) -> str:
        return dead_letter_topic(self.name, group)


def dead_letter_topic(topic: str, group: str) -> str:
    return f"{topic}.dlq.{group}"


DEAD_LETTER_RETENTION_MS = 30 * DAY_MS


MENTIONS = Topic(
    name="social.mentions",
    description="Every mention ingest accepted, normalised, with language and sentiment.",
    key="author (<platform>:<author id>)",
    partitions=6,
    retention_ms=7 * DAY_MS,
    events=(MentionIngested,),
    producers=("ingest",),
    consumers=("profiles",),
)


ENRICHED_MENTIONS = Topic(
    name="social.mentions.enriched",
    description="Each mention with a snapshot of its author's profile.",
    key="author (<platform>:<author id>)",
    partitions=6,
    retention_ms=7 * DAY_MS,
    events=(MentionEnriched,),
    producers=("profiles",),
    consumers=("responder", "loyalty"),
)


PROFILES = Topic(
    name="crm.profiles",
    description="Profile creations, stage, segment and consent changes, merges, unmerges.",
    key="profile id",
    partitions=6,
    retention_ms=30 * DAY_MS,
    events=(ProfileChanged,),
    producers=("profiles",),
    consumers=("responder", "loyalty"),
)


CASES = Topic(
    name="care.cases",
    description="Every change of a case; case.opened (v1) is no longer produced.",
    key="profile id",
    partitions=6,
    retention_ms=30 * DAY_MS,
    events=(CaseChanged, CaseOpened),
    producers=("responder",),
    consumers=("profiles", "loyalty"),
)


ALERTS = Topic(
    name="care.alerts",
    description="Crisis alerts: negative spikes and negative posts going viral.",
    key="alert subject",
    partitions=1,
    retention_ms=30 * DAY_MS,
    events=(AlertChanged,),
    producers=("responder",),
    consumers=(),
)


LOYALTY = Topic(
    name="loyalty.events",
    description="Points awarded, held, expired; redemptions, tier changes, outreach.",
    key="profile id",
    partitions=6,
    retention_ms=30 * DAY_MS,
    events=(
        PointsAwarded,
        PointsHeld,
        RewardRedeemed,
        PointsExpired,
        TierChanged,
        OutreachDecided,
    ),
    producers=("loyalty",),
    consumers=(),
)


COMMERCE = Topic(
    name="commerce.events",
    description="Purchases and converted referrals from the brand's shop.",
    key="profile id",
    partitions=6,
    retention_ms=30 * DAY_MS,
    events=(PurchaseMade, ReferralConverted),
    producers=("commerce", "loyalty"),
    consumers=("profiles", "loyalty"),
)


PRIVACY = Topic(
    name="privacy.requests",
    description="GDPR export and erasure requests, and each service's answer.",
    key="profile id",
    partitions=6,
    retention_ms=7 * DAY_MS,
    events=(PrivacyRequested, PrivacyCompleted),
    producers=("profiles", "ingest", "responder", "loyalty"),
    consumers=("profiles", "ingest", "responder", "loyalty"),
)


REVOCATIONS = Topic(
    name="auth.revocations",
    description="Revoked tokens (jti and expiry). Every service reads it whole at start "
    "and tails it, without a consumer group: a revoked token is refused everywhere.",
    key="token id (jti)",
    partitions=1,
    retention_ms=31 * DAY_MS,
    events=(TokenRevoked,),
    producers=("rapport-cli",),
    consumers=(),
    cleanup_policy="compact,delete",
)

CATALOGUE: dict[str, Topic] = {
    topic.name: topic
    for topic in (
        MENTIONS,
        ENRICHED_MENTIONS,
        PROFILES,
        CASES,
        ALERTS,
        LOYALTY,
        COMMERCE,
        PRIVACY,
        REVOCATIONS,
    )
}


def all_topic_specs() -> list[tuple[str, int, int, str]]:
    """(name, partitions, retention, cleanup policy) of every topic and dead-letter topic."""
    specs = []
    for topic in CATALOGUE.values():
        specs.append((topic.name, topic.partitions, topic.retention_ms, topic.cleanup_policy))
        for group in topic.consumers:
            specs.append((topic.dead_letter_topic(group), 1, DEAD_LETTER_RETENTION_MS, "delete"))
    return specs


class RefusedPublication(ValueError):
    """An event on a catalogue topic that does not carry it, or from a producer the catalogue
    does not list for that topic: a programming error, refused before anything is stored."""


def check_publication(topic: str, event_type: str, *, producer: str | None = None) -> None:
    """Raise RefusedPublication unless the catalogue's ``topic`` carries events of
    ``event_type`` and lists ``producer`` (when given) among its producers. A topic outside
    the catalogue (a test's own) is not the catalogue's to check."""
    entry = CATALOGUE.get(topic)
    if entry is None:
        return
    carried = [event.type_name() for event in entry.events]
    if event_type not in carried:
        raise RefusedPublication(
            f"{topic} does not carry {event_type} events (it carries {', '.join(carried)})"
        )
    if producer is not None and producer not in entry.producers:
        raise RefusedPublication(
            f"{producer} is not a producer of {topic} (its producers: {', '.join(entry.producers)})"
        )
