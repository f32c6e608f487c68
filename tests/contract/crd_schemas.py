"""Strict JSON Schemas of the custom resources, from the CRDs vendored in deploy/k8s/crds.

Like kubeconform's strict mode: an object that lists its properties admits no other (unless the
CRD says it preserves unknown fields), so a misspelt field fails instead of being dropped by
the API server.
"""

import functools
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator  # type: ignore[import-untyped]

CRDS = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "crds"
Schema = dict[str, Any]


def strict(schema: Schema) -> Schema:
    out = {key: value for key, value in schema.items() if not key.startswith("x-kubernetes")}
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
    if "properties" in out:
        out["properties"] = {name: strict(sub) for name, sub in out["properties"].items()}
        if "additionalProperties" not in out and not schema.get(
            "x-kubernetes-preserve-unknown-fields"
        ):
            out["additionalProperties"] = False
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = strict(out[key])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in out:
            out[key] = [strict(sub) for sub in out[key]]
    if schema.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    return out


@functools.cache
def validators() -> dict[tuple[str, str], Draft7Validator]:
    """(apiVersion, kind) -> a validator of that resource, for every vendored CRD."""
    found = {}
    for path in sorted(CRDS.glob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                schema = strict(version["schema"]["openAPIV3Schema"])
                found[(f"{group}/{version['name']}", kind)] = Draft7Validator(schema)
    return found


def errors(resource: dict[str, Any]) -> list[str]:
    validator = validators()[(resource["apiVersion"], resource["kind"])]
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(resource)
    ]
