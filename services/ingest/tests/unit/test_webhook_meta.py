"""Meta Graph deliveries become mentions: Page comments, visitor posts, mentions; Instagram."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from ingest.platforms import Delivery, meta

FIXTURES = Path(__file__).parents[1] / "fixtures" / "webhooks"
Payload = dict[str, Any]


def load(name: str) -> Payload:
    loaded: Payload = json.loads((FIXTURES / name).read_text())
    return loaded


def parse(payload: Payload) -> Delivery:
    return meta.parse(json.dumps(payload).encode())


def test_page_comments_visitor_posts_and_mentions_are_mapped() -> None:
    delivery = parse(load("meta_page_feed.json"))
    assert [(m.external_id, m.in_reply_to) for m in delivery.mentions] == [
        ("2201_8801", "1093000000000001_2201"),
        ("2201_8802", "2201_8801"),
        ("1093000000000001_2202", None),
        ("7001000000000004_5501", None),
    ]
    assert {m.platform.value for m in delivery.mentions} == {"facebook"}
    assert delivery.ignored == 1  # the reaction
    assert delivery.own_accounts == ["facebook:1093000000000001"]


def test_a_comment_carries_author_time_thread_and_url() -> None:
    comment = parse(load("meta_page_feed.json")).mentions[0]
    assert comment.author.id == "7001000000000001"
    assert comment.author.display_name == "Dana Park"
    assert comment.text.startswith("Does the Brightloop Mini fit")
    assert comment.created_at == datetime.fromtimestamp(1795251200, UTC)
    assert comment.conversation_id == "1093000000000001_2201"
    assert comment.url == "https://www.facebook.com/2201_8801"


def test_a_page_mention_names_its_sender() -> None:
    mention = parse(load("meta_page_feed.json")).mentions[3]
    assert (mention.author.id, mention.author.display_name) == ("7001000000000004", "Chris Yoon")


def test_a_visitor_photo_post_is_a_mention() -> None:
    payload = load("meta_page_feed.json")
    visitor_post = payload["entry"][0]["changes"][2]["value"]
    visitor_post.update(item="photo", photo_id="3301", link="https://scontent.example/3301.jpg")
    assert parse(payload).mentions[2].external_id == "1093000000000001_2202"


def test_edits_and_removals_are_ignored() -> None:
    payload = load("meta_page_feed.json")
    for change in payload["entry"][0]["changes"]:
        change["value"]["verb"] = "edited"
    delivery = parse(payload)
    assert (delivery.mentions, delivery.ignored) == ([], 5)


def test_instagram_comments_are_mapped_and_id_only_mentions_ignored() -> None:
    delivery = parse(load("meta_instagram.json"))
    (comment,) = delivery.mentions
    assert comment.platform.value == "instagram"
    assert (comment.external_id, comment.author.handle) == ("17860000000000001", "minji.coffee")
    assert comment.conversation_id == comment.in_reply_to == "17900000000000001"
    assert comment.created_at == datetime.fromtimestamp(1795252100, UTC)
    assert delivery.ignored == 1
    assert delivery.own_accounts == ["instagram:17841400000000001"]


def test_unknown_objects_and_fields_are_ignored() -> None:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {}}]}],
    }
    assert parse(payload).ignored == 1
    payload = {"object": "page", "entry": [{"id": "1", "changes": [{"field": "ratings"}]}]}
    assert parse(payload).ignored == 1


def test_a_delivery_without_entries_is_malformed() -> None:
    with pytest.raises(ValidationError) as caught:
        parse({"object": "page"})
    assert caught.value.errors()[0]["loc"] == ("entry",)


def test_a_feed_change_with_a_malformed_time_is_malformed() -> None:
    payload = load("meta_page_feed.json")
    payload["entry"][0]["changes"][0]["value"]["created_time"] = "soon"
    with pytest.raises(ValidationError):
        parse(payload)
