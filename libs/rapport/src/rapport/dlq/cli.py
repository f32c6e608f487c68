"""``rapport dlq list|show|replay|drop --group G``: a client of the group's service's admin API
(``/v1/admin/dead-letters``); ``rapport dlq parked|republish|discard --group G``: the same for
the service's parked outbox events (``/v1/admin/parked-events``). The logic lives in the
service."""

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import httpx

from rapport.auth import Scope
from rapport.token_cli import mint

GROUPS = ("ingest", "profiles", "responder", "loyalty")
LOCAL_PORTS = {group: 8001 + i for i, group in enumerate(GROUPS)}  # the `run` profile's
PREFIX = "/v1/admin/dead-letters"
PARKED_PREFIX = "/v1/admin/parked-events"
COLUMNS = ("POSITION", "FROM", "FAILED AT", "TRIES", "ERROR", "EVENT", "REASON")
PARKED_COLUMNS = ("EVENT", "TOPIC", "TYPE", "PARKED AT", "ERROR", "REASON")
PARKED_ACTIONS = ("parked", "republish", "discard")


class ApiError(Exception):
    """The service answered with an error."""


def default_url(group: str) -> str:
    named = os.environ.get(f"RAPPORT_{group.upper()}_URL")
    if named:
        return named
    if group not in LOCAL_PORTS:
        raise ValueError(f"no local port known for group {group!r}: give --url")
    return f"http://127.0.0.1:{LOCAL_PORTS[group]}"


def token(args: argparse.Namespace) -> str:
    if args.token or os.environ.get("RAPPORT_TOKEN"):
        return str(args.token or os.environ["RAPPORT_TOKEN"])
    subject = os.environ.get("USER", "rapport-dlq")
    return mint(subject, [Scope.OPERATIONS], [args.group], ttl_s=600)


def _path(args: argparse.Namespace) -> str:
    if args.topic is None or args.offset is None:
        raise ValueError("name the letter: --topic T --offset O [--partition P], or use --all")
    return f"{PREFIX}/{args.topic}/{args.partition}/{args.offset}"


async def execute(
    args: argparse.Namespace, *, out: TextIO, transport: httpx.AsyncBaseTransport | None = None
) -> None:
    headers = {"Authorization": f"Bearer {token(args)}"}
    url = args.url or default_url(args.group)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, transport=transport, timeout=args.timeout
    ) as http:
        if args.action in PARKED_ACTIONS:
            await _parked(http, args, out)
        elif args.action == "list":
            params: dict[str, Any] = {"limit": args.limit, "all": args.all}
            if args.topic:
                params["topic"] = args.topic
            body = _ok(await http.get(PREFIX, params=params))
            out.write(table(body["letters"]))
            if body["next"]:
                out.write(
                    f"more: rapport dlq list --group {args.group} (API: after={body['next']})\n"
                )
        elif args.action == "show":
            body = _ok(await http.get(_path(args), params={"value": args.value}))
            out.write(details(body))
        elif args.all:
            body = _ok(
                await http.post(
                    f"{PREFIX}/{args.action}", json={"topic": args.topic, "note": args.note}
                )
            )
            out.write(f"{args.action}: {body['count']} letters\n")
            out.writelines(f"  {position}\n" for position in body["letters"])
        else:
            body = _ok(await http.post(f"{_path(args)}/{args.action}", json={"note": args.note}))
            out.write(f"{args.action}: {_position(body)}\n")


async def _parked(http: httpx.AsyncClient, args: argparse.Namespace, out: TextIO) -> None:
    if args.action == "parked":
        body = _ok(await http.get(PARKED_PREFIX, params={"limit": args.limit}))
        out.write(parked_table(body["events"]))
        if body["next"]:
            out.write(f"more: the API's after={body['next']}\n")
        return
    if not args.event:
        raise ValueError(f"name the parked event: rapport dlq {args.action} --event ID")
    path = f"{PARKED_PREFIX}/{args.event}/{args.action}"
    body = _ok(await http.post(path, json={"note": args.note}))
    out.write(f"{args.action}: {body['event_id']} ({body['event_type']} on {body['topic']})\n")


def parked_table(events: list[dict[str, Any]]) -> str:
    if not events:
        return "no parked events\n"
    rows = [PARKED_COLUMNS] + [
        (
            e["event_id"],
            e["topic"],
            e["event_type"],
            e["parked_at"][:19],
            e["error"] or "-",
            _short(e["reason"] or "-", 60),
        )
        for e in events
    ]
    return _aligned(rows)


def _aligned(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in rows
    )


def _ok(response: httpx.Response) -> Any:
    if response.is_success:
        return response.json()
    try:
        reason = response.json().get("detail", response.text)
    except ValueError:
        reason = response.text
    raise ApiError(f"{response.status_code}: {reason}")


def _position(letter: dict[str, Any]) -> str:
    return f"{letter['topic']}/{letter['partition']}/{letter['offset']}"


def table(letters: list[dict[str, Any]]) -> str:
    if not letters:
        return "no dead letters\n"
    rows = [COLUMNS]
    for letter in letters:
        original = letter["original"]
        rows.append(
            (
                _position(letter)
                + (f" ({letter['handled']['action']})" if letter.get("handled") else ""),
                f"{original['topic']}[{original['partition']}]@{original['offset']}",
                (letter["failed_at"] or "-")[:19],
                str(letter["attempts"] or "-"),
                letter["error_type"] or "-",
                " ".join(filter(None, (letter["event_type"], letter["event_id"]))) or "-",
                _short(letter["reason"] or "-", 60),
            )
        )
    return _aligned(rows)


def details(letter: dict[str, Any]) -> str:
    original = letter["original"]
    shown = {
        **{k: v for k, v in letter.items() if k not in {"original", "traceback", "handled"}},
        "from": f"{original['topic']}[{original['partition']}]@{original['offset']}",
        "headers": ", ".join(letter["headers"]),
        "handled": _handled(letter["handled"]),
    }
    lines = [f"{key:>14}: {'-' if value is None else value}" for key, value in shown.items()]
    if letter.get("traceback"):
        lines.append("traceback:")
        lines.extend(f"  {line}" for line in letter["traceback"].splitlines())
    return "\n".join(lines) + "\n"


def _handled(done: dict[str, str] | None) -> str | None:
    return f"{done['action']} by {done['by']} at {done['at']}" if done else None


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def run(args: argparse.Namespace) -> None:
    try:
        asyncio.run(execute(args, out=sys.stdout))
    except (ApiError, httpx.HTTPError, ValueError) as error:
        sys.exit(f"rapport dlq: {error}")


def register(commands: Any) -> None:
    """Adds ``dlq`` to the ``rapport`` command's subcommands."""
    command = commands.add_parser(
        "dlq",
        help="list, show, replay or drop a group's dead letters; list (parked), republish or"
        " discard its service's parked outbox events",
    )
    command.add_argument("action", choices=("list", "show", "replay", "drop", *PARKED_ACTIONS))
    command.add_argument("--group", required=True, help=f"the consumer group: {', '.join(GROUPS)}")
    command.add_argument("--topic", help="dead-letter topic, or the original topic it holds")
    command.add_argument("--partition", type=int, default=0, help="of the dead-letter topic")
    command.add_argument("--offset", type=int, help="of the letter in the dead-letter topic")
    command.add_argument(
        "--all", action="store_true", help="list: also handled letters; replay/drop: every letter"
    )
    command.add_argument("--event", help="republish/discard: the parked event's id")
    command.add_argument("--value", action="store_true", help="show: include key and value")
    command.add_argument("--note", default="", help="replay/drop/republish/discard: why (audited)")
    command.add_argument("--limit", type=int, default=100, help="list/parked: at most this many")
    command.add_argument(
        "--url", help="the service's URL (default: $RAPPORT_<GROUP>_URL, else local)"
    )
    command.add_argument(
        "--token", help="default: $RAPPORT_TOKEN, else minted with $RAPPORT_AUTH_PRIVATE_KEY"
    )
    command.add_argument("--timeout", type=float, default=60.0)
    command.set_defaults(run=run)
