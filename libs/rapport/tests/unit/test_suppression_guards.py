# mypy: disable-error-code="arg-type"
# (in-memory stand-ins for the suppression list and its database)
"""Consumers' guards: an event about an erased subject from before the erasure never reaches
its handler; everything else does, in order."""

from datetime import datetime, timedelta
from typing import Any

from rapport.events import MentionEnriched, MentionIngested, PrivacyRequested
from rapport.events.examples import FRIEND_ID, PROFILE_ID, examples
from rapport.events.factories import BASE_TIME, enriched, ingested
from rapport.suppression import Identity, guarded, guarded_batches

ERASED_AT = BASE_TIME + timedelta(days=1)
BY_PROFILE_ID = {"ProfileChanged", "CaseChanged", "PurchaseMade", "ReferralConverted"}


class Erased:
    """A suppression list holding ``erased``, each erased at ERASED_AT."""

    def __init__(self, *erased: Identity) -> None:
        self.erased = set(erased)

    async def erased_before(self, posts: list[tuple[Identity, datetime]]) -> list[bool]:
        return [who in self.erased and at <= ERASED_AT for who, at in posts]


class Seen:
    def __init__(self) -> None:
        self.events: list[Any] = []

    async def one(self, event: Any) -> None:
        self.events.append(event)

    async def many(self, events: list[Any]) -> None:
        self.events.extend(events)


async def test_an_erased_authors_old_mentions_are_skipped_one_by_one_and_in_batches() -> None:
    seen, gone = Seen(), Erased(Identity("x", "gone"))
    after = ERASED_AT + timedelta(seconds=1)
    mentions = [ingested(1, author="gone"), ingested(2, author="stays")]
    mentions.append(ingested(3, author="gone", created_at=after))
    enriched_ones = [enriched(4, author="gone"), enriched(5, author="gone", created_at=after)]

    one = guarded({MentionIngested: seen.one, MentionEnriched: seen.one}, gone)
    for event in [*mentions, *enriched_ones]:
        await one[type(event)](event)
    many = guarded_batches({MentionIngested: seen.many, MentionEnriched: seen.many}, gone)
    await many[MentionIngested](mentions)
    await many[MentionEnriched](enriched_ones)

    kept = [*mentions[1:], enriched_ones[1]]
    assert seen.events == kept * 2


async def test_events_about_an_erased_profile_id_from_before_are_skipped() -> None:
    by_type = {type(e): e for e in examples() if type(e).__name__ in BY_PROFILE_ID}
    gone = Erased(Identity("profile", str(PROFILE_ID)), Identity("profile", str(FRIEND_ID)))
    seen = Seen()

    handlers = guarded(dict.fromkeys(by_type, seen.one), gone)
    for kind, example in by_type.items():
        await handlers[kind](example.model_copy(update={"occurred_at": BASE_TIME}))
        await handlers[kind](example.model_copy(update={"occurred_at": ERASED_AT + timedelta(1)}))

    assert len(by_type) == len(BY_PROFILE_ID)
    assert [(type(e), e.occurred_at > ERASED_AT) for e in seen.events] == [
        (kind, True) for kind in by_type
    ]


async def test_events_without_a_subject_pass_untouched() -> None:
    seen = Seen()

    assert guarded({PrivacyRequested: seen.one}, Erased())[PrivacyRequested] == seen.one
