"""Bounded values for everything that enters from outside (APIs, webhooks, imports).

Every consumer downstream, and MongoDB, can handle what passes these: a timestamp it can shift
to UTC, an integer BSON can store, text that encodes as UTF-8, JSON shallow enough to walk.
The event contracts stay as they are (narrowing them would break compatibility); entry points
use these types instead, so bad input is refused where it arrives, with the field named.

| value | bound |
|---|---|
| ``Timestamp`` | timezone-aware, from 2006-01-01 to now + 1 day |
| ``Count`` | integer, 0 to 10^12 |
| ``Int64`` | integer BSON can store, -2^63 to 2^63 - 1 |
| ``Amount`` | number, 0.01 to 1,000,000 |
| ``Identifier`` | 1 to 128 of ``A-Z a-z 0-9 _ . : @ -``, so never a ``$`` operator |
| ``Clean`` text | no NUL, no lone surrogate (valid UTF-8); each field sets its length |
| JSON documents | at most 32 deep; numbers of at most 32 characters, finite; strings ``Clean`` |

Error messages say what is wrong, never the value (it may be personal data).
"""

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field

from rapport.clock import utcnow
from rapport.events.mentions import Identifier as Identifier  # the contract's own bound

EARLIEST = datetime(2006, 1, 1, tzinfo=UTC)
"""Nothing Rapport hears about is older than social media itself."""
FUTURE_SLACK = timedelta(days=1)
"""How far ahead of our clock a sender's clock may be."""
INT64_MAX = 2**63 - 1
"""The largest integer BSON stores."""
MAX_COUNT = 10**12
"""Followers, likes, shares: more than a trillion is not a count but an attack."""
MIN_AMOUNT = 0.01
MAX_AMOUNT = 1_000_000.0
MAX_DEPTH = 32
"""Objects and arrays nested inside each other in one JSON document."""
MAX_NUMBER_CHARS = 32
"""A JSON number literal longer than this is refused before it is converted."""


Loc = tuple[str | int, ...]


class OutOfBounds(ValueError):
    """A value or document outside the bounds; the message names the bound, not the value,
    and ``loc`` where in a document it is (keys and indexes)."""

    def __init__(self, reason: str, loc: Loc = ()) -> None:
        super().__init__(reason)
        self.loc = loc


def _bounded_time(value: datetime) -> datetime:
    # Comparing aware datetimes never overflows; shifting year 1 to UTC would.
    if value < EARLIEST:
        raise OutOfBounds("must not be before 2006-01-01")
    if value > utcnow() + FUTURE_SLACK:
        raise OutOfBounds("must not be more than a day in the future")
    return value


Timestamp = Annotated[AwareDatetime, AfterValidator(_bounded_time)]
"""Naive datetimes are refused ("Input should have timezone info")."""
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Int64 = Annotated[int, Field(ge=-INT64_MAX - 1, le=INT64_MAX)]
Amount = Annotated[float, Field(ge=MIN_AMOUNT, le=MAX_AMOUNT, allow_inf_nan=False)]


def clean_text(value: str) -> str:
    """``value`` if it holds no NUL and encodes as UTF-8 (no lone surrogate)."""
    if "\x00" in value:
        raise OutOfBounds("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise OutOfBounds("must be valid UTF-8 (no lone surrogates)") from None
    return value


Clean = AfterValidator(clean_text)
"""Text a consumer can store, after the field's own length: ``Annotated[str, Field(...), Clean]``
(a length given after it would be checked, with a vaguer message, on the validated value)."""


class _Refused:
    """Stands in for a JSON literal refused while parsing, until its place is known."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _number(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(literal: str) -> Any:
        if len(literal) > MAX_NUMBER_CHARS:
            return _Refused(f"a number is longer than {MAX_NUMBER_CHARS} characters")
        number = kind(literal)
        if isinstance(number, float) and not math.isfinite(number):  # 1e400
            return _Refused("a number is too large")
        return number

    return parse


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a JSON number")


def _check(document: Any) -> None:
    """Raise OutOfBounds at the first place in ``document`` outside the bounds."""
    pending: list[tuple[Any, Loc]] = [(document, ())]
    while pending:
        value, loc = pending.pop()
        if isinstance(value, _Refused):
            raise OutOfBounds(value.reason, loc)
        if isinstance(value, str):
            _clean_at(value, loc)
        elif isinstance(value, dict | list):
            if len(loc) >= MAX_DEPTH:
                raise OutOfBounds(f"nested deeper than {MAX_DEPTH} levels", loc)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in reversed(list(items)):
                if isinstance(key, str):
                    _clean_at(key, loc)
                pending.append((child, (*loc, key)))


def _clean_at(value: str, loc: Loc) -> None:
    try:
        clean_text(value)
    except OutOfBounds as error:
        raise OutOfBounds(str(error), loc) from None


def load_json(raw: bytes | str) -> Any:
    """``raw`` parsed, within the bounds: OutOfBounds naming where if not (json.JSONDecodeError
    if it is not JSON at all)."""
    try:
        source = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise OutOfBounds("not valid UTF-8") from None
    try:
        document = json.loads(
            source,
            parse_int=_number(int),
            parse_float=_number(float),
            parse_constant=_constant,
        )
    except RecursionError:
        raise OutOfBounds(f"nested deeper than {MAX_DEPTH} levels") from None
    _check(document)
    return document
