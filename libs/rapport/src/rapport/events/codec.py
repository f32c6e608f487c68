"""Bytes on a topic <-> events; anything that is not one of the topic's events is a DecodeError."""

from functools import cache
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter, ValidationError

from rapport.events.base import Event


class DecodeError(ValueError):
    """The message is not a valid event for its topic; it belongs in the dead-letter topic."""


def encode(event: Event) -> bytes:
    return event.model_dump_json().encode()


@cache
def _adapter(event_types: tuple[type[Event], ...]) -> TypeAdapter[Any]:
    if len(event_types) == 1:
        return TypeAdapter(event_types[0])
    union: Any = Annotated[Union[event_types], Field(discriminator="type")]  # noqa: UP007
    return TypeAdapter(union)


def decode(value: bytes | None, event_types: tuple[type[Event], ...]) -> Event:
    if value is None:
        raise DecodeError("message has no value")
    try:
        event: Event = _adapter(event_types).validate_json(value)
    except ValidationError as error:
        raise DecodeError(_reason(error)) from error
    return event


def _reason(error: ValidationError) -> str:
    """A short reason for the DLQ header: where and what, never the offending value."""
    parts = []
    for detail in error.errors(include_input=False, include_url=False)[:5]:
        where = ".".join(str(p) for p in detail["loc"]) or "message"
        parts.append(f"{where}: {detail['msg']}")
    return "; ".join(parts)
