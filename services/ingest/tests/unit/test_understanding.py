import pytest
from pydantic import TypeAdapter, ValidationError

from ingest.analyser.worker import with_analysis
from ingest.analysis import analyse
from ingest.analysis.language import detect_language
from ingest.analysis.sentiment import score
from ingest.domain.normalize import MentionBatch, MentionIn, MentionsBody
from ingest.use_cases.intake import BrandAccounts, provisional
from rapport.events import SentimentLabel, Source

ONE = {
    "platform": "x",
    "external_id": "1",
    "author": {"id": "a"},
    "text": "The new grinder is great, thanks!",
    "created_at": "2026-11-20T09:00:00Z",
}


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        ("My machine is broken again, worst purchase ever", "en", SentimentLabel.NEGATIVE),
        ("Love the new grinder, thanks!", "en", SentimentLabel.POSITIVE),
        ("What time do you open on Sunday?", "en", SentimentLabel.NEUTRAL),
        ("커피 머신이 또 고장났어요. 정말 최악입니다", "ko", SentimentLabel.NEGATIVE),
        ("라떼 정말 맛있어요, 최고!", "ko", SentimentLabel.POSITIVE),
    ],
)
def test_sentiment_label(text: str, language: str, label: SentimentLabel) -> None:
    assert detect_language(text) == language
    assert score(text, language).label is label


def test_english_words_match_whole_words_only() -> None:
    assert score("the badge arrived", "en").label is SentimentLabel.NEUTRAL


NO_BRAND = BrandAccounts([])


def test_an_accepted_mention_is_unanalysed_until_the_analysis_stage_completes_it() -> None:
    accepted = provisional(MentionIn.model_validate(ONE), brand=NO_BRAND, source=Source.WEBHOOK)
    assert (accepted.language, accepted.sentiment.label, accepted.intents) == (
        None,
        SentimentLabel.NEUTRAL,
        [],
    )
    mention = with_analysis(accepted, analyse(accepted.text, accepted.language))
    assert mention.language == "en"
    assert mention.sentiment.label is SentimentLabel.POSITIVE
    assert mention.author_key == "x:a"
    assert mention.source is Source.WEBHOOK
    assert not mention.from_brand


def test_a_language_sent_by_the_source_is_kept() -> None:
    incoming = MentionIn.model_validate({**ONE, "language": "de"})
    accepted = provisional(incoming, brand=NO_BRAND, source=Source.API)
    assert with_analysis(accepted, analyse(accepted.text, accepted.language)).language == "de"


@pytest.mark.parametrize(
    ("accounts", "author", "from_brand"),
    [
        (["x:BrightloopHelp"], {"id": "99", "handle": "@brightloophelp"}, True),
        (["x:99"], {"id": "99"}, True),
        (["facebook:99"], {"id": "99"}, False),
        (["x:BrightloopHelp"], {"id": "1", "handle": "brightloop_fan"}, False),
    ],
)
def test_the_brands_own_accounts_are_recognised(
    accounts: list[str], author: dict[str, str], from_brand: bool
) -> None:
    incoming = MentionIn.model_validate({**ONE, "author": author})
    mention = provisional(incoming, brand=BrandAccounts(accounts), source=Source.API)
    assert mention.from_brand is from_brand


class TestBodyShape:
    adapter: TypeAdapter[MentionIn | MentionBatch] = TypeAdapter(MentionsBody)

    def test_one_mention(self) -> None:
        assert isinstance(self.adapter.validate_python(ONE), MentionIn)

    def test_a_batch(self) -> None:
        body = self.adapter.validate_python({"mentions": [ONE, {**ONE, "external_id": "2"}]})
        assert isinstance(body, MentionBatch)
        assert len(body.mentions) == 2

    @pytest.mark.parametrize(
        ("body", "where"),
        [
            ({**ONE, "extra": 1}, "extra"),
            ({**ONE, "platform": "myspace"}, "platform"),
            ({**ONE, "external_id": "a b"}, "external_id"),
            ({**ONE, "text": ""}, "text"),
            ({**ONE, "created_at": "2026-11-20T09:00:00"}, "created_at"),
            ({**ONE, "author": {"id": "a", "followers": -1}}, "followers"),
            ({**ONE, "url": "javascript:alert(1)"}, "url"),
            ({"mentions": []}, "mentions"),
            ({"mentions": [ONE] * 501}, "mentions"),
        ],
    )
    def test_bad_mentions_are_refused_with_where(self, body: object, where: str) -> None:
        with pytest.raises(ValidationError, match=where):
            self.adapter.validate_python(body)
