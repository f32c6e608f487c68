import pytest
from pydantic import ValidationError

from rapport.events import Intent, Platform, RelationshipStage, SentimentLabel
from responder.domain.routing import HIGH_REACH, Facts, Rule, route

COMPLAINT = Facts(
    intents=frozenset({Intent.COMPLAINT}),
    sentiment=SentimentLabel.NEGATIVE,
    language="en",
    platform=Platform.X,
    stage=RelationshipStage.CASUAL_COMMENTER,
    text="The boiler of my Duo is leaking",
    followers=120,
    community=False,
)


def facts(**changes: object) -> Facts:
    return Facts(**{**COMPLAINT.__dict__, **changes})


def rule(order: int, queue: str, **conditions: object) -> Rule:
    return Rule.model_validate({"order": order, "conditions": conditions, "queue": queue})


@pytest.mark.parametrize(
    ("changes", "queue"),
    [
        ({}, "support"),
        ({"intents": frozenset({Intent.PURCHASE_INTENT}), "sentiment": "neutral"}, "sales"),
        ({"followers": HIGH_REACH - 1}, "support"),
        ({"followers": HIGH_REACH}, "pr"),
        ({"language": "ko"}, "support-ko"),
        ({"community": True, "intents": frozenset({Intent.PRAISE})}, "community"),
    ],
)
def test_default_routes(changes: dict[str, object], queue: str) -> None:
    assert route([], facts(**changes)).queue == queue


def test_stored_rules_come_first_in_their_order() -> None:
    rules = [
        rule(1, "boilers", keywords=["BOILER"]),
        rule(2, "never", intents=["complaint"]),
    ]
    assert route(rules, facts()).queue == "boilers"
    assert route(rules, facts(text="the lid")).queue == "never"


@pytest.mark.parametrize(
    ("conditions", "matching", "other"),
    [
        ({"platforms": ["facebook"]}, {"platform": Platform.FACEBOOK}, {}),
        ({"stages": ["at_risk"]}, {"stage": RelationshipStage.AT_RISK}, {}),
        ({"sentiments": ["positive"]}, {"sentiment": SentimentLabel.POSITIVE}, {}),
        ({"languages": ["de"]}, {"language": "de"}, {"language": None}),
        ({"min_followers": 500}, {"followers": 500}, {"followers": 499}),
    ],
)
def test_each_condition(
    conditions: dict[str, object], matching: dict[str, object], other: dict[str, object]
) -> None:
    rules = [rule(0, "special", **conditions)]
    assert route(rules, facts(**matching)).queue == "special"
    assert route(rules, facts(**other)).queue == "support"


@pytest.mark.parametrize(
    "bad",
    [
        {"order": 1, "conditions": {}, "queue": "q"},
        {"order": 1, "conditions": {"intents": ["rage"]}, "queue": "q"},
        {"order": 1, "conditions": {"keywords": ["x"]}, "queue": "q"},
        {"order": 1, "conditions": {"min_followers": -1}, "queue": "q"},
        {"order": 1, "conditions": {"intents": ["complaint"]}, "queue": "Bad Queue"},
        {"order": 1, "conditions": {"intents": ["complaint"]}, "queue": {"$gt": ""}},
        {"order": 1, "conditions": {"intents": ["complaint"], "colour": "red"}, "queue": "q"},
    ],
)
def test_invalid_rules_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Rule.model_validate(bad)
