"""``rapport`` command line: developer and operator utilities."""

import argparse
import sys

from rapport import import_cli, token_cli
from rapport import migrate as migrate_cli
from rapport.dlq import cli as dlq_cli
from rapport.exports import cli as exports_cli


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="rapport")
    commands = parser.add_subparsers(dest="command", required=True)
    token_cli.register(commands)
    import_cli.register(commands)
    dlq_cli.register(commands)
    migrate_cli.register(commands)
    exports_cli.register(commands)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except ValueError as error:
        sys.exit(f"rapport: {error}")
