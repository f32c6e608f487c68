import pytest

from ingest.analysis.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("My order is late again", "en"),
        ("커피 머신이 또 고장났어요", "ko"),
        ("@brand 갤럭시 배터리 문제 있어요 help", "ko"),
        ("라떼 is the best coffee in town", "en"),
        ("El pedido no ha llegado y estoy muy molesto", "es"),
        ("Der Kaffee ist sehr gut und ich bin zufrieden", "de"),
        ("今日はとても良い天気です", "ja"),
        ("我很喜欢这个产品", "zh"),
        ("Привет, как дела", "ru"),
    ],
)
def test_detects_the_main_language(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "12345 !!!", "https://x.com/a @someone #tag"])
def test_text_without_words_is_english(text: str) -> None:
    assert detect_language(text) == "en"
