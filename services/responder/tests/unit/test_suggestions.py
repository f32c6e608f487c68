from rapport.events import Intent, RelationshipStage
from responder.domain.suggestions import suggest


def test_templates_per_intent_and_language_filled_from_case_and_profile() -> None:
    found = suggest([Intent.COMPLAINT], "en", "ann", RelationshipStage.FAN, "abc123")
    assert [s.intent for s in found] == [Intent.COMPLAINT, Intent.OTHER]
    assert found[0].text.startswith("Hi @ann, we're sorry about this and for being such a loyal")
    assert "(ref abc123)" in found[0].text


def test_korean_and_unknown_languages() -> None:
    assert suggest([Intent.COMPLAINT], "ko", "min", None, "r")[0].text.startswith("@min님")
    assert suggest([Intent.QUESTION], "fr", None, None, "r")[0].language == "en"
