"""History never pollutes live work: a twcs-shaped file (fixtures/twcs_history.csv, 31 Oct 2017:
twelve customers complain within ten minutes, the brand answers two, one writes again) goes
through the real consumer loop into responder on MongoDB, with the clock injected. Long after
the posts, they open only inactive cases of history (the two answered ones answered) and raise
no crisis; with the clock just after them, the same file is live work and a negative spike."""

import csv
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import pytest

from rapport.events import MentionEnriched
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.testing import eventually
from rapport.topics import Topic
from responder.ports import Ports

from .conftest import Clock, Serve, enriched, token
from .consuming import consuming

pytestmark = pytest.mark.integration
FIXTURE = Path(__file__).parent / "fixtures" / "twcs_history.csv"
AGENT = token("ann", "agent")
CUSTOMERS = 12


def events() -> list[MentionEnriched]:
    """The fixture's tweets as responder receives them (the brand's own marked from_brand)."""
    with FIXTURE.open(newline="") as rows:
        tweets = list(csv.DictReader(rows))
    root = {t["tweet_id"]: t["in_response_to_tweet_id"] or t["tweet_id"] for t in tweets}
    made = []
    for n, tweet in enumerate(tweets, start=1):
        customer = tweet["inbound"] == "TRUE"
        replied_to = tweet["in_response_to_tweet_id"] or None
        made.append(
            enriched(
                n,
                profile_id=uuid5(UUID(int=7), tweet["author_id"]),
                author=tweet["author_id"],
                external_id=tweet["tweet_id"],
                text=tweet["text"],
                created_at=datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y"),
                from_brand=not customer,
                in_reply_to=replied_to,
                conversation_id=root.get(replied_to or "", tweet["tweet_id"]),
                intents=["complaint"] if "broken" in tweet["text"] else ["other"],
                score=-0.8 if "broken" in tweet["text"] else 0.0,
            )
        )
    return made


async def imported(
    ports: Ports,
    mongo_db: Database,
    kafka_bootstrap: str,
    new_topic: Any,
    producer: EventProducer,
) -> None:
    name = await new_topic(1)
    topic = Topic(name, "test", "author", 1, 3_600_000, (MentionEnriched,), ("test",), ())
    made = events()
    await producer.publish_all([(name, e.payload.mention.author.id, e) for e in made])

    async def all_applied() -> bool:
        stored = await mongo_db["timeline"].count_documents({})
        answered = await mongo_db["cases"].count_documents({"first_response_at": {"$ne": None}})
        return stored == len(made) and answered == 2

    async with consuming(ports, mongo_db, kafka_bootstrap, producer, topic, MentionEnriched):
        await eventually(all_applied, timeout_s=60)


async def test_an_old_history_opens_no_live_case_and_raises_no_alert(
    ports: Ports,
    mongo_db: Database,
    kafka_bootstrap: str,
    new_topic: Any,
    producer: EventProducer,
    clock: Clock,
    serve: Serve,
) -> None:
    clock.now = datetime.fromisoformat("2017-12-01T00:00:00+00:00")
    await imported(ports, mongo_db, kafka_bootstrap, new_topic, producer)

    async with serve(clock) as (_, http):
        live = await http.get("/v1/cases", params={"active": "true"}, headers=AGENT)
        history = await http.get("/v1/cases", params={"historical": "true"}, headers=AGENT)
    assert (live.status_code, live.json()) == (200, [])
    assert history.headers["X-Total-Count"] == str(CUSTOMERS)
    cases = history.json()
    assert all(c["historical"] for c in cases)
    assert all(c["next_due"] is None for c in cases)
    answered = {c["handle"]: c["state"] for c in cases if c["first_response_at"] is not None}
    assert answered == {"h_700001": "open", "h_700002": "waiting_on_customer"}
    assert await mongo_db["negatives"].count_documents({}) == 0  # not even counted
    assert await mongo_db["alerts"].count_documents({}) == 0
    assert await mongo_db["outbox"].count_documents({"topic": "care.alerts"}) == 0


async def test_the_same_file_inside_the_live_window_is_live_work_and_a_spike(
    ports: Ports,
    mongo_db: Database,
    kafka_bootstrap: str,
    new_topic: Any,
    producer: EventProducer,
    clock: Clock,
    serve: Serve,
) -> None:
    clock.now = datetime.fromisoformat("2017-10-31T22:30:00+00:00")
    await imported(ports, mongo_db, kafka_bootstrap, new_topic, producer)

    async with serve(clock) as (_, http):
        live = await http.get("/v1/cases", params={"active": "true"}, headers=AGENT)
        history = await http.get("/v1/cases", params={"historical": "true"}, headers=AGENT)
    assert live.headers["X-Total-Count"] == str(CUSTOMERS)
    assert history.headers["X-Total-Count"] == "0"
    assert await mongo_db["outbox"].count_documents({"topic": "care.alerts"}) > 0
