"""Topics are reconciled with the catalogue on the real broker, which never auto-creates them."""

from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError

from rapport.events.examples import examples
from rapport.kafka.admin import ensure_topics
from rapport.kafka.producer import EventProducer
from rapport.testing import eventually, unique

pytestmark = pytest.mark.integration
HOUR_MS = 3_600_000


@pytest.fixture
async def admin(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await client.start()
    yield client
    await client.close()


async def partitions(admin: AIOKafkaAdminClient, topic: str) -> int:
    [described] = await admin.describe_topics([topic])
    return len(described["partitions"])


async def configs(admin: AIOKafkaAdminClient, topic: str) -> dict[str, str]:
    [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    [resource] = response.to_object()["resources"]
    return {entry["config_names"]: entry["config_value"] for entry in resource["config_entries"]}


async def has_configs(admin: AIOKafkaAdminClient, topic: str, wanted: dict[str, str]) -> bool:
    current = await configs(admin, topic)
    return all(current[name] == value for name, value in wanted.items())


async def test_an_existing_topic_gets_more_partitions_and_the_new_retention(
    kafka_bootstrap: str, admin: AIOKafkaAdminClient
) -> None:
    name = unique("reconcile")
    created = await ensure_topics(kafka_bootstrap, [(name, 1, HOUR_MS)])
    assert created.created == [name]
    unmanaged = {"retention.ms": str(HOUR_MS), "max.message.bytes": "500000"}
    await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, unmanaged)])
    await eventually(lambda: has_configs(admin, name, unmanaged))

    changes = await ensure_topics(
        kafka_bootstrap, [(name, 3, 2 * HOUR_MS)], replication_factor=1, min_insync_replicas=1
    )

    assert changes.created == []
    assert changes.partitions == {name: (1, 3)}
    assert changes.configs == {name: {"retention.ms": str(2 * HOUR_MS)}}
    assert await partitions(admin, name) == 3
    reconciled = {"retention.ms": str(2 * HOUR_MS), "min.insync.replicas": "1"}
    await eventually(lambda: has_configs(admin, name, reconciled))
    assert (await configs(admin, name))["max.message.bytes"] == "500000", "an unmanaged override"


async def test_a_reconciled_topic_is_left_alone(kafka_bootstrap: str) -> None:
    name = unique("reconcile")
    await ensure_topics(kafka_bootstrap, [(name, 2, HOUR_MS)])

    changes = await ensure_topics(kafka_bootstrap, [(name, 2, HOUR_MS)])

    assert (changes.created, changes.partitions, changes.configs) == ([], {}, {})


async def test_partitions_are_never_removed(
    kafka_bootstrap: str, admin: AIOKafkaAdminClient
) -> None:
    name = unique("reconcile")
    await ensure_topics(kafka_bootstrap, [(name, 3, HOUR_MS)])

    changes = await ensure_topics(kafka_bootstrap, [(name, 1, HOUR_MS)])

    assert changes.kept_partitions == {name: (3, 1)}
    assert changes.partitions == {}
    assert await partitions(admin, name) == 3


async def test_producing_to_an_unknown_topic_fails_instead_of_creating_it(
    kafka_bootstrap: str, admin: AIOKafkaAdminClient
) -> None:
    name = unique("not-in-catalogue")
    producer = EventProducer(kafka_bootstrap, request_timeout_ms=2_000)
    await producer.start()
    try:
        with pytest.raises(KafkaError):
            await producer.publish(name, "author", examples()[0])
    finally:
        await producer.stop()
    assert name not in await admin.list_topics()


async def test_min_insync_replicas_is_set_to_what_the_replication_factor_allows(
    kafka_bootstrap: str, admin: AIOKafkaAdminClient
) -> None:
    name = unique("reconcile")
    await ensure_topics(kafka_bootstrap, [(name, 1, HOUR_MS)])
    unwritable = {"retention.ms": str(HOUR_MS), "min.insync.replicas": "2"}  # RF is 1 here
    await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, unwritable)])
    await eventually(lambda: has_configs(admin, name, unwritable))

    changes = await ensure_topics(kafka_bootstrap, [(name, 1, HOUR_MS)])

    assert changes.configs == {name: {"min.insync.replicas": "1"}}
    await eventually(lambda: has_configs(admin, name, {"min.insync.replicas": "1"}))


async def test_a_min_insync_replicas_above_the_replication_factor_is_refused(
    kafka_bootstrap: str, admin: AIOKafkaAdminClient
) -> None:
    existing, new = unique("reconcile"), unique("reconcile")
    await ensure_topics(kafka_bootstrap, [(existing, 1, HOUR_MS)])

    with pytest.raises(ValueError, match=r"min\.insync\.replicas 2 > replication factor 1"):
        await ensure_topics(
            kafka_bootstrap, [(existing, 1, 2 * HOUR_MS), (new, 1, HOUR_MS)], min_insync_replicas=2
        )

    assert new not in await admin.list_topics()
    assert (await configs(admin, existing))["retention.ms"] == str(HOUR_MS)
