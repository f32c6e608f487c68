"""Routing by (type, schema_version) and upcasting, with test models in a registry of their own."""

import json
from typing import Literal

import pytest

from rapport.events import Contract, Event
from rapport.events.codec import DecodeError, decode, encode
from rapport.events.upcasters import Upcasters


class FullName(Contract):
    name: str


class SplitName(Contract):
    first: str
    last: str


class GreetingV1(Event):
    type: Literal["test.greeting"] = "test.greeting"
    schema_version: Literal[1] = 1
    payload: FullName


class GreetingV2(Event):
    type: Literal["test.greeting"] = "test.greeting"
    schema_version: Literal[2] = 2
    payload: SplitName


class GreetingV3(Event):
    """v3 renamed the type."""

    type: Literal["test.greeted"] = "test.greeted"
    schema_version: Literal[1] = 1
    payload: SplitName


def registry() -> Upcasters:
    upcasters = Upcasters()

    @upcasters.register(GreetingV1, GreetingV2)
    def _split(old: GreetingV1) -> GreetingV2:
        first, _, last = old.payload.name.partition(" ")
        payload = SplitName(first=first, last=last)
        return GreetingV2(event_id=old.event_id, occurred_at=old.occurred_at, payload=payload)

    @upcasters.register(GreetingV2, GreetingV3)
    def _rename(old: GreetingV2) -> GreetingV3:
        return GreetingV3(event_id=old.event_id, occurred_at=old.occurred_at, payload=old.payload)

    return upcasters


UPCASTERS = registry()
V1 = GreetingV1.caused_by("g", payload=FullName(name="Ada Lovelace"))


def test_an_old_version_is_upcast_through_every_step_to_the_current_one() -> None:
    event = decode(encode(V1), (GreetingV3,), upcasters=UPCASTERS)
    assert isinstance(event, GreetingV3)
    assert event.payload == SplitName(first="Ada", last="Lovelace")
    assert (event.event_id, event.occurred_at) == (V1.event_id, V1.occurred_at)


def test_each_version_is_read_with_its_own_model() -> None:
    v2 = GreetingV2.caused_by("g", payload=SplitName(first="Grace", last="Hopper"))
    event = decode(encode(v2), (GreetingV3,), upcasters=UPCASTERS)
    assert isinstance(event, GreetingV3)
    assert event.payload == v2.payload


def test_an_old_version_with_unknown_fields_is_read_tolerantly() -> None:
    data = json.loads(encode(V1))
    data["payload"]["title"] = "Countess"
    event = decode(json.dumps(data).encode(), (GreetingV3,), upcasters=UPCASTERS)
    assert event.payload == SplitName(first="Ada", last="Lovelace")


def test_an_invalid_old_version_is_a_decode_error() -> None:
    data = json.loads(encode(V1))
    del data["payload"]["name"]
    with pytest.raises(DecodeError, match=r"payload\.name: Field required"):
        decode(json.dumps(data).encode(), (GreetingV3,), upcasters=UPCASTERS)


def test_without_the_upcaster_the_old_version_is_not_read() -> None:
    with pytest.raises(DecodeError, match="not an event of this topic"):
        decode(encode(V1), (GreetingV3,), upcasters=Upcasters())


def test_readable_lists_current_models_then_their_ancestors() -> None:
    assert UPCASTERS.readable((GreetingV3,)) == (GreetingV3, GreetingV1, GreetingV2)
    assert UPCASTERS.readable((GreetingV1,)) == (GreetingV1,)


class TestRegistration:
    def test_a_second_upcaster_for_one_version_is_refused(self) -> None:
        with pytest.raises(ValueError, match="already has an upcaster"):
            UPCASTERS.register(GreetingV1, GreetingV3)

    def test_an_upcaster_to_the_same_version_is_refused(self) -> None:
        with pytest.raises(ValueError, match="same version"):
            Upcasters().register(GreetingV2, GreetingV2)

    def test_an_upcaster_returning_the_wrong_model_is_caught(self) -> None:
        upcasters = Upcasters()
        upcasters.register(GreetingV1, GreetingV2)(lambda old: old)  # type: ignore[arg-type,return-value]
        with pytest.raises(TypeError, match="returned GreetingV1"):
            upcasters.upcast(V1)
