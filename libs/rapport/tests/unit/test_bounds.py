"""The bounds every entry point shares, at their edges."""

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from rapport.bounds import (
    INT64_MAX,
    MAX_COUNT,
    MAX_DEPTH,
    MAX_NUMBER_CHARS,
    Amount,
    Clean,
    Count,
    Int64,
    OutOfBounds,
    Timestamp,
    load_json,
)


class Sample(BaseModel):
    at: Timestamp | None = None
    count: Count = 0
    int64: Int64 = 0
    amount: Amount = 1.0
    text: Annotated[str, Field(max_length=8), Clean] = ""


def refusal(**fields: Any) -> str:
    """The one error ``fields`` raise, as 'field: message'; fails if they are accepted."""
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(fields)
    (error,) = caught.value.errors()
    return f"{error['loc'][0]}: {error['msg']}"


class TestTimestamp:
    def test_2006_is_the_earliest_accepted(self) -> None:
        assert Sample(at="2006-01-01T00:00:00Z").at == datetime(2006, 1, 1, tzinfo=UTC)
        assert refusal(at="2005-12-31T23:59:59Z") == (
            "at: Value error, must not be before 2006-01-01"
        )

    def test_year_one_with_an_offset_is_refused_without_overflowing(self) -> None:
        assert "before 2006-01-01" in refusal(at="0001-01-01T00:00:00+01:00")

    def test_up_to_a_day_ahead_is_accepted(self) -> None:
        now = datetime.now(UTC)
        assert Sample(at=now + timedelta(days=1, minutes=-1)).at
        assert "more than a day in the future" in refusal(at=now + timedelta(days=1, minutes=1))
        assert "more than a day" in refusal(at="9999-12-31T23:59:59-01:00")

    def test_naive_timestamps_are_refused_with_the_reason(self) -> None:
        assert refusal(at="2026-01-01T00:00:00") == "at: Input should have timezone info"


class TestIntegers:
    def test_counts_are_bounded_below_and_above(self) -> None:
        assert Sample(count=MAX_COUNT).count == MAX_COUNT
        assert refusal(count=MAX_COUNT + 1).startswith("count: Input should be less than")
        assert refusal(count=-1).startswith("count: Input should be greater than")
        assert refusal(count=2**63).startswith("count: Input should be less than")

    def test_int64_is_what_bson_stores(self) -> None:
        assert Sample(int64=INT64_MAX).int64 == INT64_MAX
        assert Sample(int64=-INT64_MAX - 1).int64 == -(2**63)
        assert refusal(int64=2**63).startswith("int64: Input should be less than")
        assert refusal(int64=-(2**63) - 1).startswith("int64: Input should be greater than")


class TestAmount:
    def test_amounts_are_positive_finite_and_bounded(self) -> None:
        assert Sample(amount=0.01).amount == 0.01
        assert Sample(amount=1_000_000).amount == 1_000_000
        for bad in (0, 0.001, -5, 1_000_000.01):
            assert refusal(amount=bad).startswith("amount: Input should be")
        for bad in (float("nan"), float("inf")):
            assert refusal(amount=bad) == "amount: Input should be a finite number"


class TestText:
    def test_nul_is_refused(self) -> None:
        assert refusal(text="a\x00b") == "text: Value error, must not contain NUL characters"

    def test_lone_surrogates_are_refused(self) -> None:
        assert "valid string" in refusal(text=json.loads('"a\\ud800"'))

    def test_length_is_the_fields_own(self) -> None:
        assert Sample(text="12345678").text == "12345678"
        assert refusal(text="123456789").startswith("text: String should have at most 8")
        assert Sample(text="한국어 🎉").text == "한국어 🎉"


def nested(depth: int) -> str:
    return "[" * (depth - 1) + '{"a": 1}' + "]" * (depth - 1)


class TestJsonDocuments:
    def test_nesting_up_to_the_limit_is_accepted(self) -> None:
        assert load_json(nested(MAX_DEPTH))
        with pytest.raises(OutOfBounds, match="nested deeper than 32 levels"):
            load_json(nested(MAX_DEPTH + 1))

    def test_nesting_past_the_interpreters_limit_is_refused_not_crashed(self) -> None:
        with pytest.raises(OutOfBounds, match="nested deeper"):
            load_json("[" * 100_000 + "]" * 100_000)

    def test_number_literals_are_bounded_before_conversion(self) -> None:
        assert load_json("9" * MAX_NUMBER_CHARS) == int("9" * MAX_NUMBER_CHARS)
        for literal in ("9" * (MAX_NUMBER_CHARS + 1), "1" * 4300, "1." + "0" * 40):
            with pytest.raises(OutOfBounds, match="a number is longer than 32 characters"):
                load_json(f'{{"n": {literal}}}')

    def test_numbers_too_large_for_a_float_are_refused(self) -> None:
        assert load_json('{"n": 1e308}') == {"n": 1e308}
        with pytest.raises(OutOfBounds, match="a number is too large"):
            load_json('{"n": 1e400}')

    def test_non_finite_constants_are_refused(self) -> None:
        for constant in ("NaN", "Infinity", "-Infinity"):
            with pytest.raises(OutOfBounds, match="is not a JSON number"):
                load_json(f'{{"amount": {constant}}}')

    def test_invalid_utf8_is_refused(self) -> None:
        with pytest.raises(OutOfBounds, match="not valid UTF-8"):
            load_json(b'{"text": "\xff\xfe"}')

    def test_malformed_json_is_a_decode_error(self) -> None:
        with pytest.raises(json.JSONDecodeError):
            load_json('{"a": ')

    def test_a_refusal_names_where_in_the_document(self) -> None:
        cases = {
            '{"a": [1, {"n": ' + "1" * 40 + "}]}": ("a", 1, "n"),
            '{"likes": NaN}': ("likes",),
            '{"tweets": [{"text": "a\\u0000b"}]}': ("tweets", 0, "text"),
            '{"tweets": [{"text": "a\\ud800b"}]}': ("tweets", 0, "text"),
            '{"ok": "fine", "b\\u0000d": 1}': (),
            nested(MAX_DEPTH + 1): (0,) * MAX_DEPTH,
        }
        for document, loc in cases.items():
            with pytest.raises(OutOfBounds) as refused:
                load_json(document)
            assert refused.value.loc == loc, document
