"""Saved replies (macros): texts supervisors keep for agents, with variables such as
``{{customer.name}}`` filled in for a case when an agent inserts one. A macro naming an
unknown variable is refused when it is saved, never discovered in front of a customer."""

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from rapport.errors import Unprocessable

VARIABLES = ("customer.name", "customer.handle", "agent.name", "case.id")
PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
MACRO_MAX = 2_000
MacroName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
MacroText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MACRO_MAX)
]


class Macro(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: UUID = Field(alias="_id")
    name: MacroName
    text: MacroText
    updated_by: str
    updated_at: datetime


class UnknownVariable(Unprocessable):
    """The macro names a variable Rapport cannot fill (the message names it)."""


class TooLong(Unprocessable):
    reason = f"the reply the macro makes for this case is over {MACRO_MAX} characters"


def check(text: str) -> None:
    """``UnknownVariable`` naming the first variable not in ``VARIABLES``, or a stray brace."""
    for name in PLACEHOLDER.findall(text):
        if name not in VARIABLES:
            known = ", ".join(f"{{{{{v}}}}}" for v in VARIABLES)
            raise UnknownVariable(f"unknown variable {{{{{name[:40]}}}}}; known: {known}")
    rest = PLACEHOLDER.sub("", text)
    if "{{" in rest or "}}" in rest:
        raise UnknownVariable("a '{{' or '}}' that does not enclose a variable")


def render(text: str, values: Mapping[str, str]) -> str:
    """The text with each variable replaced by its value (``check`` has passed on it)."""
    rendered = PLACEHOLDER.sub(lambda found: values[found[1]], text)
    if len(rendered) > MACRO_MAX:
        raise TooLong(str(len(rendered)))
    return rendered


def values_for(
    case_id: UUID, handle: str | None, customer_name: str | None, agent_name: str
) -> dict[str, str]:
    """Every variable's value for a case: the customer's display name falls back to their
    handle, then to "there"; ``case.id`` is the reference suggested replies quote."""
    return {
        "customer.name": customer_name or (f"@{handle}" if handle else "there"),
        "customer.handle": f"@{handle}" if handle else "",
        "agent.name": agent_name,
        "case.id": str(case_id)[:8],
    }
