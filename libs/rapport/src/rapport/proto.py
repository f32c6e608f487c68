"""Generate and check ``proto/``: topic catalogue, JSON Schema and example per event version.

``python -m rapport.proto write`` (``make proto``) regenerates it
and the manifests made from the catalogue (``rapport.catalogue_manifests``); ``check`` lists what is
stale or breaking; ``release`` (``make release-contracts``) moves the released baseline.

A version's schema may only change compatibly with what was *released*, not with the working
tree: ``proto/released/`` holds the schemas of the previous release, committed, and only the
deliberate ``release`` step updates it (after the same check), so its diff shows in review.
A committed baseline (rather than ``git show <tag>:proto/...``) works in any checkout, also
a shallow CI clone without tags or network. A breaking change needs a new ``schema_version``
(with an upcaster from the old one); a released version must stay readable.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from rapport import catalogue_manifests
from rapport.events import ALL_EVENTS, Event
from rapport.events.examples import examples
from rapport.events.upcasters import UPCASTERS
from rapport.schema_compat import breaking_changes
from rapport.topics import CATALOGUE, DEAD_LETTER_RETENTION_MS

DEFAULT_ROOT = Path(__file__).resolve().parents[4] / "proto"
RELEASED = "released"


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
                "cleanup_policy": t.cleanup_policy,
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
    for event in dict.fromkeys((*ALL_EVENTS, *UPCASTERS.old_versions())):
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


def schemas() -> dict[str, str]:
    """The generated schemas, by file name."""
    return {
        path.removeprefix("schemas/"): text
        for path, text in generated().items()
        if path.startswith("schemas/")
    }


def breaking(root: Path) -> list[str]:
    """How the current schemas break the released ones under ``root/released``."""
    current = schemas()
    problems = []
    for old in sorted((root / RELEASED).glob("*.json")):
        if old.name not in current:
            problems.append(f"{old.name}: released, but no model reads it any more")
            continue
        for change in breaking_changes(json.loads(old.read_text()), json.loads(current[old.name])):
            problems.append(f"{old.name}: {change}")
    return problems


def _refuse_breaking(root: Path) -> None:
    if problems := breaking(root):
        raise SystemExit(
            "breaking schema changes against proto/released (add a new schema_version and an "
            "upcaster instead):\n  " + "\n  ".join(problems)
        )


def write(root: Path) -> list[str]:
    """Write what changed; write nothing when a schema breaks its released version."""
    _refuse_breaking(root)
    files = generated()
    written = []
    for path in stale(root):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(files[path], encoding="utf-8")
        written.append(path)
    return written


def release(root: Path) -> list[str]:
    """Make the current schemas the released baseline, if they are compatible with it."""
    _refuse_breaking(root)
    released = root / RELEASED
    released.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schemas().items():
        if not (released / name).exists() or (released / name).read_text(encoding="utf-8") != text:
            (released / name).write_text(text, encoding="utf-8")
            written.append(f"{RELEASED}/{name}")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m rapport.proto")
    parser.add_argument("command", choices=["write", "check", "release"])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    args = parser.parse_args()
    if args.command in ("write", "release"):
        for path in (write if args.command == "write" else release)(args.root):
            print(f"wrote proto/{path}")
        if args.command == "write":
            for path in catalogue_manifests.write():
                print(f"wrote deploy/k8s/components/{path}")
    elif problems := breaking(args.root):
        sys.exit("breaking schema changes against proto/released:\n  " + "\n  ".join(problems))
    elif paths := stale(args.root):
        sys.exit("stale proto files (run `make proto`): " + ", ".join(paths))
    elif paths := catalogue_manifests.stale():
        sys.exit("stale manifests (run `make proto`): " + ", ".join(paths))


if __name__ == "__main__":
    main()
