"""``rapport`` command line: developer and operator utilities."""

import argparse
import os
import sys

from rapport import import_cli
from rapport import migrate as migrate_cli
from rapport.auth import Scope, issue_token
from rapport.dlq import cli as dlq_cli
from rapport.settings import RapportSettings


def _token(args: argparse.Namespace) -> None:
    secret = args.secret or os.environ.get("RAPPORT_AUTH_SECRET")
    if not secret:
        secret = RapportSettings().auth_secret.get_secret_value()
    scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
    print(issue_token(secret, args.subject, scopes, ttl_s=args.ttl))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="rapport")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="mint a bearer token signed with RAPPORT_AUTH_SECRET")
    token.add_argument("--scopes", required=True, help=f"comma-separated: {', '.join(Scope)}")
    token.add_argument("--subject", default="cli")
    token.add_argument("--ttl", type=int, default=None, help="seconds until it expires")
    token.add_argument("--secret", default=None, help="defaults to $RAPPORT_AUTH_SECRET")
    token.set_defaults(run=_token)
    import_cli.register(commands)
    dlq_cli.register(commands)
    migrate_cli.register(commands)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except ValueError as error:
        sys.exit(f"rapport: {error}")
