"""The inbox's paging cursor: an opaque token naming where the last page ended and the query it
belongs to. A cursor that does not decode, or was made for other filters, is a 400 with the
reason; it can only ever narrow what the caller may already read."""

import base64
import binascii
import hashlib
import json
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from responder.domain.inbox import Position

MAX_CURSOR = 512


class BadCursor(ValueError):
    pass


class _Cursor(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    p: Annotated[float, Field(allow_inf_nan=False)]
    d: AwareDatetime | None
    o: AwareDatetime
    i: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    q: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]


def fingerprint(filters: dict[str, object]) -> str:
    """The query a cursor belongs to: its filters and search, whatever their order."""
    canonical = json.dumps({k: str(v) for k, v in filters.items()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode(position: Position, query: str) -> str:
    cursor = _Cursor(
        p=position.priority_score,
        d=position.next_due,
        o=position.opened_at,
        i=position.case_id.hex,
        q=query,
    )
    return base64.urlsafe_b64encode(cursor.model_dump_json().encode()).decode().rstrip("=")


def decode(token: str, query: str) -> Position:
    """The position in ``token``; ``BadCursor`` with the reason if it is not one of ours or was
    made for another query."""
    if len(token) > MAX_CURSOR:
        raise BadCursor("the cursor is too long")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        cursor = _Cursor.model_validate_json(raw)
    except (binascii.Error, ValueError, ValidationError):
        raise BadCursor("the cursor is not one this inbox gave out") from None
    if cursor.q != query:
        raise BadCursor("the cursor belongs to other filters or another search")
    return Position(cursor.p, cursor.d, cursor.o, UUID(hex=cursor.i))
