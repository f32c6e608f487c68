import pytest

from rapport.events import RelationshipStage
from rapport.events.factories import a_mention
from responder.domain.triage import Need, need

CASUAL, FAN = RelationshipStage.CASUAL_COMMENTER, RelationshipStage.FAN


@pytest.mark.parametrize("intent", ["complaint", "question", "purchase_intent", "churn_risk"])
def test_what_waits_for_an_answer_needs_one_whatever_the_tone(intent: str) -> None:
    assert need(a_mention(score=0.5, intents=[intent]), CASUAL) is Need.ANSWER


@pytest.mark.parametrize(("score", "expected"), [(-0.2, Need.ANSWER), (-0.19, None), (0.0, None)])
def test_a_negative_mention_needs_an_answer_from_the_negative_label(
    score: float, expected: Need | None
) -> None:
    assert need(a_mention(score=score, intents=["other"]), CASUAL) is expected


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        (RelationshipStage.FAN, Need.COMMUNITY),
        (RelationshipStage.EVANGELIST, Need.COMMUNITY),
        (RelationshipStage.CASUAL_COMMENTER, None),
        (RelationshipStage.AT_RISK, None),
    ],
)
def test_praise_goes_to_the_community_only_from_fans(
    stage: RelationshipStage, expected: Need | None
) -> None:
    assert need(a_mention(score=0.8, intents=["praise"]), stage) is expected


def test_brand_posts_spam_and_bots_never_open_a_case() -> None:
    assert need(a_mention(score=-1.0, intents=["complaint"], from_brand=True), CASUAL) is None
    assert need(a_mention(score=-1.0, intents=["spam", "complaint"]), FAN) is None
