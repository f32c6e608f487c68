"""The generic webhook's body: our own mention format, strict, for reviews and forums only."""

import json
from typing import Any

import pytest
from pydantic import ValidationError

from ingest.platforms import Unmappable, generic

REVIEW = {
    "platform": "reviews",
    "external_id": "r-1",
    "author": {"id": "u1", "handle": "dana"},
    "text": "Three stars: good coffee, loud pump",
    "created_at": "2026-11-20T09:00:00Z",
}


def parse(body: Any) -> list[str]:
    return [m.external_id for m in generic.parse(json.dumps(body).encode()).mentions]


def test_one_mention_or_a_batch() -> None:
    assert parse(REVIEW) == ["r-1"]
    assert parse({"mentions": [REVIEW, {**REVIEW, "external_id": "r-2"}]}) == ["r-1", "r-2"]


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"extra_forbidden|Extra inputs"):
        parse({**REVIEW, "stars": 3})


def test_another_platforms_mentions_are_refused() -> None:
    with pytest.raises(Unmappable) as caught:
        parse({"mentions": [REVIEW, {**REVIEW, "platform": "x"}]})
    assert [e["loc"] for e in caught.value.errors] == [["body", "batch", "mentions", 1, "platform"]]


def test_malformed_json_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"json_invalid|Invalid JSON"):
        generic.parse(b'{"platform": ')
