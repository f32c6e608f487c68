"""`rapport migrate` creates each service's indexes once (idempotent, rebuilding a changed one);
services only check theirs at start-up and never create them."""

import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient, MongoClient

from ingest.main import create_app
from rapport.cli import main as rapport
from rapport.migrate import SERVICES, migrate, migrations_of, service_settings
from rapport.mongo import missing_indexes
from rapport.settings import RapportSettings
from rapport.testing import token_keys, unique

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(mongo_url: str) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    created = set(await client.list_database_names())
    try:
        yield client
    finally:
        for name in set(await client.list_database_names()) - created:
            if name.startswith("test_"):
                await client.drop_database(name)
        await client.close()


def settings_of(service: str, mongo_url: str, **overrides: Any) -> RapportSettings:
    db = unique("test").replace("-", "_")
    return service_settings(service, mongo_url=mongo_url, mongo_db=db, **overrides)


@pytest.mark.parametrize("service", SERVICES)
async def test_migrate_creates_every_declared_index_in_an_empty_database_once(
    service: str, mongo_url: str, client: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = settings_of(service, mongo_url)
    declared = migrations_of(service).indexes(settings)
    db = client[settings.mongo_db]
    assert await missing_indexes(db, declared)

    created = await migrate(settings)

    assert created, "nothing created in an empty database"
    assert all(change.startswith("created ") for change in created)
    assert await missing_indexes(db, declared) == []
    assert await migrate(settings) == [], "a second run changed something"


async def test_unique_indexes_that_dedupe_are_created(
    mongo_url: str, client: AsyncMongoClient[dict[str, Any]]
) -> None:
    for service in ("profiles", "responder"):
        settings = settings_of(service, mongo_url)
        await migrate(settings)
        db = client[settings.mongo_db]
        unique_ones = [
            index
            for collection in await db.list_collection_names()
            async for index in await db[collection].list_indexes()
            if index.get("unique")
        ]
        assert unique_ones, f"{service}: no unique index"


async def test_an_index_whose_declaration_changed_is_rebuilt(
    mongo_url: str, client: AsyncMongoClient[dict[str, Any]]
) -> None:
    two_weeks = settings_of("loyalty", mongo_url, question_memory_days=14)
    await migrate(two_weeks)
    one_week = two_weeks.model_copy(update={"question_memory_days": 7})

    assert await migrate(one_week) == ["rebuilt questions.at_1"]

    questions = await client[one_week.mongo_db]["questions"].index_information()
    assert questions["at_1"]["expireAfterSeconds"] == 7 * 86_400
    # a collection two modules declare keeps every module's indexes
    assert {"profile_id_1", "author_key_1", "at_1"} <= questions.keys()


def test_the_command_migrates_every_service(
    mongo_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = unique("test").replace("-", "_") + "_"
    monkeypatch.setenv("RAPPORT_MONGO_URL", mongo_url)
    monkeypatch.setenv("RAPPORT_SERVICE_NAME", "ingest")  # names no database for --all
    sync: MongoClient[dict[str, Any]] = MongoClient(mongo_url)
    try:
        rapport(["migrate", "--all", "--db-prefix", prefix])
        out = capsys.readouterr().out
        for service in SERVICES:
            assert re.search(rf"^{service} \({prefix}{service}\): \d+ indexes created$", out, re.M)
            assert sync[prefix + service].list_collection_names(), service

        rapport(["migrate", "--service", "loyalty", "--db-prefix", prefix])
        assert capsys.readouterr().out == f"loyalty ({prefix}loyalty): up to date\n"
    finally:
        for service in SERVICES:
            sync.drop_database(prefix + service)
        sync.close()


@pytest.fixture
def mongo_warnings() -> Iterator[list[logging.LogRecord]]:
    """What rapport.mongo logs (on its own logger: a service's start-up resets the root's)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign,assignment]
    logger = logging.getLogger("rapport.mongo")
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


async def test_a_service_starting_on_an_unmigrated_database_warns_and_creates_nothing(
    mongo_url: str,
    kafka_bootstrap: str,
    client: AsyncMongoClient[dict[str, Any]],
    mongo_warnings: list[logging.LogRecord],
) -> None:
    settings = settings_of(
        "ingest",
        mongo_url,
        kafka_bootstrap=kafka_bootstrap,
        environment="test",
        auth_jwks=token_keys().auth_jwks,
    )
    app = create_app(settings)  # type: ignore[arg-type]

    async with app.router.lifespan_context(app):
        db = client[settings.mongo_db]
        indexes = [
            index["name"]
            for collection in await db.list_collection_names()
            async for index in await db[collection].list_indexes()
            if index["name"] != "_id_"
        ]

    assert indexes == []
    [warning] = [r for r in mongo_warnings if r.getMessage().startswith("indexes missing")]
    assert "mentions.author_key_1" in warning.__dict__["indexes"]
