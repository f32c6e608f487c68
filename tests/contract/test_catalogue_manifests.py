"""The manifests made from the topic catalogue are fresh and say what the catalogue says."""

from pathlib import Path

from rapport import catalogue_manifests as made
from rapport.topics import CATALOGUE, REVOCATIONS


def test_the_committed_manifests_are_fresh() -> None:
    assert not made.stale(), "run `make proto`: the committed manifests differ from the catalogue"


def test_a_file_changed_by_hand_is_stale(tmp_path: Path) -> None:
    root = tmp_path / "components"
    assert len(made.write(root)) == len(made.generated())
    (root / "strimzi/generated/users.yaml").write_text("# edited by hand\n")
    assert made.stale(root) == ["strimzi/generated/users.yaml"]


def acls(principal: str) -> dict[str, set[str]]:
    [user] = [u for u in made.users() if u["metadata"]["name"] == made.user_name(principal)]
    return {
        f"{acl['resource']['type']}:{acl['resource']['name']}": set(acl["operations"])
        for acl in user["spec"]["authorization"]["acls"]
    }


def test_each_user_reaches_exactly_its_topics() -> None:
    profiles = acls("profiles")
    assert {"Read", "Describe"} <= profiles["topic:social.mentions"]
    assert "Write" in profiles["topic:social.mentions.enriched"]
    assert "Read" not in profiles["topic:social.mentions.enriched"]
    assert profiles["group:profiles"] == {"Read"}
    assert "topic:loyalty.events" not in profiles
    assert {"Read", "Write"} <= profiles["topic:social.mentions.dlq.profiles"]

    ingest = acls("ingest")
    assert ingest["topic:social.mentions"] == {"Write", "Describe"}
    assert "topic:care.cases" not in ingest
    assert acls("commerce") == {"topic:commerce.events": {"Write", "Describe"}}
    for service in made.SERVICES:
        assert acls(service)[f"topic:{REVOCATIONS.name}"] == {"Read", "Describe"}


def test_every_topic_an_acl_names_is_provisioned() -> None:
    provisioned = {topic["spec"]["topicName"] for topic in made.topics()}
    named = {
        acl["resource"]["name"]
        for user in made.users()
        for acl in user["spec"]["authorization"]["acls"]
        if acl["resource"]["type"] == "topic"
    }
    assert named <= provisioned
    assert set(CATALOGUE) <= provisioned


def test_consumers_scale_on_lag_up_to_their_partitions() -> None:
    scaled = {
        obj["metadata"]["name"]: obj["spec"]
        for obj in made.scaled_objects()
        if obj["kind"] == "ScaledObject"
    }
    assert set(scaled) == set(made.LAG_SCALED)
    for group, spec in scaled.items():
        consumed = [t.partitions for t in CATALOGUE.values() if group in t.consumers]
        assert spec["maxReplicaCount"] == min(consumed)
        [trigger] = spec["triggers"]
        assert trigger["metadata"]["consumerGroup"] == group
