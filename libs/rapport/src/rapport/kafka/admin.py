"""Reconcile the brokers' topics with the catalogue: the topics job and ``make run`` use it.

A missing topic is created; an existing one gets more partitions when the catalogue asks for
more (never fewer: that would reshuffle keys, so it is only warned about) and its
``retention.ms``, ``cleanup.policy`` and ``min.insync.replicas`` are set to what the catalogue
and the settings say.
Brokers must run with ``auto.create.topics.enable=false``: aiokafka cannot ask them not to
auto-create a topic it looks up, so the broker setting is what keeps typos from becoming topics.
"""

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError, for_code

from rapport.kafka.connection import ClientSecurity
from rapport.retry import retry_until
from rapport.topics import all_topic_specs

log = logging.getLogger(__name__)

DYNAMIC_TOPIC_CONFIG = 1
"""``config_source`` of a value set on the topic itself (DescribeConfigs v1+)."""
UNKNOWN_TOPIC = 3


class TopicSpec(NamedTuple):
    name: str
    partitions: int
    retention_ms: int
    cleanup_policy: str = "delete"


@dataclass
class TopicChanges:
    """What a reconcile changed; ``kept_partitions`` are topics that have more than asked."""

    created: list[str] = field(default_factory=list)
    partitions: dict[str, tuple[int, int]] = field(default_factory=dict)
    configs: dict[str, dict[str, str]] = field(default_factory=dict)
    kept_partitions: dict[str, tuple[int, int]] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.partitions)} repartitioned, "
            f"{len(self.configs)} reconfigured"
        )


async def ensure_topics(
    bootstrap: str,
    specs: Sequence[tuple[str, int, int] | tuple[str, int, int, str]] | None = None,
    *,
    replication_factor: int = 1,
    min_insync_replicas: int | None = None,
    security: ClientSecurity | None = None,
    timeout_s: float = 60.0,
) -> TopicChanges:
    """Reconcile the topics of ``specs`` (default: the catalogue's); returns what changed.

    ``replication_factor`` applies to the topics created. ``min_insync_replicas`` defaults, per
    topic, to one less than its replication factor (at least 1), so a reconcile run without it
    never weakens a replicated topic; one larger than a topic's replication factor is refused.
    """
    wanted = [TopicSpec(*spec) for spec in (all_topic_specs() if specs is None else specs)]
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=10_000, **(security or {})
    )
    await retry_until(admin.start, retry_on=KafkaConnectionError, timeout_s=timeout_s)
    try:
        changes = TopicChanges()
        existing = set(await admin.list_topics())
        missing = [spec for spec in wanted if spec.name not in existing]
        present = [spec for spec in wanted if spec.name in existing]
        layouts = await _layouts(admin, present)
        replicas = {name: rf for name, (_, rf) in layouts.items()}
        replicas.update({spec.name: replication_factor for spec in missing})
        min_isr = {name: _min_isr(name, rf, min_insync_replicas) for name, rf in replicas.items()}
        changes.created = await _create(admin, missing, replication_factor, min_isr)
        await _grow_partitions(admin, present, layouts, changes)
        await _update_configs(admin, present, min_isr, changes, timeout_s)
        return changes
    finally:
        await admin.close()


async def _layouts(
    admin: AIOKafkaAdminClient, specs: list[TopicSpec]
) -> dict[str, tuple[int, int]]:
    """(partitions, replication factor) of each existing topic."""
    if not specs:
        return {}
    described = await admin.describe_topics([spec.name for spec in specs])
    return {
        topic["topic"]: (len(topic["partitions"]), len(topic["partitions"][0]["replicas"]))
        for topic in described
    }


def _min_isr(topic: str, replication_factor: int, wanted: int | None) -> int:
    if wanted is None:
        return max(1, replication_factor - 1)
    if wanted > replication_factor:
        raise ValueError(
            f"min.insync.replicas {wanted} > replication factor {replication_factor} of {topic}"
        )
    return wanted


async def _create(
    admin: AIOKafkaAdminClient,
    specs: list[TopicSpec],
    replication_factor: int,
    min_isr: dict[str, int],
) -> list[str]:
    if not specs:
        return []
    response = await admin.create_topics(
        [
            NewTopic(
                spec.name,
                spec.partitions,
                replication_factor,
                topic_configs=_configs(spec, min_isr[spec.name]),
            )
            for spec in specs
        ]
    )
    created = []
    for result in response.to_object()["topic_errors"]:
        error = for_code(result["error_code"])
        if result["error_code"] == 0:
            created.append(result["topic"])
        elif error is not TopicAlreadyExistsError:  # another reconciler was quicker
            raise error(f"creating {result['topic']}: {result.get('error_message')}")
    if created:
        log.info("created topics", extra={"topics": created})
    return created


async def _grow_partitions(
    admin: AIOKafkaAdminClient,
    specs: list[TopicSpec],
    layouts: dict[str, tuple[int, int]],
    changes: TopicChanges,
) -> None:
    grow = {}
    for spec in specs:
        have, _ = layouts[spec.name]
        if spec.partitions > have:
            grow[spec.name] = NewPartitions(spec.partitions)
            changes.partitions[spec.name] = (have, spec.partitions)
        elif spec.partitions < have:
            changes.kept_partitions[spec.name] = (have, spec.partitions)
            log.warning(
                "topic has more partitions than the catalogue; partitions are never removed",
                extra={"topic": spec.name, "partitions": have, "catalogue": spec.partitions},
            )
    if grow:
        await admin.create_partitions(grow)
        log.info("added partitions", extra={"topics": changes.partitions})


async def _update_configs(
    admin: AIOKafkaAdminClient,
    specs: list[TopicSpec],
    min_isr: dict[str, int],
    changes: TopicChanges,
    timeout_s: float,
) -> None:
    updates = []
    for spec in specs:
        entries = await _topic_config(admin, spec.name, timeout_s)
        wanted = _configs(spec, min_isr[spec.name])
        differ = {
            name: value for name, value in wanted.items() if entries[name]["config_value"] != value
        }
        if differ:
            # AlterConfigs replaces every value set on the topic: keep those not reconciled here.
            overrides = {
                name: entry["config_value"]
                for name, entry in entries.items()
                if entry["config_source"] == DYNAMIC_TOPIC_CONFIG
            }
            updates.append(
                ConfigResource(ConfigResourceType.TOPIC, spec.name, {**overrides, **wanted})
            )
            changes.configs[spec.name] = differ
    if not updates:
        return
    for response in await admin.alter_configs(updates):
        for result in response.to_object()["resources"]:
            if result["error_code"]:
                error = for_code(result["error_code"])
                raise error(f"configuring {result['resource_name']}: {result['error_message']}")
    log.info("updated topic configs", extra={"topics": changes.configs})


async def _topic_config(
    admin: AIOKafkaAdminClient, topic: str, timeout_s: float
) -> dict[str, dict[str, Any]]:
    """Every config entry of ``topic`` by name, waiting while a new topic is not yet known."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        [result] = response.to_object()["resources"]
        if result["error_code"] == 0:
            return {entry["config_names"]: entry for entry in result["config_entries"]}
        if result["error_code"] != UNKNOWN_TOPIC or loop.time() > deadline:
            error = for_code(result["error_code"])
            raise error(f"describing {topic}: {result['error_message']}")
        await asyncio.sleep(0.2)


def _configs(spec: TopicSpec, min_isr: int) -> dict[str, str]:
    return {
        "retention.ms": str(spec.retention_ms),
        "min.insync.replicas": str(min_isr),
        "cleanup.policy": spec.cleanup_policy,
    }


def main() -> None:
    import argparse

    from rapport.kafka.connection import client_security
    from rapport.settings import KafkaTopicSettings

    parser = argparse.ArgumentParser(
        description="Reconcile Rapport's topics with the catalogue (create, add partitions, "
        "update retention and min.insync.replicas). Defaults, TLS and SASL: RAPPORT_KAFKA_*."
    )
    parser.add_argument("--bootstrap")
    parser.add_argument("--replication-factor", type=int)
    parser.add_argument("--min-insync-replicas", type=int)
    args = parser.parse_args()
    flags = {
        "kafka_bootstrap": args.bootstrap,
        "kafka_replication_factor": args.replication_factor,
        "kafka_min_insync_replicas": args.min_insync_replicas,
    }
    try:
        settings = KafkaTopicSettings(**{k: v for k, v in flags.items() if v is not None})
        changes = asyncio.run(
            ensure_topics(
                settings.kafka_bootstrap,
                replication_factor=settings.kafka_replication_factor,
                min_insync_replicas=settings.kafka_min_insync_replicas,
                security=client_security(settings),
            )
        )
    except ValueError as error:  # pydantic's ValidationError is one too
        parser.error(str(error))
    print(f"topics ready ({changes.summary()})")
    for name in changes.created:
        print(f"  created {name}")
    for name, (before, after) in changes.partitions.items():
        print(f"  {name}: partitions {before} -> {after}")
    for name, configs in changes.configs.items():
        print(f"  {name}: " + ", ".join(f"{key}={value}" for key, value in configs.items()))
    for name, (have, wanted) in changes.kept_partitions.items():
        print(f"  {name}: keeps {have} partitions (catalogue: {wanted}; never decreased)")


if __name__ == "__main__":
    main()
