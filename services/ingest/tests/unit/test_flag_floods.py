"""Flagging copy-paste floods against the in-memory sightings (``ingest.fakes``)."""

from datetime import timedelta
from typing import Any

from ingest.domain.floods import FloodRule
from ingest.fakes import FakeFloodSightings
from ingest.use_cases.flag_floods import Floods
from rapport.events import Intent, Mention
from rapport.events.factories import BASE_TIME, a_mention

TEXT = "The Brightloop store on Main Street opens at nine tomorrow"


def copy(author: str, minutes: int = 0, **fields: Any) -> Mention:
    n = sum(map(ord, author)) + minutes
    mention = a_mention(n, author=author, text=fields.pop("text", TEXT), **fields)
    return mention.model_copy(update={"created_at": BASE_TIME + timedelta(minutes=minutes)})


def spam(mentions: list[Mention]) -> list[bool]:
    return [Intent.SPAM in m.intents for m in mentions]


def floods() -> Floods:
    return Floods(FakeFloodSightings(), FloodRule(authors=3, window=timedelta(minutes=10)))


async def test_requests_in_turn_flag_only_from_the_third_author_on() -> None:
    flagged = await floods().flag_in_turn([[copy("a")], [copy("b", 1)], [copy("c", 2)]])

    assert spam(flagged) == [False, False, True]


async def test_every_copy_of_a_request_that_reaches_the_threshold_is_flagged() -> None:
    flagged = await floods().flag_in_turn([[copy("a"), copy("b"), copy("c")]])

    assert spam(flagged) == [True, True, True]


async def test_copies_further_apart_than_the_window_are_no_flood() -> None:
    flagged = await floods().flag_in_turn([[copy("a")], [copy("b", 11)], [copy("c", 22)]])

    assert spam(flagged) == [False, False, False]


async def test_the_brands_copies_and_short_texts_never_count() -> None:
    brand = [copy(a).model_copy(update={"from_brand": True}) for a in "abc"]
    short = [copy(a, text="thank you so much") for a in "def"]

    flagged = await floods().flag_in_turn([brand, short])

    assert spam(flagged) == [False] * 6


async def test_one_author_posting_it_again_counts_once() -> None:
    flagged = await floods().flag_in_turn([[copy("a")], [copy("a", 1)], [copy("b", 2)]])

    assert spam(flagged) == [False, False, False]
