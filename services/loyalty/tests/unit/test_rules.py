import pytest
from pydantic import ValidationError

from loyalty.domain.rules import DEFAULT_RULES, RuleKind, RuleTerms, entry_id


def test_every_rule_has_default_terms() -> None:
    assert set(DEFAULT_RULES) == set(RuleKind)


def test_referrals_beyond_ten_a_week_are_held_by_default() -> None:
    terms = DEFAULT_RULES[RuleKind.REFERRAL]
    assert (terms.velocity_limit, terms.velocity_window_days) == (10, 7)


@pytest.mark.parametrize(
    "terms",
    [
        {"points": 0},
        {"points": -5},
        {"points": 10, "daily_cap": 0},
        {"points": 10, "daily_cap": 5, "weekly_cap": 3},
        {"points": 10, "velocity_window_days": 0},
        {"points": 10, "bonus": 3},
        {"points": "lots"},
        {},
    ],
)
def test_malformed_terms_are_refused(terms: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RuleTerms.model_validate(terms)


def test_an_entry_is_keyed_by_rule_and_cause() -> None:
    assert entry_id("positive_mention", "abc") == "positive_mention:abc"
    assert entry_id("share", "abc") != entry_id("positive_mention", "abc")
