"""proto/ is generated from the event contracts: it must be current, valid and compatible."""

import json
from pathlib import Path

import pytest
import yaml

from rapport import proto
from rapport.events import ALL_EVENTS
from rapport.schema_compat import breaking_changes
from rapport.topics import CATALOGUE

ROOT = Path(__file__).resolve().parents[2] / "proto"


def test_committed_proto_files_are_current() -> None:
    assert proto.stale(ROOT) == [], "run `make proto` and commit proto/"


def test_stale_files_are_detected(tmp_path: Path) -> None:
    proto.write(tmp_path)
    assert proto.stale(tmp_path) == []
    (tmp_path / "schemas" / "mention.ingested.v1.json").write_text("{}")
    assert proto.stale(tmp_path) == ["schemas/mention.ingested.v1.json"]


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda e: e.type_name())
def test_every_committed_example_validates(event: type) -> None:
    name = f"{event.type_name()}.v{event.version()}.json"  # type: ignore[attr-defined]
    example = json.loads((ROOT / "examples" / name).read_text())
    assert event.model_validate(example).model_dump(mode="json") == example  # type: ignore[attr-defined]


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda e: e.type_name())
def test_schemas_are_compatible_with_the_committed_version(event: type) -> None:
    name = f"{event.type_name()}.v{event.version()}.json"  # type: ignore[attr-defined]
    committed = json.loads((ROOT / "schemas" / name).read_text())
    current = event.model_json_schema(mode="serialization")  # type: ignore[attr-defined]
    assert breaking_changes(committed, current) == []


def test_write_refuses_a_breaking_change(tmp_path: Path) -> None:
    proto.write(tmp_path)
    path = tmp_path / "schemas" / "mention.ingested.v1.json"
    schema = json.loads(path.read_text())
    schema["$defs"]["Mention"]["properties"]["mood"] = {"type": "string"}
    path.write_text(json.dumps(schema))
    with pytest.raises(SystemExit, match="mood: property removed"):
        proto.write(tmp_path)


def test_the_catalogue_names_keys_sizes_and_owners() -> None:
    catalogue = yaml.safe_load((ROOT / "topics.yaml").read_text())
    names = [topic["name"] for topic in catalogue["topics"]]
    assert names == list(CATALOGUE)
    for topic in catalogue["topics"]:
        assert topic["key"]
        assert topic["partitions"] >= 1
        assert topic["retention_ms"] > 0
        assert topic["producers"]
        assert all((ROOT / "schemas" / e["schema"]).exists() for e in topic["events"])
