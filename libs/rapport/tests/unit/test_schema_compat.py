from typing import Any

import pytest

from rapport.schema_compat import breaking_changes


def obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": required or [],
        "additionalProperties": False,
    }


STR = {"type": "string"}


def test_adding_an_optional_property_is_compatible() -> None:
    assert breaking_changes(obj({"a": STR}, ["a"]), obj({"a": STR, "b": STR}, ["a"])) == []


def test_removing_a_property_breaks() -> None:
    assert breaking_changes(obj({"a": STR, "b": STR}), obj({"a": STR})) == ["$.b: property removed"]


def test_a_new_required_property_breaks() -> None:
    assert breaking_changes(obj({"a": STR}), obj({"a": STR, "b": STR}, ["b"])) == [
        "$.b: newly required"
    ]


def test_changing_a_type_breaks() -> None:
    changes = breaking_changes(obj({"a": STR}), obj({"a": {"type": "integer"}}))
    assert changes == ["$.a: type changed from 'string' to 'integer'"]


def test_removing_an_enum_value_breaks_adding_one_does_not() -> None:
    old = obj({"a": {"enum": ["x", "y"]}})
    assert breaking_changes(old, obj({"a": {"enum": ["x", "y", "z"]}})) == []
    assert breaking_changes(old, obj({"a": {"enum": ["x"]}})) == ["$.a: enum values removed: ['y']"]


def test_references_are_followed() -> None:
    old = {**obj({"p": {"$ref": "#/$defs/P"}}), "$defs": {"P": obj({"a": STR})}}
    new = {**obj({"p": {"$ref": "#/$defs/P"}}), "$defs": {"P": obj({})}}
    assert breaking_changes(old, new) == ["$.p.a: property removed"]


def prop(**schema: Any) -> dict[str, Any]:
    """A schema whose one property ``a`` is ``schema``."""
    return obj({"a": schema}, ["a"])


NARROWED = {
    "maxLength tightened": (prop(type="string", maxLength=64), prop(type="string", maxLength=32)),
    "maxLength added": (prop(type="string"), prop(type="string", maxLength=64)),
    "minLength tightened": (prop(type="string", minLength=1), prop(type="string", minLength=2)),
    "pattern added": (prop(type="string"), prop(type="string", pattern="^[a-z]+$")),
    "pattern changed": (
        prop(type="string", pattern="^[a-z]+$"),
        prop(type="string", pattern="^[a-z0-9]+$"),
    ),
    "format added": (prop(type="string"), prop(type="string", format="date-time")),
    "minimum tightened": (prop(type="integer", minimum=0), prop(type="integer", minimum=1)),
    "minimum added": (prop(type="integer"), prop(type="integer", minimum=0)),
    "minimum made exclusive": (
        prop(type="number", minimum=0),
        prop(type="number", exclusiveMinimum=0),
    ),
    "maximum tightened": (prop(type="number", maximum=100), prop(type="number", maximum=99.5)),
    "maximum made exclusive": (
        prop(type="number", maximum=100),
        prop(type="number", exclusiveMaximum=100),
    ),
    "exclusiveMaximum tightened": (
        prop(type="number", exclusiveMaximum=100),
        prop(type="number", exclusiveMaximum=10),
    ),
    "exclusiveMinimum tightened": (
        prop(type="number", exclusiveMinimum=0),
        prop(type="number", exclusiveMinimum=1),
    ),
    "maxItems tightened": (
        prop(type="array", items=STR, maxItems=1000),
        prop(type="array", items=STR, maxItems=10),
    ),
    "minItems added": (prop(type="array", items=STR), prop(type="array", items=STR, minItems=1)),
    "uniqueItems added": (
        prop(type="array", items=STR),
        prop(type="array", items=STR, uniqueItems=True),
    ),
    "item narrowed": (
        prop(type="array", items={"type": "string"}),
        prop(type="array", items={"type": "string", "maxLength": 3}),
    ),
    "enum value removed": (prop(enum=["x", "y"]), prop(enum=["x"])),
    "enum added": (prop(type="string"), prop(type="string", enum=["x"])),
    "const changed": (prop(const="x"), prop(const="y")),
    "type narrowed": (prop(type="number"), prop(type="integer")),
    "newly required": (obj({"a": STR}), obj({"a": STR, "b": STR}, ["b"])),
    "additionalProperties closed": (
        {"type": "object", "properties": {}},
        {"type": "object", "properties": {}, "additionalProperties": False},
    ),
    "map values narrowed": (
        {"type": "object", "additionalProperties": {"type": "integer"}},
        {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
    ),
    "optional made required type": (
        prop(anyOf=[STR, {"type": "null"}]),
        prop(type="string"),
    ),
    "union alternative narrowed": (
        prop(anyOf=[{"type": "string", "maxLength": 9}, {"type": "null"}]),
        prop(anyOf=[{"type": "string", "maxLength": 8}, {"type": "null"}]),
    ),
}


@pytest.mark.parametrize(("old", "new"), NARROWED.values(), ids=NARROWED)
def test_a_narrowed_schema_is_refused(old: dict[str, Any], new: dict[str, Any]) -> None:
    assert breaking_changes(old, new) != []


WIDENED = {
    "maxLength loosened": (prop(type="string", maxLength=32), prop(type="string", maxLength=64)),
    "maxLength removed": (prop(type="string", maxLength=32), prop(type="string")),
    "minLength lowered": (prop(type="string", minLength=2), prop(type="string", minLength=1)),
    "pattern removed": (prop(type="string", pattern="^[a-z]+$"), prop(type="string")),
    "minimum lowered": (prop(type="integer", minimum=1), prop(type="integer", minimum=0)),
    "exclusive minimum made inclusive": (
        prop(type="number", exclusiveMinimum=0),
        prop(type="number", minimum=0),
    ),
    "maximum raised": (prop(type="number", maximum=99), prop(type="number", maximum=100)),
    "maxItems raised": (
        prop(type="array", items=STR, maxItems=10),
        prop(type="array", items=STR, maxItems=1000),
    ),
    "enum value added": (prop(enum=["x"]), prop(enum=["x", "y"])),
    "integer to number": (prop(type="integer"), prop(type="number")),
    "made optional": (prop(type="string"), prop(anyOf=[STR, {"type": "null"}])),
    "union alternative added": (
        prop(anyOf=[STR, {"type": "null"}]),
        prop(anyOf=[{"type": "integer"}, {"type": "null"}, STR]),
    ),
    "optional property added": (obj({"a": STR}, ["a"]), obj({"a": STR, "b": STR}, ["a"])),
    "additionalProperties opened": (
        {"type": "object", "properties": {}, "additionalProperties": False},
        {"type": "object", "properties": {}},
    ),
}


@pytest.mark.parametrize(("old", "new"), WIDENED.values(), ids=WIDENED)
def test_a_widened_schema_is_compatible(old: dict[str, Any], new: dict[str, Any]) -> None:
    assert breaking_changes(old, new) == []


def test_the_reason_names_the_place_and_both_bounds() -> None:
    changes = breaking_changes(
        prop(type="number", maximum=100), prop(type="number", exclusiveMaximum=100)
    )
    assert changes == ["$.a: maximum tightened from 100 to 100 (exclusive)"]
