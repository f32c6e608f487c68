from typing import Any

import pytest

from loyalty.domain.acts import is_question, may_help, mention_acts
from loyalty.domain.rules import RuleKind
from rapport.events import RelationshipStage
from rapport.events.factories import a_mention

POSITIVE, NEUTRAL, NEGATIVE = 0.8, 0.0, -0.8


def acts(score: float, **fields: Any) -> list[RuleKind]:
    return mention_acts(a_mention(score=score, **fields), min_shares=5)


def test_a_positive_post_earns_the_positive_mention_rule() -> None:
    assert acts(POSITIVE) == [RuleKind.POSITIVE_MENTION]


@pytest.mark.parametrize("score", [NEUTRAL, NEGATIVE])
def test_neutral_and_negative_posts_earn_nothing(score: float) -> None:
    assert acts(score) == []


def test_a_positive_post_with_a_link_is_also_user_generated_content() -> None:
    found = acts(POSITIVE, url="https://example.com/my-latte.jpg")
    assert found == [RuleKind.POSITIVE_MENTION, RuleKind.UGC]


def test_a_link_in_a_neutral_post_is_not_ugc() -> None:
    assert acts(NEUTRAL, url="https://example.com/x") == []


def test_a_quote_post_is_a_share_even_when_neutral() -> None:
    assert acts(NEUTRAL, quote_of="brand-post-1") == [RuleKind.SHARE]


def test_a_negative_quote_post_is_not_a_share() -> None:
    assert acts(NEGATIVE, quote_of="brand-post-1") == []


@pytest.mark.parametrize(("shares", "shared"), [(4, False), (5, True)])
def test_a_positive_post_shared_enough_times_is_a_share(shares: int, shared: bool) -> None:
    found = acts(POSITIVE, engagement={"shares": shares})
    assert (RuleKind.SHARE in found) is shared


@pytest.mark.parametrize("fields", [{"intents": ["spam", "praise"]}, {"from_brand": True}])
def test_spam_and_brand_posts_earn_nothing(fields: dict[str, object]) -> None:
    assert acts(POSITIVE, url="https://example.com/x", quote_of="p", **fields) == []


def test_a_question_is_remembered_unless_the_brand_asks() -> None:
    assert is_question(a_mention(score=NEUTRAL, intents=["question"]))
    assert not is_question(a_mention(score=NEUTRAL, intents=["question"], from_brand=True))
    assert not is_question(a_mention(score=NEUTRAL, intents=["praise"]))


def test_only_an_evangelists_non_negative_reply_may_be_help() -> None:
    reply = a_mention(score=NEUTRAL, in_reply_to="q-1")
    assert may_help(reply, RelationshipStage.EVANGELIST)
    assert not may_help(reply, RelationshipStage.FAN)
    assert not may_help(a_mention(score=NEUTRAL), RelationshipStage.EVANGELIST)
    rude = a_mention(score=NEGATIVE, in_reply_to="q-1")
    assert not may_help(rude, RelationshipStage.EVANGELIST)
