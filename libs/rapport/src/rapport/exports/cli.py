"""``rapport exports keygen``: a new export key; ``rapport exports fetch <request id>``: every
service's part of an export, fetched from each service (as the request's state in profiles
says where) and written as ``<dir>/<service>.json``."""

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

import httpx

from rapport.auth import Scope
from rapport.dlq.cli import GROUPS, _ok, default_url
from rapport.exports.keys import new_key
from rapport.token_cli import mint


async def fetch(request_id: str, *, token: str, out: TextIO) -> dict[str, Any]:
    """Each service's part of the export, by service, as its endpoint answers it."""
    headers = {"Authorization": f"Bearer {token}"}
    parts: dict[str, Any] = {}
    async with httpx.AsyncClient(headers=headers, timeout=30.0) as http:
        state = _ok(await http.get(f"{default_url('profiles')}/v1/privacy/requests/{request_id}"))
        for answer in state["services"]:
            service, path = answer["service"], answer.get("export_path")
            if path is None:
                out.write(f"{service}: {answer['state']}, nothing to fetch yet\n")
                continue
            parts[service] = _ok(await http.get(f"{default_url(service)}{path}"))
    return parts


def _fetch(args: argparse.Namespace) -> None:
    token = os.environ.get("RAPPORT_TOKEN") or mint(
        os.environ.get("USER", "privacy-officer"), [Scope.PRIVACY], list(GROUPS), ttl_s=600
    )
    parts = asyncio.run(fetch(args.request_id, token=token, out=sys.stdout))
    into = Path(args.out or f"export-{args.request_id}")
    into.mkdir(parents=True, exist_ok=True)
    for service, part in parts.items():
        target = into / f"{service}.json"
        target.write_text(json.dumps(part, indent=2))
        print(f"{service}: {part['documents']} documents -> {target}")


def register(commands: Any) -> None:
    parser = commands.add_parser("exports", help="privacy exports: keys, fetching")
    actions = parser.add_subparsers(dest="action", required=True)
    keygen = actions.add_parser("keygen", help="print a new export key (URL-safe base64)")
    keygen.set_defaults(run=lambda args: print(new_key()))
    fetching = actions.add_parser("fetch", help="write every service's part of an export")
    fetching.add_argument("request_id")
    fetching.add_argument("--out", help="directory (default: export-<request id>)")
    fetching.set_defaults(run=_fetch)
