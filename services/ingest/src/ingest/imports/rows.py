"""What a parser makes of one row of a file: a mention to accept, or a rejection with the reason."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ingest.domain.normalize import MentionIn


class ImportRefused(ValueError):
    """The whole file is unusable (a CSV header it cannot map); nothing was imported."""


@dataclass(frozen=True)
class Row:
    number: int
    """1-based, counting data rows only (not the header, not blank lines)."""
    line: int
    """The line of the file where the row starts."""
    mention: MentionIn
    from_brand: bool = False
    """The source says the author is the brand itself (the TWCS layout's ``inbound=False``)."""


@dataclass(frozen=True)
class Rejected:
    number: int
    line: int
    reason: str


Parsed = Row | Rejected


def validated(
    number: int,
    line: int,
    document: dict[str, Any],
    *,
    names: Mapping[tuple[str, ...], str] | None = None,
    from_brand: bool = False,
) -> Parsed:
    """The row as a MentionIn, or why not; ``names`` maps field paths to the file's column names."""
    try:
        mention = MentionIn.model_validate(document)
    except ValidationError as error:
        return Rejected(number, line, reasons(error, names or {}))
    return Row(number, line, mention, from_brand)


def reasons(error: ValidationError, names: Mapping[tuple[str, ...], str]) -> str:
    """Where and what, never the offending value (it may be personal data)."""
    found = []
    for detail in error.errors():
        path = tuple(str(part) for part in detail["loc"])
        found.append(f"{names.get(path, '.'.join(path))}: {detail['msg']}")
    return "; ".join(found)
