"""Tags on a case: short lower-case labels agents add and remove, and filter the inbox by."""

import re

from rapport.errors import Conflict, Unprocessable

MAX_TAGS = 20
TAG = r"^[a-z0-9][a-z0-9_-]{0,31}$"
TAG_ANY_CASE = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
"""A tag as a caller may write it (it is stored lower-cased)."""


class InvalidTag(Unprocessable):
    """Not 1 to 32 letters a-z, digits, '-' or '_' (starting with a letter or a digit)."""

    reason = "a tag is 1 to 32 letters a-z, digits, '-' or '_', starting with a letter or digit"


class TooManyTags(Conflict):
    reason = f"a case holds at most {MAX_TAGS} tags: remove one first"


def tag_of(written: str) -> str:
    """The tag as stored: lower-cased; ``InvalidTag`` outside the charset or the length."""
    tag = written.strip().lower()
    if not re.fullmatch(TAG, tag):
        raise InvalidTag(written)
    return tag
