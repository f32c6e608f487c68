"""Is a new JSON Schema of an event version compatible with the released one?

Compatible means every event valid under the old schema is still valid under the new one, so
a consumer holding the new model reads what producers of the old one wrote (and readers one
version behind, which ignore unknown fields, read what the new one writes). This checks the
shapes pydantic models produce; it reports, it never fixes. Breaking, i.e. narrowing:
- a property removed (readers one version behind may still need it), or newly required;
- a type, const or format changed or added; enum values removed, or an enum added;
- a bound tightened or added: ``maxLength``/``minLength``, ``maximum``/``minimum`` and their
  ``exclusive*`` forms, ``maxItems``/``minItems``, ``maxProperties``/``minProperties``;
- a ``pattern`` added or changed (regular expressions are not compared: any change counts),
  ``multipleOf`` added or changed, ``uniqueItems`` added;
- ``additionalProperties`` closed;
- a union alternative no longer accepted.
Widening (an optional property, a looser bound, an enum value added, a bound or pattern
removed, ``integer`` to ``number``) is compatible.
"""

from typing import Any

Schema = dict[str, Any]
UPPER_BOUNDS = {"maxLength": "", "maxItems": "", "maxProperties": "", "maximum": "exclusiveMaximum"}
LOWER_BOUNDS = {"minLength": "", "minItems": "", "minProperties": "", "minimum": "exclusiveMinimum"}
"""Each bound with its exclusive form, if it has one."""


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    changes: list[str] = []
    _compare(_resolver(old), _resolver(new), old, new, "$", changes)
    return changes


def _resolver(root: Schema) -> Any:
    defs = root.get("$defs", {})

    def resolve(node: Schema) -> Schema:
        while "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[-1]]
        return node

    return resolve


def _compare(ro: Any, rn: Any, old: Schema, new: Schema, at: str, out: list[str]) -> None:
    old, new = ro(old), rn(new)
    if _alternatives(old) or _alternatives(new):
        _compare_unions(ro, rn, old, new, at, out)
        return
    _compare_values(old, new, at, out)
    _compare_bounds(old, new, at, out)
    _compare_objects(ro, rn, old, new, at, out)
    if "items" in old and "items" in new:
        _compare(ro, rn, old["items"], new["items"], f"{at}[]", out)


def _compare_values(old: Schema, new: Schema, at: str, out: list[str]) -> None:
    if not _type_widened(old.get("type"), new.get("type")):
        out.append(f"{at}: type changed from {old.get('type')!r} to {new.get('type')!r}")
    for key in ("const", "format", "pattern", "multipleOf"):
        if key in new and old.get(key) != new[key]:
            verb = "changed" if key in old else "added"
            out.append(f"{at}: {key} {verb} from {old.get(key)!r} to {new[key]!r}")
    if "enum" in new:
        if "enum" not in old:
            out.append(f"{at}: enum added")
        elif removed := [v for v in old["enum"] if v not in new["enum"]]:
            out.append(f"{at}: enum values removed: {sorted(map(str, removed))}")
    if new.get("uniqueItems") and not old.get("uniqueItems"):
        out.append(f"{at}: uniqueItems added")


def _type_widened(old: Any, new: Any) -> bool:
    """True when every value of type ``old`` is of type ``new`` (no type means any)."""
    if new is None:
        return True
    if old is None:
        return False
    old_types, new_types = _as_set(old), _as_set(new)
    if "number" in new_types:
        old_types.discard("integer")
    return old_types <= new_types


def _as_set(value: Any) -> set[str]:
    return set(value) if isinstance(value, list) else {value}


def _compare_bounds(old: Schema, new: Schema, at: str, out: list[str]) -> None:
    for bounds, upper in ((UPPER_BOUNDS, True), (LOWER_BOUNDS, False)):
        for key, exclusive in bounds.items():
            before, after = _bound(old, key, exclusive, upper), _bound(new, key, exclusive, upper)
            if after is not None and (before is None or after[0] > before[0]):
                shown = before[1] if before else "none"
                out.append(f"{at}: {key} tightened from {shown} to {after[1]}")


def _bound(schema: Schema, key: str, exclusive: str, upper: bool) -> tuple[Any, str] | None:
    """The tightest of ``key`` and its exclusive form, as (strictness, description): the
    greater the strictness, the fewer values pass."""
    found = [(float(schema[key]), 0, f"{schema[key]}")] if key in schema else []
    if exclusive in schema:
        found.append((float(schema[exclusive]), 1, f"{schema[exclusive]} (exclusive)"))
    if not found:
        return None
    return max(((-v if upper else v, excluded), shown) for v, excluded, shown in found)


def _compare_objects(ro: Any, rn: Any, old: Schema, new: Schema, at: str, out: list[str]) -> None:
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name in old_props:
        if name not in new_props:
            out.append(f"{at}.{name}: property removed")
        else:
            _compare(ro, rn, old_props[name], new_props[name], f"{at}.{name}", out)
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        out.append(f"{at}.{name}: newly required")
    old_extra, new_extra = (
        old.get("additionalProperties", True),
        new.get("additionalProperties", True),
    )
    if new_extra is False and old_extra is not False:
        out.append(f"{at}: additionalProperties closed")
    elif isinstance(old_extra, dict) and isinstance(new_extra, dict):
        _compare(ro, rn, old_extra, new_extra, f"{at}.*", out)


def _alternatives(schema: Schema) -> list[Schema]:
    return list(schema.get("anyOf") or schema.get("oneOf") or [])


def _compare_unions(ro: Any, rn: Any, old: Schema, new: Schema, at: str, out: list[str]) -> None:
    """Each old alternative must still be accepted by some new one."""
    new_alternatives = _alternatives(new) or [new]
    for i, alternative in enumerate(_alternatives(old) or [old]):
        attempts: list[list[str]] = []
        for candidate in new_alternatives:
            found: list[str] = []
            _compare(ro, rn, alternative, candidate, f"{at}|{i}", found)
            if not found:
                break
            attempts.append(found)
        else:
            closest: list[str] = min(attempts, key=len)
            out.extend(closest)
