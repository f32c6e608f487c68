import pytest

from rapport.events import Intent, Priority, RelationshipStage
from responder.domain.priority import Signals, Weights, band, score

CASUAL = Signals(
    sentiment=-0.3,
    intents=frozenset({Intent.COMPLAINT}),
    followers=50,
    influence=0,
    shares=0,
    customer_value=0,
    stage=RelationshipStage.CASUAL_COMMENTER,
    contacts=1,
)


def with_(**changes: object) -> Signals:
    return Signals(**{**CASUAL.__dict__, **changes})


def test_the_score_is_the_documented_weighted_sum() -> None:
    # negativity .3·25 + complaint .8·20 + log10(51)/6·15 + casual .1·10
    assert score(CASUAL, Weights()) == pytest.approx(7.5 + 16 + 4.27 + 1, abs=0.01)


def test_an_at_risk_valued_customer_outranks_a_casual_commenter() -> None:
    valued = with_(stage=RelationshipStage.AT_RISK, customer_value=2_000)
    assert score(valued, Weights()) > score(CASUAL, Weights()) + 15
    assert band(score(valued, Weights())) is Priority.HIGH
    assert band(score(CASUAL, Weights())) is Priority.NORMAL


@pytest.mark.parametrize(
    "change",
    [
        {"sentiment": -0.9},
        {"intents": frozenset({Intent.CHURN_RISK})},
        {"followers": 100_000},
        {"shares": 500},
        {"customer_value": 500},
        {"contacts": 3},
    ],
)
def test_each_signal_raises_the_score(change: dict[str, object]) -> None:
    assert score(with_(**change), Weights()) > score(CASUAL, Weights())


def test_signals_are_capped_and_weights_configurable() -> None:
    loudest = with_(
        sentiment=-1.0,
        intents=frozenset({Intent.CHURN_RISK}),
        followers=10**9,
        shares=10**9,
        customer_value=10**9,
        stage=RelationshipStage.AT_RISK,
        contacts=99,
    )
    assert score(loudest, Weights()) == 100
    only_reach = Weights(negativity=0, intent=0, reach=100, virality=0, value=0, stage=0, repeat=0)
    assert score(with_(followers=999_999), only_reach) == pytest.approx(100, abs=0.01)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, Priority.LOW),
        (19.99, Priority.LOW),
        (20, Priority.NORMAL),
        (44.99, Priority.NORMAL),
        (45, Priority.HIGH),
        (69.99, Priority.HIGH),
        (70, Priority.URGENT),
    ],
)
def test_bands_at_their_boundaries(value: float, expected: Priority) -> None:
    assert band(value) is expected
