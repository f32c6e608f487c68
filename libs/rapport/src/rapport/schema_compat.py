"""Is a new JSON Schema backward compatible with the old one?

Backward compatible means a consumer holding the new schema still accepts every event written
under the old one. This checks the cases pydantic models produce; it reports, it never fixes:
- a property removed (event models forbid unknown fields, so old events would be rejected),
- a property newly required,
- a type, const or format changed, or enum values removed,
- a union that lost an alternative.
"""

from typing import Any

Schema = dict[str, Any]


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
    for key in ("type", "const", "format"):
        if old.get(key) != new.get(key) and key in old:
            out.append(f"{at}: {key} changed from {old.get(key)!r} to {new.get(key)!r}")
    if "enum" in old and (removed := set(old["enum"]) - set(new.get("enum") or old["enum"])):
        out.append(f"{at}: enum values removed: {sorted(map(str, removed))}")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name in old_props:
        if name not in new_props:
            out.append(f"{at}.{name}: property removed")
        else:
            _compare(ro, rn, old_props[name], new_props[name], f"{at}.{name}", out)
    for name in set(new.get("required", [])) - set(old.get("required", [])):
        if name not in old_props or name in new_props:
            out.append(f"{at}.{name}: newly required")
    old_alternatives = old.get("anyOf") or old.get("oneOf")
    new_alternatives = new.get("anyOf") or new.get("oneOf")
    if old_alternatives and new_alternatives:
        if len(new_alternatives) < len(old_alternatives):
            out.append(f"{at}: union lost alternatives")
        for i, (a, b) in enumerate(zip(old_alternatives, new_alternatives, strict=False)):
            _compare(ro, rn, a, b, f"{at}|{i}", out)
    elif old_alternatives and not new_alternatives:
        out.append(f"{at}: union replaced by a single type")
    if "items" in old and "items" in new:
        _compare(ro, rn, old["items"], new["items"], f"{at}[]", out)
