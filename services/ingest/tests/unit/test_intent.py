import pytest

from evaluation.intent import load, measure
from ingest.analysis.intent import classify
from ingest.analysis.spam import looks_like_spam
from rapport.events import Intent, Sentiment, SentimentLabel

NEUTRAL = Sentiment(score=0.0, label=SentimentLabel.NEUTRAL)
NEGATIVE = Sentiment(score=-0.8, label=SentimentLabel.NEGATIVE)
POSITIVE = Sentiment(score=0.8, label=SentimentLabel.POSITIVE)
C, Q, P, R = Intent.COMPLAINT, Intent.QUESTION, Intent.PURCHASE_INTENT, Intent.PRAISE
F, X, S, OTHER = Intent.FEATURE_REQUEST, Intent.CHURN_RISK, Intent.SPAM, Intent.OTHER


@pytest.mark.parametrize(
    ("text", "language", "sentiment", "expected"),
    [
        # complaints need no strong words: a first-hand problem report is enough
        ("@Brightloop my order never arrived", "en", NEUTRAL, [C]),
        ("charged twice for the same order", "en", NEUTRAL, [C]),
        ("the app still won't open after the update", "en", NEUTRAL, [C]),
        ("주문한 지 2주가 지났는데 아직도 배송이 안 와요", "ko", NEUTRAL, [C]),
        ("같은 주문이 두 번 결제됐어요", "ko", NEUTRAL, [C]),
        # ... or negative sentiment that is not a question, a compliment or a goodbye
        ("This is the last straw", "en", NEGATIVE, [C]),
        # a problem put right, with thanks, is praise; praise words beside a problem are not
        ("My machine stopped heating but you replaced it in a day, amazing!", "en", POSITIVE, [R]),
        ("고장났었는데 하루 만에 교환해 주셨어요. 최고예요", "ko", POSITIVE, [R]),
        ("Great, another update and the app crashes. Thanks a lot", "en", POSITIVE, [C]),
        ("Not bad at all, the new beans are really good", "en", NEGATIVE, [R]),
        # questions, with or without a question mark
        ("Is the store on Main St open on Sundays?", "en", NEUTRAL, [Q]),
        ("@Brightloop how do I descale the Mini", "en", NEUTRAL, [Q]),
        ("보증 기간이 몇 년인가요", "ko", NEUTRAL, [Q]),
        # thanks: praise alone, politeness next to a question
        ("@Brightloop thank you!", "en", NEUTRAL, [R]),
        ("Can you check my order please? Thanks", "en", NEUTRAL, [Q]),
        ("감사합니다", "ko", NEUTRAL, [R]),
        # purchase intent
        ("Thinking of getting the Pro for my office", "en", NEUTRAL, [P]),
        ("How much is the Brightloop Pro in the UK?", "en", NEUTRAL, [Q, P]),
        ("다음 달에 미니 모델 주문할 예정이에요", "ko", NEUTRAL, [P]),
        # feature requests
        ("Please add a timer to the app", "en", NEUTRAL, [F]),
        ("물통이 좀 더 컸으면 좋겠어요", "ko", NEUTRAL, [F]),
        # churn risk, and the requests that only look like it
        ("Please cancel my membership effective immediately", "en", NEGATIVE, [X]),
        ("Switching to Nespresso, at least their support answers", "en", NEUTRAL, [X]),
        ("Looking to switch to Brightloop from my old brand", "en", NEUTRAL, [P]),
        ("이번 달까지만 쓰고 해지할게요", "ko", NEUTRAL, [X]),
        ("구독을 해지 말고 일시정지할 수 있게 해 주세요", "ko", NEUTRAL, [F]),
        # several at once
        ("I'm cancelling my subscription, third broken machine this year", "en", NEGATIVE, [C, X]),
        ("Love my Brightloop, only thing missing is a hot water button", "en", POSITIVE, [R, F]),
        ("수리 맡긴 지 3주째인데 언제 받을 수 있나요?", "ko", NEUTRAL, [C, Q]),
        ("브라이트루프 프로 사고 싶은데 가격이 얼마인가요?", "ko", NEUTRAL, [Q, P]),
        # nothing to act on
        ("Watching the game with a latte", "en", NEUTRAL, [OTHER]),
        ("출근길에 커피 한 잔", "ko", NEUTRAL, [OTHER]),
    ],
)
def test_intents(text: str, language: str, sentiment: Sentiment, expected: list[Intent]) -> None:
    assert classify(text, language, sentiment) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Follow me and I'll follow back!! #f4f",
        "FREE iPhone GIVEAWAY, RT + follow to win https://bit.ly/x",
        "Send 0.1 BTC and get 0.2 back, bitcoin doubling https://btc.io",
        "Earn $500 a day from home, DM me",
        "wowwwwwwwwwwwwwwwww wowwwwwwwwwwwwwww",
        "@brightloop @brightloop @brightloop @brightloop",
        "맞팔해요 선팔하면 맞팔",
        "비트코인 무료 에어드랍 https://coin-free.kr",
    ],
)
def test_spam_stands_alone(text: str) -> None:
    assert looks_like_spam(text)
    assert classify(text, "en", POSITIVE) == [S]


@pytest.mark.parametrize(
    "text",
    [
        "@united NEVER AGAIN!!!!!!!!!!!!!!!!!!!!!!!!",
        "Free drinks on my flight today, thanks! https://t.co/x",
        "NOOOOOOOO my machine broke",
        "ㅋㅋㅋ 라떼 맛있어요",
    ],
)
def test_loud_or_linked_customers_are_not_spam(text: str) -> None:
    assert not looks_like_spam(text)


@pytest.mark.parametrize("sentiment", [NEUTRAL, NEGATIVE, POSITIVE])
def test_other_is_only_ever_alone(sentiment: Sentiment) -> None:
    for row in load():
        intents = classify(row.text, row.language, sentiment)
        assert intents, row.text
        assert Intent.OTHER not in intents or intents == [OTHER], row.text
        assert len(set(intents)) == len(intents), row.text


def test_the_evaluation_set_is_large_and_covers_every_intent() -> None:
    rows = load()
    assert len(rows) >= 300
    assert sum(row.language == "ko" for row in rows) >= 60
    for intent in (P, F, X, S):
        assert sum(intent in row.intents for row in rows) >= 25, intent


@pytest.mark.slow
def test_accuracy_on_the_evaluation_set_does_not_regress() -> None:
    """Floors a little under what was measured (complaint P 0.94, R 0.77; see make eval)."""
    figures = measure(load())
    complaint = figures[C]
    assert complaint.precision >= 0.88
    assert complaint.recall >= 0.70
    for intent in (Q, P, F, X, S):
        assert figures[intent].precision >= 0.8, intent
        assert figures[intent].recall >= 0.8, intent
    assert figures[R].precision >= 0.6
    assert figures[R].recall >= 0.6
