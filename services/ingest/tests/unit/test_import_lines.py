"""Reading a file as it arrives: lines and CSV records, however the chunks cut the bytes."""

from collections.abc import AsyncIterator

import pytest

from ingest.imports import lines as lines_module
from ingest.imports.lines import Record, csv_records, is_text, lines


async def chunked(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def collect(iterator: AsyncIterator[object]) -> list[object]:
    return [item async for item in iterator]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
async def test_lines_survive_any_chunking_even_inside_a_character(size: int) -> None:
    data = "\ufeffa,b\r\n커피,é\nlast".encode()
    assert await collect(lines(chunked(data, size))) == ["a,b\r\n", "커피,é\n", "last"]


async def test_bytes_that_are_not_utf8_spoil_only_their_line() -> None:
    found = await collect(lines(chunked(b"good\nbad \xff\xfe\ngood again\n", 4)))
    assert [is_text(str(line)) for line in found] == [True, False, True]


@pytest.mark.parametrize("size", [1, 5, 1000])
async def test_a_quoted_field_may_span_lines_and_chunks(size: int) -> None:
    data = b'id,text\n1,"first line\nsecond ""quoted"" line"\n\n2,plain\n'
    assert await collect(csv_records(chunked(data, size))) == [
        Record(1, ["id", "text"]),
        Record(2, ["1", 'first line\nsecond "quoted" line']),
        Record(5, ["2", "plain"]),
    ]


async def test_a_malformed_record_is_reported_and_the_next_one_read() -> None:
    data = b'1,"a"b\n2,ok\n'
    first, second = await collect(csv_records(chunked(data, 3)))
    assert first == Record(1, None, "not valid CSV: ',' expected after '\"'")
    assert second == Record(2, ["2", "ok"])


async def test_a_quote_never_closed_is_reported_at_the_end() -> None:
    assert await collect(csv_records(chunked(b'1,ok\n2,"open\n3,x\n', 4))) == [
        Record(1, ["1", "ok"]),
        Record(2, None, "the file ends inside a quoted field"),
    ]


async def test_a_runaway_quote_is_cut_off_instead_of_filling_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lines_module, "MAX_RECORD_CHARS", 20)
    data = b'1,"open\n' + b"more text\n" * 5 + b'2,"ok"\n'
    found = await collect(csv_records(chunked(data, 8)))
    assert found[0] == Record(1, None, "a quoted field runs past 20 characters")
