"""``MentionIn`` follows the contract's ``Mention``, with the bounds of input."""

from typing import Any

import pytest
from pydantic import ValidationError

from ingest.domain.normalize import AuthorIn, EngagementIn, MentionIn
from rapport.events import Author, Engagement, Mention

WORKED_OUT = {"sentiment", "intents", "from_brand", "source"}


def mention(**fields: Any) -> dict[str, Any]:
    author = {"id": "ann", **fields.pop("author", {})}
    return {
        "platform": "x",
        "external_id": "t1",
        "author": author,
        "text": "the grinder is loud",
        "created_at": "2026-11-20T09:00:00Z",
        **fields,
    }


def refusal(**fields: Any) -> tuple[tuple[str | int, ...], str]:
    with pytest.raises(ValidationError) as refused:
        MentionIn.model_validate(mention(**fields))
    (error,) = refused.value.errors()
    return error["loc"], error["msg"]


def test_it_has_the_contracts_fields_but_those_ingest_works_out() -> None:
    assert list(MentionIn.model_fields) == [f for f in Mention.model_fields if f not in WORKED_OUT]
    assert list(AuthorIn.model_fields) == list(Author.model_fields)
    assert list(EngagementIn.model_fields) == list(Engagement.model_fields)


def test_a_valid_mention_becomes_the_contracts_mention_once_analysed() -> None:
    parsed = MentionIn.model_validate(mention(author={"followers": 3}))
    analysed = {"sentiment": {"score": 0.0, "label": "neutral"}}

    assert Mention.model_validate({**parsed.model_dump(), **analysed}).author.followers == 3


@pytest.mark.parametrize(
    ("fields", "loc", "message"),
    [
        ({"text": "a\x00b"}, ("text",), "NUL"),
        ({"author": {"handle": "a\x00b"}}, ("author", "handle"), "NUL"),
        ({"author": {"followers": 10**13}}, ("author", "followers"), "less than or equal"),
        ({"engagement": {"likes": -1}}, ("engagement", "likes"), "greater than or equal"),
        ({"created_at": "2001-01-01T00:00:00Z"}, ("created_at",), "before 2006-01-01"),
        ({"created_at": "2026-11-20T09:00:00"}, ("created_at",), "timezone"),
        ({"url": "ftp://example.com/a"}, ("url",), "match pattern"),
        ({"sentiment": {"score": 0.0, "label": "neutral"}}, ("sentiment",), "not permitted"),
    ],
)
def test_input_out_of_bounds_is_refused_naming_the_field(
    fields: dict[str, Any], loc: tuple[str, ...], message: str
) -> None:
    found_loc, found_message = refusal(**fields)

    assert (found_loc, message in found_message) == (loc, True), found_message
