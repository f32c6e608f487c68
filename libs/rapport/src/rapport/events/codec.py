"""Bytes on a topic <-> events: strict writers, tolerant readers.

``encode`` writes exactly the contract (models reject unknown fields when they are built).
``decode`` reads the envelope first and routes by ``(type, schema_version)``:
- fields the reader does not know are ignored, at every level;
- an older version registered in ``UPCASTERS`` is read with its own model, then upcast to the
  current one; a newer version than any the reader knows is read as its latest (a compatible
  change, such as an added field, decodes; anything else fails validation);
- anything that is not one of the topic's events is a ``DecodeError`` (a dead letter).
"""

import json
from functools import cache
from typing import Any

from pydantic import BaseModel, StrictInt, StrictStr, ValidationError

from rapport.events.base import Event
from rapport.events.upcasters import UPCASTERS, Upcasters

Routes = dict[str, dict[int, type[Event]]]


class DecodeError(ValueError):
    """The message is not a valid event for its topic; it belongs in the dead-letter topic."""


class _Envelope(BaseModel):
    type: StrictStr
    schema_version: StrictInt


def encode(event: Event) -> bytes:
    return event.model_dump_json().encode()


def decode(
    value: bytes | None, event_types: tuple[type[Event], ...], *, upcasters: Upcasters = UPCASTERS
) -> Event:
    if value is None:
        raise DecodeError("message has no value")
    try:
        envelope = _Envelope.model_validate_json(value)
    except ValidationError as error:
        raise DecodeError(_reason(error)) from error
    model, value = _route(envelope, value, _routes(event_types, upcasters))
    try:
        return upcasters.upcast(model.model_validate_json(value, extra="ignore"))
    except ValidationError as error:
        newer = envelope.schema_version > model.version()
        prefix = f"read v{envelope.schema_version} as v{model.version()}: " if newer else ""
        raise DecodeError(prefix + _reason(error)) from error


@cache
def _routes(event_types: tuple[type[Event], ...], upcasters: Upcasters) -> Routes:
    routes: Routes = {}
    for model in upcasters.readable(event_types):
        versions = routes.setdefault(model.type_name(), {})
        if model.version() in versions:
            raise ValueError(f"two models for {model.type_name()} v{model.version()}")
        versions[model.version()] = model
    return routes


def _route(envelope: _Envelope, value: bytes, routes: Routes) -> tuple[type[Event], bytes]:
    versions = routes.get(envelope.type)
    if versions is None:
        raise DecodeError(f"type: not an event of this topic (it carries {', '.join(routes)})")
    if (model := versions.get(envelope.schema_version)) is not None:
        return model, value
    latest = max(versions)
    if envelope.schema_version < latest:
        known = ", ".join(f"v{v}" for v in sorted(versions))
        raise DecodeError(
            f"schema_version: {envelope.type} v{envelope.schema_version} is unknown "
            f"(known: {known})"
        )
    return versions[latest], _as_version(value, latest)


def _as_version(value: bytes, version: int) -> bytes:
    data: dict[str, Any] = json.loads(value)
    return json.dumps({**data, "schema_version": version}).encode()


def _reason(error: ValidationError) -> str:
    """A short reason for the DLQ header: where and what, never the offending value."""
    parts = []
    for detail in error.errors(include_input=False, include_url=False)[:5]:
        where = ".".join(str(p) for p in detail["loc"]) or "message"
        parts.append(f"{where}: {detail['msg']}")
    return "; ".join(parts)
