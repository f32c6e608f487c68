"""X Account Activity deliveries become mentions: mentions, replies, quotes; retweets ignored."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from ingest.platforms import Delivery, Unmappable, x

Payload = dict[str, Any]
FIXTURE = Path(__file__).parents[1] / "fixtures" / "webhooks" / "x_tweet_create_events.json"


@pytest.fixture
def payload() -> Payload:
    loaded: Payload = json.loads(FIXTURE.read_text())
    return loaded


def parse(payload: Payload) -> Delivery:
    return x.parse(json.dumps(payload).encode())


def test_a_delivery_maps_mentions_replies_and_quotes(payload: Payload) -> None:
    delivery = parse(payload)
    assert [m.external_id for m in delivery.mentions] == [
        "1851000000000000001",
        "1851000000000000002",
        "1851000000000000003",
    ]
    assert delivery.ignored == 2  # the retweet and the favorite event
    assert delivery.own_accounts == ["x:3001"]


def test_a_truncated_mention_carries_its_full_text_and_author(payload: Payload) -> None:
    first = parse(payload).mentions[0]
    assert first.text.endswith("three days. Not happy.")
    assert first.created_at == datetime(2026, 11, 18, 9, 12, 40, tzinfo=UTC)
    assert first.author.model_dump() == {
        "id": "4101",
        "handle": "annlee",
        "display_name": "Ann Lee",
        "followers": 1520,
        "verified": False,
    }
    assert first.engagement.model_dump() == {"likes": 5, "shares": 2, "replies": 1, "quotes": 0}
    assert first.url == "https://x.com/annlee/status/1851000000000000001"
    assert first.conversation_id == "1851000000000000001"
    assert first.in_reply_to is None


def test_a_reply_joins_the_conversation_of_its_target(payload: Payload) -> None:
    reply = parse(payload).mentions[1]
    assert reply.in_reply_to == "1851000000000000001"
    assert reply.conversation_id == "1851000000000000001"
    assert reply.author.id == "3001"


def test_a_given_conversation_id_wins(payload: Payload) -> None:
    payload["tweet_create_events"][1]["conversation_id"] = "1850999999999999999"
    assert parse(payload).mentions[1].conversation_id == "1850999999999999999"


def test_a_quote_post_names_the_quoted_tweet(payload: Payload) -> None:
    quote = parse(payload).mentions[2]
    assert quote.quote_of == "1851000000000000002"
    del payload["tweet_create_events"][2]["quoted_status_id_str"]
    assert parse(payload).mentions[2].quote_of == "1851000000000000002"


def test_other_event_types_are_ignored() -> None:
    delivery = parse({"for_user_id": "3001", "follow_events": [{}, {}], "user_has_blocked": True})
    assert delivery.mentions == []
    assert delivery.ignored == 2


def test_a_tweet_without_an_id_is_malformed(payload: Payload) -> None:
    del payload["tweet_create_events"][0]["id_str"]
    with pytest.raises(ValidationError) as caught:
        parse(payload)
    assert caught.value.errors()[0]["loc"] == ("tweet_create_events", 0, "id_str")


def test_a_bad_x_time_is_malformed(payload: Payload) -> None:
    payload["tweet_create_events"][0]["created_at"] = "yesterday"
    with pytest.raises(ValidationError):
        parse(payload)


def test_a_tweet_that_is_no_valid_mention_points_at_itself(payload: Payload) -> None:
    payload["tweet_create_events"][1]["id_str"] = "not an id!"
    with pytest.raises(Unmappable) as caught:
        parse(payload)
    assert caught.value.errors[0]["loc"] == ["body", "tweet_create_events", 1, "external_id"]
