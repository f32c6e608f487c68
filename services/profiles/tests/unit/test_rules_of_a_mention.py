"""What one mention counts as: specific positive, negative, advocacy, amplification."""

import pytest

from profiles.domain.activity import advocacy_acts, amplification, is_specific_positive, record
from profiles.domain.model import Activity
from profiles.domain.rules import Rules
from rapport.events import Intent
from rapport.events.factories import a_mention

RULES = Rules()


class TestSpecificPositive:
    def test_positive_with_enough_words(self) -> None:
        assert is_specific_positive(a_mention(score=0.3, text="love the new grinder"), RULES)

    def test_a_bare_reaction_is_not_specific(self) -> None:
        assert not is_specific_positive(a_mention(score=0.9, text="love it!"), RULES)

    def test_just_below_positive_is_not(self) -> None:
        assert not is_specific_positive(
            a_mention(score=0.29, text="the new grinder is fine"), RULES
        )


class TestAdvocacy:
    @pytest.mark.parametrize(
        "text",
        [
            "I recommend the Brightloop to everyone",
            "You should get one, honestly",
            "추천합니다 정말",
        ],
    )
    def test_a_positive_recommendation_is_an_act(self, text: str) -> None:
        assert advocacy_acts(a_mention(score=0.6, text=text), RULES) == 1

    def test_a_recommendation_needs_positive_sentiment(self) -> None:
        assert advocacy_acts(a_mention(score=0.29, text="I recommend it"), RULES) == 0

    def test_a_helpful_reply_is_an_act(self) -> None:
        reply = a_mention(score=0.1, text="descale it monthly, fixed mine", in_reply_to="99")
        assert advocacy_acts(reply, RULES) == 1

    def test_a_reply_that_complains_or_asks_is_not(self) -> None:
        for intent in (Intent.COMPLAINT, Intent.QUESTION):
            reply = a_mention(score=0.1, text="same here", in_reply_to="99", intents=[intent])
            assert advocacy_acts(reply, RULES) == 0

    def test_a_negative_reply_is_not(self) -> None:
        reply = a_mention(score=-0.3, text="mine broke too", in_reply_to="99")
        assert advocacy_acts(reply, RULES) == 0

    def test_a_recommending_reply_counts_twice(self) -> None:
        reply = a_mention(score=0.8, text="I recommend descaling", in_reply_to="99")
        assert advocacy_acts(reply, RULES) == 2


def test_amplification_weighs_shares_over_likes() -> None:
    mention = a_mention(engagement={"likes": 10, "shares": 2, "replies": 2, "quotes": 1})
    assert amplification(mention) == pytest.approx(2 + 1 + 1 + 1)


def test_recording_counts_and_keeps_the_latest_audience() -> None:
    first = record(Activity(), a_mention(2, followers=10), RULES)
    both = record(first, a_mention(1, followers=99), RULES)
    assert both.mentions == 2
    assert both.followers == 10
    assert both.first_seen == a_mention(1).created_at
    assert both.recent == [a_mention(2).created_at, a_mention(1).created_at]
    assert first.mentions == 1
    assert both.last_seen == a_mention(2).created_at
