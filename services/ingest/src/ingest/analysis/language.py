"""Offline language detection: the text's main script, then common words for Latin text.

Korean and English are first-class. Text in a script with one main language gets that language
(Hangul ``ko``, kana ``ja``, Han ``zh``, Cyrillic ``ru``, ...); Latin text is told apart by
function words, and is English unless another language's words clearly outnumber English ones.
Mixed text goes to the script with the most letters, Hangul and Han syllables counting double
(one syllable carries about as much as two Latin letters). Text without letters is ``en``.
"""

import re
import unicodedata
from collections import Counter
from functools import cache

DEFAULT = "en"
_SCRIPT_LANGUAGE = {
    "HANGUL": "ko",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "CJK": "zh",
    "CYRILLIC": "ru",
    "GREEK": "el",
    "ARABIC": "ar",
    "HEBREW": "he",
    "THAI": "th",
    "DEVANAGARI": "hi",
}
_WIDE_SCRIPTS = {"HANGUL", "CJK"}
_FUNCTION_WORDS = {
    "en": "the and is are you to of it this that my for with not was have what i me your",
    "es": "el la los las que de y en es por para con una del muy pero gracias",
    "fr": "le la les des est et je une pour pas avec que qui sur mais très merci",
    "de": "der die das und ist ich nicht ein eine mit auf für sie aber sehr danke",
    "pt": "o os as que de e em não um uma para com muito obrigado você",
    "it": "il lo gli che di e è non un una per con sono molto grazie",
    "id": "yang dan di ini itu tidak dengan untuk saya ada aku terima kasih",
}
_WORD_SETS = {language: frozenset(words.split()) for language, words in _FUNCTION_WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")
_NOISE = re.compile(r"https?://\S+|[@#]\w+")


@cache
def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith("LATIN"):
        return "LATIN"
    return next((script for script in _SCRIPT_LANGUAGE if name.startswith(script)), "OTHER")


def _latin_language(text: str) -> str:
    words = _WORD.findall(text.lower())
    hits = {lang: sum(word in wordset for word in words) for lang, wordset in _WORD_SETS.items()}
    best = max(hits, key=lambda lang: hits[lang])
    return best if hits[best] > hits[DEFAULT] else DEFAULT


def detect_language(text: str) -> str:
    """An ISO 639-1 code for ``text``; ``en`` when nothing tells."""
    text = _NOISE.sub(" ", text)
    letters: Counter[str] = Counter()
    for char, count in Counter(text).items():  # first seen first, as most_common breaks ties
        script = _script(char)
        if script is not None:
            letters[script] += 2 * count if script in _WIDE_SCRIPTS else count
    if not letters:
        return DEFAULT
    if letters["HIRAGANA"] + letters["KATAKANA"] and letters["CJK"]:
        letters["HIRAGANA"] += letters.pop("CJK")
    script, _ = letters.most_common(1)[0]
    if script == "LATIN":
        return _latin_language(text)
    return _SCRIPT_LANGUAGE.get(script, DEFAULT)
