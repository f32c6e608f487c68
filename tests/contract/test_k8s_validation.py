"""Every overlay and component renders and is valid, offline, before any cluster sees it.

Built-in kinds pass kubernetes-validate's strict schemas of each Kubernetes version we support;
custom resources pass the strict schemas of their operators' published CRDs (deploy/k8s/crds);
kube-score finds nothing critical but the checks named below, each with its reason (and the
NetworkPolicies of the operators' pods, whose manifests say why they carry kube-score/ignore).
"""

import copy
import functools
import json
import re
import subprocess
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from kubernetes_validate.utils import schema_contents  # type: ignore[import-untyped]
from referencing import Registry, Resource

from tests.contract import crd_schemas
from tests.contract.k8s_render import TARGETS, Manifest, rendered, rendered_text, tool

KUBERNETES_VERSIONS = ("1.29.0", "1.30.0", "1.31.0", "1.32.0", "1.33.0", "1.37.0")
WITHOUT_PUBLISHED_SCHEMA = {
    "kafka.strimzi.io": "Strimzi publishes its CRDs only in its release archives and Helm "
    "chart, which no package registry reachable here ships; its resources are checked by "
    "the generator's tests and on a cluster by the operator's own validation",
}
KUBE_SCORE_IGNORED = {
    "container-image-pull-policy": "images are pinned to immutable tags (digests in CI); "
    "Always would make every pod start depend on the registry",
    "deployment-has-host-podantiaffinity": "topologySpreadConstraints spread the replicas "
    "across nodes without making a pod unschedulable on a small cluster",
}


@functools.cache
def strict_validator(version: str, api_version: str, kind: str) -> Draft202012Validator:
    """kubernetes-validate's strict schema of a kind, loaded once (validate() reloads it)."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schemas = f"kubernetes-json-schema/v{version}-local-strict"
    schema = schema_contents(f"{schemas}/{kind.lower()}-{group_version}.json", version)
    definitions = schema_contents(f"{schemas}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return Draft202012Validator(schema, registry=registry)


@functools.cache
def every_resource() -> list[Manifest]:
    """Each distinct resource of every target (overlays share most of base)."""
    unique = {json.dumps(doc, sort_keys=True): doc for t in TARGETS for doc in rendered(t)}
    return list(unique.values())


def is_custom(resource: Manifest) -> bool:
    group = resource["apiVersion"].rpartition("/")[0]
    return "." in group and not group.endswith(".k8s.io")


@pytest.mark.parametrize("target", TARGETS)
def test_target_renders(target: str) -> None:
    kinds = {doc["kind"] for doc in rendered(target)}
    assert {"Deployment", "ConfigMap", "NetworkPolicy", "PodDisruptionBudget"} <= kinds


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_built_in_resources_pass_strict_schemas(version: str) -> None:
    problems = []
    for resource in every_resource():
        if is_custom(resource):
            continue
        validator = strict_validator(version, resource["apiVersion"], resource["kind"])
        name = f"{resource['kind']}/{resource['metadata']['name']}"
        problems += [f"{name}: {error.message}" for error in validator.iter_errors(resource)]
    assert not problems, "\n".join(problems)


def test_strict_schemas_refuse_a_misspelt_field() -> None:
    [deployment, *_] = [r for r in every_resource() if r["kind"] == "Deployment"]
    broken = copy.deepcopy(deployment)
    broken["spec"]["template"]["spec"]["containers"][0]["envFrm"] = []
    with pytest.raises(kubernetes_validate.ValidationError, match="envFrm"):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)
    validator = strict_validator(KUBERNETES_VERSIONS[0], "apps/v1", "Deployment")
    assert any("envFrm" in error.message for error in validator.iter_errors(broken))


def test_custom_resources_pass_their_crds() -> None:
    problems, unknown = [], set()
    for resource in every_resource():
        if not is_custom(resource):
            continue
        key = (resource["apiVersion"], resource["kind"])
        if key not in crd_schemas.validators():
            if resource["apiVersion"].split("/")[0] not in WITHOUT_PUBLISHED_SCHEMA:
                unknown.add(key)
            continue
        name = f"{resource['kind']}/{resource['metadata']['name']}"
        problems += [f"{name}: {error}" for error in crd_schemas.errors(resource)]
    assert not unknown, f"no vendored CRD for {sorted(unknown)} (deploy/k8s/crds/README.md)"
    assert not problems, "\n".join(problems)


def test_crd_schemas_refuse_a_misspelt_field() -> None:
    [scaled, *_] = [r for r in every_resource() if r["kind"] == "ScaledObject"]
    broken: dict[str, Any] = copy.deepcopy(scaled)
    broken["spec"]["maxReplicas"] = 6
    assert any("maxReplicas" in error for error in crd_schemas.errors(broken))


@pytest.mark.parametrize("target", TARGETS)
def test_kube_score_finds_nothing_critical(target: str) -> None:
    ignored = [arg for check in KUBE_SCORE_IGNORED for arg in ("--ignore-test", check)]
    result = subprocess.run(
        [tool("kube-score"), "score", "--output-format", "ci", *ignored, "-"],
        input=rendered_text(target),
        capture_output=True,
        text=True,
        timeout=120,
    )
    critical = [line for line in result.stdout.splitlines() if line.startswith("[CRITICAL]")]
    assert not critical, "\n".join(critical)
    assert result.returncode == 0, result.stderr
