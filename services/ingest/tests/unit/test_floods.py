"""Copy-paste flood fingerprints: what counts as the same text."""

from datetime import UTC, datetime

import pytest

from ingest.domain.floods import fingerprint, flagged, normalise
from rapport.events import Intent, Mention

SPAM = "WIN a FREE Brightloop espresso machine!!! Click https://t.co/abc123 now @friend"


def test_normalise_strips_case_urls_handles_digits_and_punctuation() -> None:
    assert normalise(SPAM) == "win a free brightloop espresso machine click now"
    assert normalise("  Café 2000 — déjà_vu?! ") == "café déjà vu"
    assert normalise("커피 머신 50% 할인!! http://spam.kr @광고") == "커피 머신 할인"


@pytest.mark.parametrize(
    "copy",
    [
        "win a free brightloop espresso machine click now",
        "Win a free Brightloop espresso machine. Click http://bit.ly/zz now @other @more",
        "WIN A FREE BRIGHTLOOP ESPRESSO MACHINE 2 !!! CLICK NOW",
        "win   a\tfree brightloop\nespresso machine, click: now",
    ],
)
def test_copies_share_a_fingerprint(copy: str) -> None:
    assert fingerprint(copy, min_words=5) == fingerprint(SPAM, min_words=5)


@pytest.mark.parametrize(
    "other",
    [
        "win a free brightloop espresso machine click later",
        "win a free brightloop machine click now",
        "my brightloop espresso machine broke, click noises now",
    ],
)
def test_different_texts_do_not(other: str) -> None:
    assert fingerprint(other, min_words=5) != fingerprint(SPAM, min_words=5)


def test_short_texts_have_no_fingerprint() -> None:
    assert fingerprint("Thank you so much @brightloop!! 🙏", min_words=5) is None
    assert fingerprint("Thank you so much, really", min_words=5) is not None


def test_flagging_adds_spam_in_place_of_other() -> None:
    base = {
        "platform": "x",
        "external_id": "1",
        "author": {"id": "a"},
        "text": SPAM,
        "created_at": datetime(2026, 11, 20, tzinfo=UTC),
        "sentiment": {"score": 0.0, "label": "neutral"},
    }
    other = Mention.model_validate({**base, "intents": ["other"]})
    assert flagged(other).intents == [Intent.SPAM]
    complaint = Mention.model_validate({**base, "intents": ["complaint", "spam"]})
    assert flagged(complaint).intents == [Intent.COMPLAINT, Intent.SPAM]
