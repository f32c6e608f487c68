import pytest

from rapport.events import Priority
from rapport.events.factories import a_mention
from responder.domain.triage import HIGH_REACH_FOLLOWERS, VERY_NEGATIVE, needs_case, priority


@pytest.mark.parametrize(
    ("score", "expected"), [(-0.2, True), (-0.19, False), (0.0, False), (0.5, False)]
)
def test_only_negative_mentions_need_a_case(score: float, expected: bool) -> None:
    assert needs_case(a_mention(score=score)) is expected


def test_brand_posts_never_need_a_case() -> None:
    assert not needs_case(a_mention(score=-1.0, from_brand=True))


def test_spam_never_needs_a_case() -> None:
    assert not needs_case(a_mention(score=-1.0, intents=["spam", "complaint"]))


@pytest.mark.parametrize(
    ("score", "followers", "expected"),
    [
        (-0.5, 0, Priority.NORMAL),
        (VERY_NEGATIVE, 0, Priority.HIGH),
        (-0.5, HIGH_REACH_FOLLOWERS - 1, Priority.NORMAL),
        (-0.5, HIGH_REACH_FOLLOWERS, Priority.HIGH),
        (VERY_NEGATIVE, HIGH_REACH_FOLLOWERS, Priority.URGENT),
    ],
)
def test_priority_grows_with_negativity_and_reach(
    score: float, followers: int, expected: Priority
) -> None:
    assert priority(a_mention(score=score, followers=followers)) is expected
