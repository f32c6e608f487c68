"""proto/ is generated from the event contracts: current, valid, and compatible with the
schemas of the previous release (``proto/released/``)."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from rapport import proto
from rapport.events import ALL_EVENTS
from rapport.events.upcasters import UPCASTERS
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


def test_schemas_are_compatible_with_the_previous_release() -> None:
    assert proto.breaking(ROOT) == []


def test_every_schema_has_a_released_baseline_once_released() -> None:
    """New versions may be unreleased; the ones the baseline names are all still generated."""
    released = {path.name for path in (ROOT / proto.RELEASED).glob("*.json")}
    assert released, "proto/released/ is the baseline the compatibility check needs"
    assert released <= set(proto.schemas())


def test_old_versions_that_are_upcast_keep_their_schema() -> None:
    for old in UPCASTERS.old_versions():
        assert f"{old.type_name()}.v{old.version()}.json" in proto.schemas()


def released_tree(tmp_path: Path) -> Path:
    proto.write(tmp_path)
    proto.release(tmp_path)
    return tmp_path / proto.RELEASED / "mention.ingested.v1.json"


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    schema = json.loads(path.read_text())
    change(schema)
    path.write_text(json.dumps(schema))


def test_write_refuses_a_breaking_change(tmp_path: Path) -> None:
    def with_mood(schema: dict[str, Any]) -> None:
        schema["$defs"]["Mention"]["properties"]["mood"] = {"type": "string"}

    edit(released_tree(tmp_path), with_mood)
    with pytest.raises(SystemExit, match="mood: property removed"):
        proto.write(tmp_path)


def test_a_narrowed_constraint_against_the_release_is_refused(tmp_path: Path) -> None:
    """The released text allowed 20,000 characters; the model now allows 10,000."""

    def longer_text(schema: dict[str, Any]) -> None:
        schema["$defs"]["Mention"]["properties"]["text"]["maxLength"] = 20_000

    edit(released_tree(tmp_path), longer_text)
    assert proto.breaking(tmp_path) == [
        "mention.ingested.v1.json: $.payload.text: maxLength tightened from 20000 to 10000"
    ]
    with pytest.raises(SystemExit, match="maxLength tightened"):
        proto.release(tmp_path)
    with pytest.raises(SystemExit, match="maxLength tightened"):
        proto.write(tmp_path)


def test_the_working_tree_is_not_the_baseline(tmp_path: Path) -> None:
    """A narrowed schema already written to proto/schemas is still compared with the release."""

    def longer_text(schema: dict[str, Any]) -> None:
        schema["$defs"]["Mention"]["properties"]["text"]["maxLength"] = 20_000

    edit(released_tree(tmp_path), longer_text)
    assert proto.stale(tmp_path) == []
    assert proto.breaking(tmp_path) != []


def test_a_released_version_without_a_model_is_refused(tmp_path: Path) -> None:
    released_tree(tmp_path)
    (tmp_path / proto.RELEASED / "mention.deleted.v1.json").write_text("{}")
    assert proto.breaking(tmp_path) == [
        "mention.deleted.v1.json: released, but no model reads it any more"
    ]


def test_a_compatible_release_moves_the_baseline(tmp_path: Path) -> None:
    path = released_tree(tmp_path)
    edit(path, lambda schema: schema["$defs"]["Mention"]["properties"].pop("source"))
    assert proto.breaking(tmp_path) == []
    assert proto.release(tmp_path) == [f"{proto.RELEASED}/mention.ingested.v1.json"]
    assert "source" in json.loads(path.read_text())["$defs"]["Mention"]["properties"]


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
