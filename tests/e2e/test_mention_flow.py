"""A mention posted to ingest, through the real broker and databases, to cases and points."""

from functools import partial
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from rapport.events import MentionIngested
from rapport.events.codec import encode
from rapport.mongo import Database
from rapport.testing import eventually, read_topic, unique
from tests.support import (
    WAIT_S,
    Platform,
    Reachable,
    caught_up,
    mention,
    negative,
    positive,
    profile_id,
)

pytestmark = pytest.mark.e2e


async def post(http: httpx.AsyncClient, platform: Reachable, *mentions: dict[str, Any]) -> Any:
    response = await http.post(
        f"{platform.url('ingest')}/v1/mentions",
        json={"mentions": list(mentions)},
        headers=platform.token("integration"),
    )
    assert response.status_code == 202, response.text
    return response.json()


async def cases_of(http: httpx.AsyncClient, platform: Reachable, author: str) -> list[Any]:
    response = await http.get(
        f"{platform.url('responder')}/v1/cases",
        params={"profile_id": str(profile_id(author))},
        headers=platform.token("agent"),
    )
    assert response.status_code == 200
    cases: list[Any] = response.json()
    return cases


async def member(http: httpx.AsyncClient, platform: Reachable, author: str) -> Any:
    response = await http.get(
        f"{platform.url('loyalty')}/v1/members/{profile_id(author)}",
        headers=platform.token("agent"),
    )
    return response.json() if response.status_code == 200 else None


async def test_a_negative_mention_becomes_a_case(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    author = unique("neg")
    await post(http, platform, mention(unique("m"), author, negative()))
    (case,) = await eventually(lambda: cases_of(http, platform, author), timeout_s=WAIT_S)
    assert case["state"] == "open"
    assert case["queue"] == "support"
    assert len(case["mention_ids"]) == 1


async def test_a_second_complaint_joins_the_open_case(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    author = unique("again")
    await post(http, platform, mention(unique("m"), author, negative()))
    await post(http, platform, mention(unique("m"), author, "Still broken. Terrible support."))

    async def threaded() -> list[Any] | None:
        cases = await cases_of(http, platform, author)
        return cases if cases and len(cases[0]["mention_ids"]) == 2 else None

    cases = await eventually(threaded, timeout_s=WAIT_S)
    assert len(cases) == 1


async def test_a_positive_mention_becomes_points(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    author = unique("pos")
    await post(http, platform, mention(unique("m"), author, positive()))
    found = await eventually(lambda: member(http, platform, author), timeout_s=WAIT_S)
    assert found["balance"] == 10
    (entry,) = found["ledger"]
    assert entry["rule"] == "positive_mention"
    enriched = partial(caught_up, platform.kafka, "responder", "social.mentions.enriched")
    await eventually(
        enriched, timeout_s=WAIT_S
    )  # responder has seen the mention too: and opened no case
    assert await cases_of(http, platform, author) == []


async def mention_count(dbs: dict[str, Database], author: str) -> int:
    profile = await dbs["profiles"]["profiles"].find_one({"_id": profile_id(author)})
    return int(profile["mention_count"]) if profile else 0


async def assert_one_effect_each(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database], happy: str, unhappy: str
) -> None:
    """Post one more mention from each author: the same key keeps it behind anything redelivered,
    so once it has its effect every earlier copy has been handled, and counts are final."""
    await post(
        http,
        platform,
        mention(unique("m"), happy, positive()),
        mention(unique("m"), unhappy, negative()),
    )

    async def settled() -> bool:
        cases = await cases_of(http, platform, unhappy)
        found = await member(http, platform, happy)
        return bool(
            found
            and len(found["ledger"]) >= 2
            and cases
            and len(cases[0]["mention_ids"]) >= 2
            and await mention_count(dbs, happy) >= 2
        )

    await eventually(settled, timeout_s=WAIT_S)
    found = await member(http, platform, happy)
    assert len(found["ledger"]) == 2
    assert found["balance"] == 20
    (case,) = await cases_of(http, platform, unhappy)
    assert len(case["mention_ids"]) == 2
    assert await mention_count(dbs, happy) == 2
    assert await mention_count(dbs, unhappy) == 2


async def test_posting_the_same_mention_twice_has_one_effect(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    happy, unhappy = unique("twice-pos"), unique("twice-neg")
    both = [mention(unique("m"), happy, positive()), mention(unique("m"), unhappy, negative())]
    first = await post(http, platform, *both)
    again = await post(http, platform, *both)
    assert first["accepted"] == 2
    assert again["duplicates"] == 2
    await assert_one_effect_each(http, platform, dbs, happy, unhappy)


async def test_a_redelivered_mention_has_one_effect(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    """The same event twice on the topic, as after a producer retry or a consumer replay."""
    happy, unhappy = unique("redeliver-pos"), unique("redeliver-neg")
    both = [mention(unique("m"), happy, positive()), mention(unique("m"), unhappy, negative())]
    await post(http, platform, *both)
    await eventually(lambda: member(http, platform, happy), timeout_s=WAIT_S)
    await eventually(lambda: cases_of(http, platform, unhappy), timeout_s=WAIT_S)
    keys = [f"x:{happy}", f"x:{unhappy}"]
    archived = await dbs["ingest"]["mentions"].find({"author_key": {"$in": keys}}).to_list()
    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka, acks="all")
    await producer.start()
    try:
        for doc in archived:
            again = MentionIngested.caused_by(
                doc["mention"]["platform"], doc["mention"]["external_id"], payload=doc["mention"]
            )
            assert str(again.event_id) == doc["event_id"]
            await producer.send_and_wait(
                "social.mentions", encode(again), key=doc["author_key"].encode()
            )
    finally:
        await producer.stop()
    await assert_one_effect_each(http, platform, dbs, happy, unhappy)


async def test_a_malformed_message_is_dead_lettered_and_processing_goes_on(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    garbage = unique("garbage").encode()
    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait("social.mentions", b"{" + garbage, key=b"x:someone")
    finally:
        await producer.stop()
    author = unique("after-garbage")
    await post(http, platform, mention(unique("m"), author, positive()))
    await eventually(lambda: member(http, platform, author), timeout_s=WAIT_S)

    dead = await read_topic(
        platform.kafka,
        "social.mentions.dlq.profiles",
        until=lambda records: any(garbage in (r.value or b"") for r in records),
    )
    (record,) = [r for r in dead if garbage in (r.value or b"")]
    headers = dict(record.headers)
    assert headers["dlq.original.topic"] == b"social.mentions"
    assert int(headers["dlq.original.offset"]) >= 0
    assert headers["dlq.group"] == b"profiles"
    assert headers["dlq.reason"]
