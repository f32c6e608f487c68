"""Generate and check ``proto/``: topic catalogue, JSON Schema and example per event version.

``python -m rapport.proto write`` regenerates it; ``check`` lists what is stale. A committed
version's schema may only change compatibly (consumers with the new schema must still read
events written under the old one); a breaking change needs a new ``schema_version``.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from rapport.events import ALL_EVENTS, Event
from rapport.events.examples import examples
from rapport.schema_compat import breaking_changes
from rapport.topics import CATALOGUE, DEAD_LETTER_RETENTION_MS

DEFAULT_ROOT = Path(__file__).resolve().parents[4] / "proto"


def _name(event: type[Event]) -> str:
    return f"{event.type_name()}.v{event.version()}.json"


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def catalogue() -> dict[str, Any]:
    return {
        "dead_letter_topics": {
            "name": "<topic>.dlq.<group>",
            "partitions": 1,
            "retention_ms": DEAD_LETTER_RETENTION_MS,
            "headers": [
                "dlq.original.topic",
                "dlq.original.partition",
                "dlq.original.offset",
                "dlq.group",
                "dlq.reason",
            ],
        },
        "topics": [
            {
                "name": t.name,
                "description": t.description,
                "key": t.key,
                "partitions": t.partitions,
                "retention_ms": t.retention_ms,
                "producers": list(t.producers),
                "consumers": list(t.consumers),
                "events": [
                    {"type": e.type_name(), "schema_version": e.version(), "schema": _name(e)}
                    for e in t.events
                ],
            }
            for t in CATALOGUE.values()
        ],
    }


def generated() -> dict[str, str]:
    """Every file of ``proto/``, by path relative to it."""
    files = {
        "topics.yaml": "# Generated from libs/rapport (rapport.topics); run `make proto`.\n"
        + yaml.safe_dump(catalogue(), sort_keys=False, allow_unicode=True, width=100)
    }
    for event in ALL_EVENTS:
        files[f"schemas/{_name(event)}"] = _json(event.model_json_schema(mode="serialization"))
    for example in examples():
        files[f"examples/{_name(type(example))}"] = _json(example.model_dump(mode="json"))
    return files


def stale(root: Path) -> list[str]:
    return [
        path
        for path, text in generated().items()
        if not (root / path).exists() or (root / path).read_text(encoding="utf-8") != text
    ]


def write(root: Path) -> list[str]:
    """Write what changed; write nothing when a committed schema changes incompatibly."""
    files = generated()
    problems = []
    for path, text in files.items():
        old = root / path
        if path.startswith("schemas/") and old.exists():
            for change in breaking_changes(json.loads(old.read_text()), json.loads(text)):
                problems.append(f"{path}: {change}")
    if problems:
        raise SystemExit(
            "breaking schema changes (add a new schema_version instead):\n  "
            + "\n  ".join(problems)
        )
    written = []
    for path in stale(root):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(files[path], encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m rapport.proto")
    parser.add_argument("command", choices=["write", "check"])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    args = parser.parse_args()
    if args.command == "write":
        for path in write(args.root):
            print(f"wrote proto/{path}")
    elif paths := stale(args.root):
        sys.exit("stale proto files (run `make proto`): " + ", ".join(paths))


if __name__ == "__main__":
    main()
