from typing import Any

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
