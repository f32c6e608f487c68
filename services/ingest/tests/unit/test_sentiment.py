import pytest

from ingest.analysis.korean_sentiment import lexicon
from ingest.analysis.sentiment import plain, score
from rapport.events import SentimentLabel

NEGATIVE, NEUTRAL, POSITIVE = SentimentLabel


ENGLISH = [
    ("My machine is broken again, worst purchase ever", NEGATIVE),
    ("Love the new grinder, thanks!", POSITIVE),
    ("What time do you open on Sunday?", NEUTRAL),
    ("The coffee is not good at all", NEGATIVE),
    ("@brand #fail again", NEGATIVE),
    ("Great service 😍", POSITIVE),
]


@pytest.mark.parametrize(("text", "label"), ENGLISH)
def test_english_by_the_encoder(text: str, label: SentimentLabel) -> None:
    sentiment = score(text, "en")
    assert sentiment.label is label
    assert (sentiment.score > 0) if label is POSITIVE else True
    assert (sentiment.score < 0) if label is NEGATIVE else True


@pytest.mark.parametrize(
    ("text", "label"), [*ENGLISH, ("Honestly not bad, I'm impressed", POSITIVE)]
)
def test_english_by_the_lexicon(text: str, label: SentimentLabel) -> None:
    assert score(text, "en", engine="lexicon").label is label


def test_the_encoder_reads_languages_the_lexicon_does_not() -> None:
    assert score("Me encanta la nueva cafetera, gracias", "es").label is POSITIVE
    assert score("Me encanta la nueva cafetera, gracias", "es", engine="lexicon").label is NEUTRAL


def test_the_encoder_reads_the_opening_of_a_long_text_only() -> None:
    opening = "My machine is broken again, worst purchase ever. "
    assert score(opening * 20 + "a" * 5000, "en") == score(opening * 20, "en")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("커피 머신이 또 고장났어요. 정말 최악입니다", NEGATIVE),
        ("라떼 정말 맛있어요, 최고!", POSITIVE),
        ("매장 영업시간이 어떻게 되나요?", NEUTRAL),
        ("안 좋아요", NEGATIVE),
        ("안좋아요", NEGATIVE),
        ("나쁘지 않네요", POSITIVE),
        ("불량 없이 잘 받았어요", POSITIVE),
        ("돈이 하나도 안 아까워요", POSITIVE),
        ("배송이 일주일째 안 와요", NEGATIVE),
        ("예전 같지 않아요", NEGATIVE),
        ("앱이 자꾸 튕겨요 😡", NEGATIVE),
        ("선물 받고 너무 좋아했어요 🥰", POSITIVE),
    ],
)
def test_korean(text: str, label: SentimentLabel) -> None:
    assert score(text, "ko").label is label


def test_intensifier_strengthens() -> None:
    assert score("너무 좋아요", "ko").score > score("좋아요", "ko").score > 0


@pytest.mark.parametrize("language", ["en", "ko", "es", "und"])
@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "?!?!",
        pytest.param("😀" * 500, marks=pytest.mark.slow),
        "ㅋㅋㅋㅋ",
        "\x00\n\t",
        "a" * 10_000,
        pytest.param("좋아" * 2_000, marks=pytest.mark.slow),
    ],
)
def test_odd_input_gives_a_bounded_score(text: str, language: str) -> None:
    sentiment = score(text, language)
    assert -1.0 <= sentiment.score <= 1.0
    assert sentiment.label in SentimentLabel


def test_empty_text_is_neutral() -> None:
    assert score("", "ko").label is NEUTRAL
    assert score("", "en", engine="lexicon").label is NEUTRAL


def test_shipped_korean_lexicon_loads_from_the_package() -> None:
    weights = lexicon().weights
    assert len(weights) > 100
    assert weights["최고"] > 0 > weights["최악"]
    assert all(-3 <= weight <= 3 for weight in weights.values())


def test_handles_links_and_hash_signs_are_not_read() -> None:
    assert plain("@brightloop  #fail again https://t.co/x1 @sam") == "fail again"
    assert score("@brightloop #fail again https://t.co/x1", "en") == score("fail again", "en")
