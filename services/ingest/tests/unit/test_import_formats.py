"""The three layouts an import reads: generic CSV, JSONL, Customer Support on Twitter."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.imports.formats import Format, parse
from ingest.imports.rows import ImportRefused, Parsed, Rejected, Row
from rapport.events import Platform

FIXTURES = Path(__file__).parents[1] / "fixtures"


async def chunked(data: bytes, size: int = 13) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def read(format: Format, data: bytes, platform: Platform | None = None) -> list[Parsed]:
    return [item async for item in parse(format, chunked(data), platform)]


def rows(parsed: list[Parsed]) -> dict[str, Row]:
    return {p.mention.external_id: p for p in parsed if isinstance(p, Row)}


def rejected(parsed: list[Parsed]) -> dict[int, str]:
    return {p.number: p.reason for p in parsed if isinstance(p, Rejected)}


class TestGenericCsv:
    async def test_columns_map_to_the_mention(self) -> None:
        parsed = await read(Format.CSV, (FIXTURES / "generic.csv").read_bytes(), Platform.FORUM)
        good = rows(parsed)
        assert sorted(good) == ["g-1", "g-11", "g-2", "g-3", "g-4"]
        first = good["g-1"].mention
        assert (first.author.id, first.author.handle, first.author.display_name) == (
            "u-1",
            "@ann",
            "Ann Lee",
        )
        assert (first.author.followers, first.author.verified, first.language) == (1200, True, "en")
        assert (first.engagement.likes, first.engagement.shares, first.engagement.replies) == (
            10,
            2,
            1,
        )
        assert first.url == "https://x.example/ann/1"
        assert good["g-2"].mention.text == "Why does my grinder\nmake that noise?"
        assert good["g-4"].mention.platform is Platform.FORUM
        assert good["g-11"].mention.in_reply_to == "g-1"

    async def test_bad_rows_are_rejected_by_column_without_their_values(self) -> None:
        parsed = await read(Format.CSV, (FIXTURES / "generic.csv").read_bytes(), Platform.FORUM)
        assert rejected(parsed) == {
            5: "followers: Input should be a valid integer, unable to parse string as an integer",
            6: "created_at: Field required",
            7: "created_at: Input should have timezone info",
            8: "platform: Input should be 'x', 'facebook', 'instagram', 'reviews', 'forum' or "
            "'generic'",
            9: "verified: Input should be a valid boolean, unable to interpret input",
            10: "not valid CSV: ',' expected after '\"'",
        }
        assert [p.line for p in parsed if isinstance(p, Rejected)] == [7, 8, 9, 10, 11, 12]

    @pytest.mark.parametrize(
        ("data", "reason"),
        [
            (b"", "the first line must be a CSV header"),
            (b'"never closed\n', "the first line must be a CSV header"),
            (b"external_id,author_id,text,created_at,mood\n1,2,3,4,5\n", "unknown columns: mood"),
            (b"external_id,text,created_at\n", "missing columns: author_id"),
            (b"external_id,author_id,text,created_at,text\n", "a column is named twice"),
        ],
    )
    async def test_a_file_it_cannot_map_is_refused(self, data: bytes, reason: str) -> None:
        with pytest.raises(ImportRefused, match=reason):
            await read(Format.CSV, data, Platform.X)

    async def test_without_a_platform_parameter_the_column_is_required(self) -> None:
        with pytest.raises(ImportRefused, match="missing columns: platform"):
            await read(Format.CSV, b"external_id,author_id,text,created_at\n")


class TestJsonl:
    async def test_each_line_is_a_mention_and_bad_lines_say_why(self) -> None:
        parsed = await read(Format.JSONL, (FIXTURES / "mentions.jsonl").read_bytes(), Platform.X)
        good = rows(parsed)
        assert sorted(good) == ["j-1", "j-2", "j-6"]
        assert good["j-2"].mention.platform is Platform.X
        assert good["j-2"].mention.engagement.likes == 4
        assert good["j-6"].mention.author.followers == 90000
        assert rejected(parsed) == {
            3: "not valid JSON: Expecting value at column 102",
            4: "expected a JSON object",
            5: "mood: Extra inputs are not permitted",
            6: "text: Field required",
        }
        assert [p.line for p in parsed if isinstance(p, Rejected)] == [4, 5, 6, 7]

    async def test_an_empty_file_has_no_rows(self) -> None:
        assert await read(Format.JSONL, b"\n\n") == []


class TestCustomerSupportOnTwitter:
    async def test_rows_become_threaded_mentions_with_the_brand_marked(self) -> None:
        good = rows(await read(Format.TWCS, (FIXTURES / "twcs_small.csv").read_bytes()))
        assert len(good) == 16
        first, brand_reply = good["100"].mention, good["101"]
        assert first.platform is Platform.X
        assert first.created_at == datetime(2026, 11, 20, 8, 55, tzinfo=UTC)
        assert (first.author.id, first.author.handle, good["100"].from_brand) == (
            "501",
            None,
            False,
        )
        assert brand_reply.from_brand
        assert brand_reply.mention.author.handle == "BrightloopCare"
        assert brand_reply.mention.in_reply_to == "100"
        by_conversation: dict[str | None, set[str]] = {}
        for tweet, row in good.items():
            by_conversation.setdefault(row.mention.conversation_id, set()).add(tweet)
        assert by_conversation == {
            "100": {"100", "101", "102", "103", "104", "105"},
            "199": {"200", "201", "202"},  # 199 is not in the file: its nearest known id
            "300": {"300", "301", "302"},
            "400": {"400"},
            "401": {"401"},
            "500": {"500", "501"},
        }
        assert good["104"].mention.text.endswith(
            'manual says\n"descale monthly" but the app says weekly?'
        )

    async def test_bad_rows_are_rejected_and_counted_by_row(self) -> None:
        parsed = await read(Format.TWCS, (FIXTURES / "twcs_small.csv").read_bytes())
        assert rejected(parsed) == {
            15: "inbound: must be True or False",
            16: "created_at: expected like 'Tue Oct 31 22:10:47 +0000 2017'",
            17: "text: Field required",
            18: "expected 7 fields, found 5",
            19: "tweet_id: String should match pattern '^[A-Za-z0-9_.:@-]+$'",
        }

    async def test_the_header_must_be_the_twcs_one(self) -> None:
        with pytest.raises(ImportRefused, match="missing columns"):
            await read(Format.TWCS, b"tweet_id,author_id,text\n1,a,hi\n")
