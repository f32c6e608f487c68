"""Kubernetes manifests generated from the topic catalogue, so they cannot drift from it.

``make proto`` writes them under ``deploy/k8s/components/``; a test fails when they are stale.

- ``strimzi/generated/``: a ``KafkaTopic`` per topic and dead-letter topic, and a SCRAM
  ``KafkaUser`` per principal whose ACLs are exactly what the catalogue says it does: write
  what it produces; read what it consumes, in its consumer group; read and write its
  dead-letter topics, and write to the topics it consumes (a DLQ replay sends a letter back to
  its original topic). Every service reads the revocations topic whole, without a group.
- ``keda/generated/``: a ``ScaledObject`` per consumer on its group's lag, at most as many
  replicas as its smallest topic has partitions (more would sit idle).
"""

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from rapport.topics import CATALOGUE, DEAD_LETTER_RETENTION_MS, REVOCATIONS

COMPONENTS = Path(__file__).resolve().parents[4] / "deploy" / "k8s" / "components"
CLUSTER = "rapport"
REPLICAS = 3
MIN_INSYNC_REPLICAS = 2
SERVICES = ("ingest", "profiles", "responder", "loyalty")
LAG_SCALED = ("profiles", "responder", "loyalty")
"""Scaled on lag; ingest consumes only privacy requests and scales on CPU (base/autoscaling)."""
LAG_PER_REPLICA = 100
HEADER = "# Generated from the topic catalogue by rapport.catalogue_manifests: run `make proto`.\n"
Manifest = dict[str, Any]


def user_name(principal: str) -> str:
    """The KafkaUser, its SCRAM username and the Secret Strimzi keeps its password in."""
    return f"{principal}-kafka"


def _topic(name: str, partitions: int, retention_ms: int, cleanup_policy: str) -> Manifest:
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaTopic",
        "metadata": {"name": name, "labels": {"strimzi.io/cluster": CLUSTER}},
        "spec": {
            "topicName": name,
            "partitions": partitions,
            "replicas": REPLICAS,
            "config": {
                "retention.ms": retention_ms,
                "cleanup.policy": cleanup_policy,
                "min.insync.replicas": MIN_INSYNC_REPLICAS,
            },
        },
    }


def topics() -> list[Manifest]:
    manifests = []
    for topic in CATALOGUE.values():
        manifests.append(
            _topic(topic.name, topic.partitions, topic.retention_ms, topic.cleanup_policy)
        )
        for group in topic.consumers:
            dlq = topic.dead_letter_topic(group)
            manifests.append(_topic(dlq, 1, DEAD_LETTER_RETENTION_MS, "delete"))
    return manifests


def topic_operations() -> dict[str, dict[str, set[str]]]:
    """principal -> topic -> the operations its ACLs allow."""
    allowed: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for topic in CATALOGUE.values():
        for producer in topic.producers:
            allowed[producer][topic.name] |= {"Write", "Describe"}
        for group in topic.consumers:
            allowed[group][topic.name] |= {"Read", "Describe", "Write"}
            allowed[group][topic.dead_letter_topic(group)] |= {"Read", "Describe", "Write"}
    for service in SERVICES:
        allowed[service][REVOCATIONS.name] |= {"Read", "Describe"}
    return allowed


def consumed_partitions() -> dict[str, int]:
    """consumer group -> partitions of the smallest topic it consumes."""
    smallest: dict[str, int] = {}
    for topic in CATALOGUE.values():
        for group in topic.consumers:
            smallest[group] = min(smallest.get(group, topic.partitions), topic.partitions)
    return smallest


def _acl(kind: str, name: str, operations: set[str]) -> Manifest:
    return {
        "resource": {"type": kind, "name": name, "patternType": "literal"},
        "operations": sorted(operations),
    }


def users() -> list[Manifest]:
    groups = consumed_partitions()
    manifests = []
    for principal, by_topic in sorted(topic_operations().items()):
        acls = [_acl("topic", name, ops) for name, ops in sorted(by_topic.items())]
        if principal in groups:
            acls.append(_acl("group", principal, {"Read"}))
        manifests.append(
            {
                "apiVersion": "kafka.strimzi.io/v1beta2",
                "kind": "KafkaUser",
                "metadata": {
                    "name": user_name(principal),
                    "labels": {"strimzi.io/cluster": CLUSTER},
                },
                "spec": {
                    "authentication": {"type": "scram-sha-512"},
                    "authorization": {"type": "simple", "acls": acls},
                },
            }
        )
    return manifests


def scaled_objects() -> list[Manifest]:
    """Per consumer service: its KEDA TriggerAuthentication and ScaledObject.

    KEDA reads the lag as the service's own KafkaUser: the username from the service's container
    (the strimzi component sets it), the password and CA from Strimzi's Secrets.
    """
    manifests: list[Manifest] = []
    for group, partitions in sorted(consumed_partitions().items()):
        if group not in LAG_SCALED:
            continue
        secret = user_name(group)
        manifests.append(
            {
                "apiVersion": "keda.sh/v1alpha1",
                "kind": "TriggerAuthentication",
                "metadata": {"name": f"{group}-kafka"},
                "spec": {
                    "env": [
                        {
                            "parameter": "username",
                            "name": "RAPPORT_KAFKA_USERNAME",
                            "containerName": group,
                        }
                    ],
                    "secretTargetRef": [
                        {"parameter": "password", "name": secret, "key": "password"},
                        {"parameter": "ca", "name": f"{CLUSTER}-cluster-ca-cert", "key": "ca.crt"},
                    ],
                },
            }
        )
        manifests.append(
            {
                "apiVersion": "keda.sh/v1alpha1",
                "kind": "ScaledObject",
                "metadata": {"name": group},
                "spec": {
                    "scaleTargetRef": {"name": group},
                    "minReplicaCount": 2,
                    "maxReplicaCount": partitions,
                    "triggers": [
                        {
                            "type": "kafka",
                            "authenticationRef": {"name": f"{group}-kafka"},
                            "metadata": {
                                "bootstrapServers": f"{CLUSTER}-kafka-bootstrap:9093",
                                "consumerGroup": group,
                                "lagThreshold": str(LAG_PER_REPLICA),
                                "sasl": "scram_sha512",
                                "tls": "enable",
                                "allowIdleConsumers": "false",
                            },
                        }
                    ],
                },
            }
        )
    return manifests


def _yaml(docs: list[Manifest]) -> str:
    return HEADER + yaml.safe_dump_all(docs, sort_keys=False, width=100)


def generated() -> dict[str, str]:
    """Every generated file, by path relative to deploy/k8s/components."""
    return {
        "strimzi/generated/topics.yaml": _yaml(topics()),
        "strimzi/generated/users.yaml": _yaml(users()),
        "keda/generated/scaled-objects.yaml": _yaml(scaled_objects()),
    }


def stale(root: Path = COMPONENTS) -> list[str]:
    return [
        path
        for path, text in generated().items()
        if not (root / path).exists() or (root / path).read_text(encoding="utf-8") != text
    ]


def write(root: Path = COMPONENTS) -> list[str]:
    files = generated()
    written = stale(root)
    for path in written:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(files[path], encoding="utf-8")
    return written
