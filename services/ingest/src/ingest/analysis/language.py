"""Offline language detection. English and Korean are first-class."""

import re

_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def detect_language(text: str) -> str:
    return "ko" if _HANGUL.search(text) else "en"
