"""Every ConfigMap and Secret key is read by something, and everything read exists.

A key is consumed when a container loads it (envFrom or a key reference) and the settings of
what runs there have a field of that name, or when a volume, an operator or KEDA reads it. The
Secrets are not in the repository: their shape is base/secret.example.yaml, plus the Secrets the
operators write (Strimzi's users and CA, the MongoDB operator's connection strings).
"""

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet
from pydantic_settings import BaseSettings

from ingest.settings import IngestSettings
from loyalty.settings import LoyaltySettings
from profiles.settings import ProfilesSettings
from rapport.settings import KafkaTopicSettings, RapportSettings
from rapport.testing import export_keys
from responder.settings import ResponderSettings
from tests.contract.k8s_render import K8S, TARGETS, Manifest, rendered

SETTINGS: dict[str, type[BaseSettings]] = {
    "ingest": IngestSettings,
    "profiles": ProfilesSettings,
    "responder": ResponderSettings,
    "loyalty": LoyaltySettings,
}
REQUIRED_IN_PRODUCTION = {
    service: {
        "RAPPORT_MONGO_URL",
        "RAPPORT_EXPORT_KEYS",
        "RAPPORT_SUPPRESSION_PEPPER",
        "RAPPORT_AUTH_JWKS",
        "RAPPORT_KAFKA_BOOTSTRAP",
        "RAPPORT_ENVIRONMENT",
    }
    for service in SETTINGS
}
REQUIRED_IN_PRODUCTION["responder"] |= {
    "RAPPORT_PROFILES_URL",
    "RAPPORT_LOYALTY_URL",
    "RAPPORT_ACCOUNT_TOKEN_KEY",
}
"""What each service cannot do without: the console's customer view needs profiles and loyalty,
the brand accounts' tokens their key."""


def example_secrets() -> dict[str, set[str]]:
    docs = yaml.safe_load_all((K8S / "base" / "secret.example.yaml").read_text())
    return {doc["metadata"]["name"]: set(doc["stringData"]) for doc in docs if doc}


def operator_secrets(resources: list[Manifest]) -> dict[str, set[str]]:
    made: dict[str, set[str]] = {}
    for resource in resources:
        if resource["kind"] == "KafkaUser":
            made[resource["metadata"]["name"]] = {"password", "sasl.jaas.config"}
        elif resource["kind"] == "Kafka":
            made[f"{resource['metadata']['name']}-cluster-ca-cert"] = {"ca.crt", "ca.p12"}
        elif resource["kind"] == "MongoDBCommunity":
            for user in resource["spec"]["users"]:
                made[user["connectionStringSecretName"]] = {
                    "connectionString.standard",
                    "connectionString.standardSrv",
                    "username",
                    "password",
                }
    return made


def config_maps(resources: list[Manifest]) -> dict[str, dict[str, str]]:
    """The settings ConfigMaps; Grafana dashboards (read by Grafana's sidecar, by their label)
    are not settings."""
    return {
        r["metadata"]["name"]: r.get("data", {})
        for r in resources
        if r["kind"] == "ConfigMap"
        and r["metadata"].get("labels", {}).get("grafana_dashboard") != "1"
    }


def containers(resources: list[Manifest]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(workload/container, pod spec, container) of every workload."""
    for resource in resources:
        if resource["kind"] in ("Deployment", "Job"):
            pod = resource["spec"]["template"]["spec"]
            for container in pod["containers"]:
                yield f"{resource['metadata']['name']}/{container['name']}", pod, container


def settings_of(container: dict[str, Any]) -> type[BaseSettings]:
    env = {var["name"]: var.get("value") for var in container.get("env", [])}
    command = [*container.get("command", []), *container.get("args", [])]
    if "rapport.kafka.admin" in command:
        return KafkaTopicSettings
    if command[:2] == ["rapport", "migrate"]:
        return RapportSettings
    return SETTINGS[env["RAPPORT_SERVICE_NAME"]]


def field_names(settings: type[BaseSettings]) -> set[str]:
    prefix = settings.model_config.get("env_prefix", "")
    return {f"{prefix}{name}".upper() for name in settings.model_fields}


KeyUse = tuple[str, str, str, bool, str, set[str] | None]
"""(kind, name, key or "*" for all it loads, optional, who, the names that count as read:
the reader's settings fields, or None for every key)."""


def key_uses(resources: list[Manifest]) -> Iterator[KeyUse]:
    for who, pod, container in containers(resources):
        fields = field_names(settings_of(container))
        for source in container.get("envFrom", []):
            for kind, ref in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                if ref in source:
                    optional = source[ref].get("optional", False)
                    yield kind, source[ref]["name"], "*", optional, who, fields
        for var in container.get("env", []):
            for kind, ref in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                if ref in var.get("valueFrom", {}):
                    key_ref = var["valueFrom"][ref]
                    optional = key_ref.get("optional", False)
                    yield kind, key_ref["name"], key_ref["key"], optional, who, None
        for volume in pod.get("volumes", []):
            if "secret" in volume:
                yield "Secret", volume["secret"]["secretName"], "*", False, who, None
    for resource in resources:
        who = f"{resource['kind']}/{resource['metadata']['name']}"
        if resource["kind"] == "TriggerAuthentication":
            for ref in resource["spec"]["secretTargetRef"]:
                yield "Secret", ref["name"], ref["key"], False, who, None
        if resource["kind"] == "MongoDBCommunity":
            for user in resource["spec"]["users"]:
                yield "Secret", user["passwordSecretRef"]["name"], "password", False, who, None


def stores(resources: list[Manifest]) -> dict[str, dict[str, set[str]]]:
    """kind -> name -> keys of every ConfigMap and Secret there is."""
    return {
        "ConfigMap": {name: set(data) for name, data in config_maps(resources).items()},
        "Secret": example_secrets() | operator_secrets(resources),
    }


def read_keys(resources: list[Manifest]) -> set[tuple[str, str, str]]:
    """(kind, name, key) of every key something reads."""
    known = stores(resources)
    read = set()
    for kind, name, key, _, _, fields in key_uses(resources):
        keys = {key} if key != "*" else known[kind].get(name, set())
        read |= {(kind, name, k) for k in keys if fields is None or k in fields}
    return read


@pytest.mark.parametrize("target", TARGETS)
def test_every_config_map_key_is_read(target: str) -> None:
    resources = rendered(target)
    read = read_keys(resources)
    unread = [
        f"{name}: {key}"
        for name, data in config_maps(resources).items()
        for key in data
        if ("ConfigMap", name, key) not in read
    ]
    assert not unread, f"keys nothing reads: {unread}"


def test_every_example_secret_key_is_read_somewhere() -> None:
    read = set().union(*(read_keys(rendered(target)) for target in TARGETS))
    unread = [
        f"{name}: {key}"
        for name, keys in example_secrets().items()
        for key in keys
        if ("Secret", name, key) not in read
    ]
    assert not unread, f"secret.example.yaml keys nothing reads: {unread}"


@pytest.mark.parametrize("target", TARGETS)
def test_every_key_read_exists(target: str) -> None:
    resources = rendered(target)
    known = stores(resources)
    missing = []
    for kind, name, key, optional, who, _ in key_uses(resources):
        if optional:
            continue
        if name not in known[kind]:
            missing.append(f"{who}: no {kind} {name}")
        elif key != "*" and key not in known[kind][name]:
            missing.append(f"{who}: {kind} {name} has no key {key}")
    assert not missing, "\n".join(missing)


def environment(resources: list[Manifest], container: dict[str, Any]) -> dict[str, str | None]:
    """The names a container's environment holds, with their values (None: from a Secret)."""
    maps = config_maps(resources)
    secrets = example_secrets() | operator_secrets(resources)
    env: dict[str, str | None] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env |= maps[source["configMapRef"]["name"]]
        if "secretRef" in source:
            env |= dict.fromkeys(secrets.get(source["secretRef"]["name"], ()))
    for var in container.get("env", []):
        env[var["name"]] = var.get("value")
    return env


@pytest.mark.parametrize("target", TARGETS)
def test_each_service_gets_what_it_needs_in_production(target: str) -> None:
    resources = rendered(target)
    for who, _, container in containers(resources):
        settings = settings_of(container)
        service = next((s for s, cls in SETTINGS.items() if cls is settings), None)
        if service is None:
            continue
        missing = REQUIRED_IN_PRODUCTION[service] - environment(resources, container).keys()
        assert not missing, f"{who} lacks {sorted(missing)}"


@pytest.mark.parametrize("overlay", ["overlays/production", "overlays/dev"])
def test_the_rendered_settings_parse(overlay: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each service reads its rendered environment (Secrets filled with valid stand-ins)."""
    resources = rendered(overlay)
    stand_ins = {
        "RAPPORT_EXPORT_KEYS": export_keys(),
        "RAPPORT_MONGO_URL": "mongodb://user:password@mongodb:27017/?replicaSet=rs",
        "RAPPORT_WEBHOOK_SECRETS": json.dumps({"reviews": "a-secret"}),
        "RAPPORT_ACCOUNT_TOKEN_KEY": Fernet.generate_key().decode(),
        "RAPPORT_CONNECTOR_TOKENS": json.dumps({"acme-page": "a-page-token"}),
        "RAPPORT_NOTIFY_WEBHOOKS": json.dumps(["https://hooks.slack.com/services/T/B/X"]),
    }
    for who, _, container in containers(resources):
        settings = settings_of(container)
        if settings not in SETTINGS.values():
            continue
        with monkeypatch.context() as env:
            for name in [n for n in os.environ if n.startswith("RAPPORT_")]:
                env.delenv(name)
            for name, value in environment(resources, container).items():
                secret = stand_ins.get(name, "a-long-random-secret")
                env.setenv(name, secret if value is None else value)
            parsed = settings()
        assert parsed.model_dump()["environment"] == "production", who
