"""What an inbox row shows of a case beyond its facts: a preview of the customer's latest
message, a link to the original post, and the words an agent searches cases by."""

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit
from uuid import UUID

from responder.domain.case import Case

PREVIEW_CHARS = 140
MAX_QUERY = 100
MAX_WORDS = 8
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


class BadSearch(ValueError):
    """A search the inbox cannot run (no word in it, too many words)."""


def preview(text: str) -> str:
    """The text on one line, cut at a word boundary to at most ``PREVIEW_CHARS`` (and "…")."""
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) <= PREVIEW_CHARS:
        return flat
    cut = flat[: PREVIEW_CHARS - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > PREVIEW_CHARS // 2 else cut).rstrip() + "…"


def search_words(query: str) -> list[str]:
    """The whole words of a search (letters, digits, underscores in any script), casefolded
    and each once: everything else is a separator, so no input is ever an operator."""
    words = list(dict.fromkeys(w.casefold() for w in _WORD.findall(query)))
    if not words:
        raise BadSearch("the search has no word in it")
    if len(words) > MAX_WORDS:
        raise BadSearch(f"at most {MAX_WORDS} words")
    return words


def post_link(
    platform: str, external_id: str | None, handle: str | None, url: str | None
) -> str | None:
    """Where the original post is: its URL from the event when it is an http(s) link,
    otherwise one built from the platform's ids (X and Facebook), otherwise none."""
    if url is not None and _is_web(url):
        return url
    if not external_id:
        return None
    post = quote(external_id, safe="")
    if platform == "x":
        return f"https://x.com/{quote(handle, safe='') if handle else 'i/web'}/status/{post}"
    if platform == "facebook":
        return f"https://www.facebook.com/{post}"
    return None


def _is_web(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True)
class Position:
    """Where a page of the inbox ended, in its order: priority score (highest first), next due
    time (none first, then earliest), opened (earliest first), id. A case opened after the
    first page was read sorts before or after this position, never both."""

    priority_score: float
    next_due: datetime | None
    opened_at: datetime
    case_id: UUID

    @classmethod
    def of(cls, case: Case) -> "Position":
        return cls(case.priority_score, case.next_due, case.opened_at, case.id)

    def key(self) -> tuple[float, tuple[int, datetime], datetime, bytes]:
        """The inbox order as a Python sort key (MongoDB sorts a missing date first)."""
        due = (0, self.opened_at) if self.next_due is None else (1, self.next_due)
        return (-self.priority_score, due, self.opened_at, self.case_id.bytes)
