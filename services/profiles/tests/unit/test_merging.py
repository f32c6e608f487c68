"""Merge and unmerge as pure functions: parts move whole, the strictest consent wins."""

from datetime import timedelta
from uuid import UUID

from profiles.domain.lookalikes import lookalikes, normal
from profiles.domain.merging import merge, most_restrictive, unmerge
from profiles.domain.model import Profile
from profiles.domain.recording import record_mention, record_purchase, set_consent
from profiles.domain.rules import Rules
from rapport.events import Consent, Purchase
from rapport.events.factories import BASE_TIME, a_mention

RULES = Rules()
A, B = UUID(int=1), UUID(int=2)


def posted(profile_id: UUID, author: str, *numbers: int) -> Profile:
    profile = None
    for n in numbers:
        mention = a_mention(n, author=author)
        profile = record_mention(profile, mention, new_id=profile_id, now=BASE_TIME, rules=RULES)
    assert profile is not None
    return profile


def bought(profile: Profile, amount: float) -> Profile:
    purchase = Purchase(
        purchase_id="p",
        profile_id=profile.id,
        amount=amount,
        currency="EUR",
        purchased_at=BASE_TIME,
    )
    return record_purchase(profile, purchase, RULES)


def test_the_strictest_consent_wins() -> None:
    yes = Consent(marketing=True, changed_at=BASE_TIME, source="crm")
    no = Consent(marketing=False, changed_at=BASE_TIME + timedelta(days=1), source="app")
    assert most_restrictive([yes, no]) == no
    assert most_restrictive([yes, yes]) == yes


def test_a_merge_moves_identities_and_commerce_and_leaves_a_tombstone() -> None:
    survivor = set_consent(posted(A, "ann", 1), True, "crm", BASE_TIME)
    absorbed = bought(posted(B, "bob", 2, 3), 40)
    merged, (tombstone,) = merge(survivor, [absorbed])
    assert {i.key for i in merged.identities} == {"x:ann", "x:bob"}
    assert sum(a.mentions for a in merged.activities()) == 3
    assert sum(c.value for c in merged.commerce) == 40
    assert merged.absorbed == [B]
    assert merged.consent.marketing is False
    assert (tombstone.id, tombstone.merged_into, tombstone.identities) == (B, A, [])


def test_an_unmerge_gives_back_exactly_what_was_brought_with_what_it_gained() -> None:
    survivor, absorbed = posted(A, "ann", 1), bought(posted(B, "bob", 2), 40)
    merged, _ = merge(survivor, [absorbed])
    later = record_mention(merged, a_mention(9, author="bob"), new_id=A, now=BASE_TIME, rules=RULES)
    kept, restored = unmerge(later, absorbed)
    assert [i.key for i in kept.identities] == ["x:ann"]
    assert kept.commerce == []
    assert kept.absorbed == []
    assert [i.key for i in restored.identities] == ["x:bob"]
    assert restored.activities()[0].mentions == 2
    assert restored.merged_into is None
    assert sum(c.value for c in restored.commerce) == 40


def test_look_alikes_compare_normal_names_and_skip_rejected_ones() -> None:
    assert normal("Coffee_Jo88") == "coffeejo"
    jo = posted(A, "jo", 1)
    jo.identities[0].handle = "coffee_jo"
    other = posted(B, "jo2", 2)
    other.identities[0].handle = "CoffeeJo88"
    (found,) = lookalikes(jo, [other], 0.8)
    assert found[0].id == B
    assert found[1].similarity == 1.0
    jo.rejected_suggestions.append(B)
    assert lookalikes(jo, [other], 0.8) == []
