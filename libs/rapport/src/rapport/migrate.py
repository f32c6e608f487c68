"""``rapport migrate``: each service's MongoDB indexes, created or rebuilt once per deploy.

    rapport migrate --all
    rapport migrate --service loyalty [--service ingest] [--db-prefix e2e_]

Services no longer create indexes at start-up (replicas starting together raced each other, and
a release changing an index rebuilt it from every pod); they only warn when one is missing.
This command runs instead: ``make run`` before it starts the services, the tests before theirs,
Kubernetes in the ``rapport-migrate`` Job. It is idempotent: an index already as declared is
left alone, one whose definition changed is rebuilt.

Each service declares its indexes in one place, ``<service>.migrations.MIGRATIONS``: its
settings class and the indexes those settings call for. Settings are read from ``RAPPORT_*``
like the service's own; the database is the service's (``rapport_<service>`` unless
RAPPORT_MONGO_DB says otherwise, or ``--db-prefix`` + service).
"""

import argparse
import asyncio
import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pymongo import IndexModel

from rapport.mongo import Indexes, connect, ensure_indexes
from rapport.settings import RapportSettings

SERVICES = ("ingest", "profiles", "responder", "loyalty")

S = TypeVar("S", bound=RapportSettings)


@dataclass(frozen=True)
class Migrations(Generic[S]):
    """What ``rapport migrate`` needs of a service: how to read its settings, its indexes."""

    settings: type[S]
    indexes: Callable[[S], Indexes]


def merge_indexes(*declared: Indexes) -> dict[str, list[IndexModel]]:
    """One index set from several modules' (a collection's lists are joined, not replaced)."""
    merged: dict[str, list[IndexModel]] = {}
    for indexes in declared:
        for collection, models in indexes.items():
            merged.setdefault(collection, []).extend(models)
    return merged


def migrations_of(service: str) -> Migrations[Any]:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    migrations: Migrations[Any] = importlib.import_module(f"{service}.migrations").MIGRATIONS
    return migrations


def service_settings(service: str, **overrides: Any) -> RapportSettings:
    """The service's settings from ``RAPPORT_*``, naming the service whatever the environment
    says (so one environment serves ``--all``)."""
    settings: RapportSettings = migrations_of(service).settings(service_name=service, **overrides)
    return settings


async def migrate(settings: RapportSettings) -> list[str]:
    """Bring the indexes of ``settings.service_name``'s database to what it declares; returns
    what changed (``created ...``/``rebuilt ...``)."""
    indexes = migrations_of(settings.service_name).indexes(settings)
    client = connect(settings)
    try:
        return await ensure_indexes(client[settings.mongo_db], indexes)
    finally:
        await client.close()


async def _migrate_all(services: Sequence[str], db_prefix: str | None) -> None:
    for service in services:
        overrides = {"mongo_db": db_prefix + service} if db_prefix is not None else {}
        settings = service_settings(service, **overrides)
        changes = await migrate(settings)
        created = sum(change.startswith("created ") for change in changes)
        rebuilt = [change for change in changes if not change.startswith("created ")]
        summary = [f"{created} indexes created"] if created else []
        print(f"{service} ({settings.mongo_db}): {', '.join(summary + rebuilt) or 'up to date'}")


def _run(args: argparse.Namespace) -> None:
    services = list(SERVICES) if args.all else list(dict.fromkeys(args.service))
    if len(services) > 1 and args.db_prefix is None and os.environ.get("RAPPORT_MONGO_DB"):
        raise ValueError("RAPPORT_MONGO_DB names one database: migrate one --service with it")
    asyncio.run(_migrate_all(services, args.db_prefix))


def register(commands: Any) -> None:
    """Adds ``migrate`` to the ``rapport`` command line."""
    parser = commands.add_parser("migrate", help="create or rebuild the services' indexes")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help=f"every service: {', '.join(SERVICES)}")
    which.add_argument("--service", action="append", choices=SERVICES, help="repeatable")
    parser.add_argument(
        "--db-prefix", default=None, help="each service's database is PREFIX<service>"
    )
    parser.set_defaults(run=_run)
