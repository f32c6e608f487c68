"""The analysis stage against the real database and broker: ingest answers before analysing,
analysers share pending mentions and publish each once, a failing text holds nothing up.

The stage's relay publishes to a fresh topic of the test's own, never to ``social.mentions``."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo.errors import AutoReconnect

from ingest.adapters.archive_store import MongoArchive
from ingest.adapters.import_store import MongoImportStore
from ingest.analyser.pending import Done, PendingMentions
from ingest.analyser.pool import AnalysisPool
from ingest.analyser.worker import Analyser
from ingest.analysis import batch
from ingest.analysis.encoder_sentiment import encoder_sentiments
from ingest.analysis.sentiment import Engine, score
from ingest.main import create_app
from ingest.settings import IngestSettings
from rapport.migrate import migrate
from rapport.mongo import Database
from rapport.outbox import OutboxRelay
from rapport.testing import eventually, reference, token_keys, unique
from services.ingest.tests.integration.analysis_stage import (
    WAIT_S,
    ToTopic,
    analysed,
    in_outbox,
    incoming,
    published,
    stored,
)

pytestmark = pytest.mark.integration
CSV = {"content-type": "text/csv"}
FIXTURES = Path(__file__).parents[1] / "fixtures"


Stage = Callable[..., Awaitable[None]]


@pytest.fixture
async def topic(new_topic: Callable[[], Awaitable[str]]) -> str:
    return await new_topic()


@pytest.fixture
async def stage(
    mongo_db: Database, kafka_bootstrap: str, topic: str
) -> AsyncIterator[Callable[..., Any]]:
    """``async with stage(analysers=2, engine=...)``: analysers and a relay to ``topic``."""
    producer = ToTopic(kafka_bootstrap, topic)
    await producer.start()

    @asynccontextmanager
    async def running(
        analysers: int = 1, engine: Engine = "lexicon", batch: int = 64
    ) -> AsyncIterator[None]:
        relay = OutboxRelay(mongo_db, producer, poll_s=0.05)
        workers = [
            Analyser(
                PendingMentions(mongo_db),
                AnalysisPool(engine, processes=0),
                batch=batch,
                poll_s=0.05,
                completed=relay.wake,
            )
            for _ in range(analysers)
        ]
        tasks = [asyncio.create_task(w.run()) for w in [relay, *workers]]
        try:
            yield
        finally:
            for worker in [relay, *workers]:
                worker.stop()
            await asyncio.gather(*tasks)

    yield running
    await producer.stop()


@asynccontextmanager
async def ingest_without_its_workers(settings: IngestSettings) -> AsyncIterator[httpx.AsyncClient]:
    """ingest's API with its background workers (analyser, relay) stopped: what it stores and
    answers, and nothing else."""
    await migrate(settings)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await app.state.runtime.workers.stop()
        transport = httpx.ASGITransport(app=app)
        token = token_keys().token("integration", subject="test")
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://ingest", headers=headers
        ) as http:
            yield http


async def test_ingest_answers_before_analysis_and_the_stage_publishes_afterwards(
    settings: dict[str, Any], mongo_db: Database, kafka_bootstrap: str, topic: str, stage: Any
) -> None:
    external_id = unique("m")
    body = {
        "platform": "x",
        "external_id": external_id,
        "author": {"id": "ann"},
        "text": "My Brightloop grinder is broken again, worst purchase ever",
        "created_at": "2026-11-20T09:00:00Z",
    }
    async with ingest_without_its_workers(IngestSettings(**settings)) as http:
        response = await http.post("/v1/mentions", json=body)
    assert response.status_code == 202
    doc = await mongo_db["mentions"].find_one({"_id": f"x:{external_id}"})
    assert doc is not None
    assert doc["pending"] is True
    assert (doc["mention"]["sentiment"]["label"], doc["mention"]["intents"]) == ("neutral", [])
    assert await mongo_db["outbox"].count_documents({}) == 0

    async with stage(engine="encoder"):
        (event,) = await published(kafka_bootstrap, topic, 1)
    assert event.payload.external_id == external_id
    assert (event.payload.sentiment.label.value, event.payload.language) == ("negative", "en")
    assert "complaint" in event.payload.intents
    assert (await analysed(mongo_db, f"x:{external_id}"))["sentiment"]["label"] == "negative"


async def test_two_analysers_publish_each_mention_once_in_each_authors_order(
    mongo_db: Database, kafka_bootstrap: str, topic: str, stage: Any
) -> None:
    archive = MongoArchive(mongo_db)
    authors = [unique("a") for _ in range(7)]
    mentions = [
        incoming(authors[i % 7], f"Brightloop {reference()} is fine", i) for i in range(300)
    ]
    for start in range(0, len(mentions), 25):  # one request at a time, 25 mentions each
        await archive.accept([stored(m) for m in mentions[start : start + 25]])

    async with stage(analysers=2, batch=16):
        events = await published(kafka_bootstrap, topic, len(mentions))
        await in_outbox(mongo_db, len(mentions))

    ids = [e.payload.external_id for e in events]
    assert sorted(ids) == sorted(m.external_id for m in mentions)  # each once, none missing
    for author in authors:
        theirs = [e.payload.external_id for e in events if e.payload.author.id == author]
        assert theirs == [m.external_id for m in mentions if m.author.id == author]


class CompletionInterrupted(PendingMentions):
    """MongoDB goes away during the first completion, after the claim was taken."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, claim_s=3600)  # a claim that never expires within the test
        self.interrupted = 0

    async def complete(self, token: str, done: Sequence[Done]) -> list[Done]:
        if not self.interrupted:
            self.interrupted += 1
            raise AutoReconnect("connection closed")
        return await super().complete(token, done)


async def test_a_completion_mongodb_interrupted_is_retried_under_the_same_claim(
    mongo_db: Database, kafka_bootstrap: str, topic: str
) -> None:
    """Not left claimed until the claim expires (by default 2 minutes, blocking the authors'
    later mentions meanwhile): the next step completes what was analysed."""
    mentions = [incoming("bo", f"Brightloop {reference()} is fine", i) for i in range(5)]
    await MongoArchive(mongo_db).accept([stored(m) for m in mentions])
    pending = CompletionInterrupted(mongo_db)
    producer = ToTopic(kafka_bootstrap, topic)
    await producer.start()
    relay = OutboxRelay(mongo_db, producer, poll_s=0.05)
    analyser = Analyser(pending, AnalysisPool("lexicon", processes=0), poll_s=0.05)
    tasks = [asyncio.create_task(w.run()) for w in (relay, analyser)]
    try:
        events = await published(kafka_bootstrap, topic, len(mentions))
    finally:
        for worker in (relay, analyser):
            worker.stop()
        await asyncio.gather(*tasks)
        await producer.stop()
    assert pending.interrupted == 1
    assert [e.payload.external_id for e in events] == [m.external_id for m in mentions]


async def test_a_text_the_analysis_fails_on_is_published_with_defaults_and_holds_up_nothing(
    mongo_db: Database, kafka_bootstrap: str, topic: str, stage: Any, monkeypatch: Any
) -> None:
    poison = "POISON"

    def failing_on_poison(real: Callable[..., Any]) -> Callable[..., Any]:
        def call(text: Any, *args: Any, **kwargs: Any) -> Any:
            if poison in str(text):
                raise RuntimeError("the engine cannot read this text")
            return real(text, *args, **kwargs)

        return call

    monkeypatch.setattr(batch, "encoder_sentiments", failing_on_poison(encoder_sentiments))
    monkeypatch.setattr(batch, "score", failing_on_poison(score))
    import_id = await MongoImportStore(mongo_db).create("csv", "x")
    texts = [
        "I love my new Brightloop, the coffee is amazing",
        f"{poison} my grinder is broken and nobody answers",
        "My Brightloop grinder is broken again, worst purchase ever",
    ]
    mentions = [incoming("ann", text, i) for i, text in enumerate(texts)]
    await MongoArchive(mongo_db).accept([stored(m) for m in mentions], import_id=import_id)

    async with stage(engine="encoder"):
        events = await published(kafka_bootstrap, topic, 3)

    labels = [(e.payload.sentiment.label.value, e.payload.intents) for e in events]
    assert [e.payload.external_id for e in events] == [m.external_id for m in mentions]
    assert (labels[0][0], labels[2][0]) == ("positive", "negative")
    assert labels[1] == ("neutral", ["complaint"])  # default sentiment, intents from the cues
    doc = await mongo_db["mentions"].find_one({"_id": f"x:{mentions[1].external_id}"})
    assert doc is not None
    assert doc["analysis_failed"] == "RuntimeError"
    progress = await MongoImportStore(mongo_db).get(import_id)
    assert progress is not None
    assert (progress["processed"], progress["unanalysed"]) == (3, 1)


async def test_an_imports_progress_counts_the_rows_processed_not_only_received(
    settings: dict[str, Any], mongo_db: Database, stage: Any
) -> None:
    twcs = (FIXTURES / "twcs_small.csv").read_bytes()
    async with ingest_without_its_workers(IngestSettings(**settings)) as http:
        response = await http.post("/v1/imports?format=twcs", content=twcs, headers=CSV)
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["state"], body["accepted"], body["processed"]) == ("completed", 16, 0)

        async def progress() -> dict[str, Any]:
            found: dict[str, Any] = (await http.get(response.headers["location"])).json()
            return found

        async def all_processed() -> dict[str, Any] | None:
            found = await progress()
            return found if found["processed"] == 16 else None

        assert (await progress())["processed"] == 0  # nothing analysed while the stage is off
        async with stage():
            done = await eventually(all_processed, timeout_s=WAIT_S)
    assert (done["accepted"], done["unanalysed"]) == (16, 0)
