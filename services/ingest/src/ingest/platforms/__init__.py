"""What the platforms send, and how each delivery becomes mentions.

Platform payloads carry many fields ingest does not use: their models ignore unknown fields,
unlike our own formats, which stay strict.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ingest.domain.normalize import MentionIn


class PlatformModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Unmappable(Exception):
    """The payload parsed but a mention in it is not valid; ``errors`` say where and why."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} invalid field(s)")
        self.errors = errors


@dataclass
class Delivery:
    """The mentions in one webhook delivery, the events skipped, and the brand's own accounts
    the delivery names (whose posts are brand replies)."""

    mentions: list[MentionIn] = field(default_factory=list)
    ignored: int = 0
    own_accounts: list[str] = field(default_factory=list)


def mention(loc: Sequence[str | int], fields: dict[str, Any]) -> MentionIn:
    """A ``MentionIn`` from mapped ``fields``; errors point at ``loc`` in the payload."""
    try:
        parsed: MentionIn = MentionIn.model_validate(fields)
        return parsed
    except ValidationError as error:
        raise Unmappable(
            [
                {"loc": ["body", *loc, *e["loc"]], "msg": e["msg"], "type": e["type"]}
                for e in error.errors()
            ]
        ) from error
