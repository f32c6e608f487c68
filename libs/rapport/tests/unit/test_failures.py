"""Which failures are waited out (transient) and which are given up on (permanent)."""

from datetime import UTC, datetime, timedelta, timezone

import bson
import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    NotLeaderForPartitionError,
    OutOfOrderSequenceNumber,
    RecordTooLargeError,
    RequestTimedOutError,
    TopicAuthorizationFailedError,
)
from pydantic import BaseModel
from pymongo.errors import (
    AutoReconnect,
    DuplicateKeyError,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    ServerSelectionTimeoutError,
)

from rapport.failures import (
    MAX_TRACEBACK_BYTES,
    error_type,
    is_transient,
    reason,
    short_traceback,
    waiting_for,
)


class Author(BaseModel):
    followers: int


def raised(work: object) -> BaseException:
    try:
        assert callable(work)
        work()
    except BaseException as error:
        return error
    raise AssertionError("nothing raised")


def bson_overflow() -> BaseException:
    return raised(lambda: bson.encode({"n": 2**63}))


def year_one_overflow() -> BaseException:
    at = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    return raised(lambda: at.astimezone(UTC))


def validation_error() -> BaseException:
    return raised(lambda: Author.model_validate({"followers": "many, says alice@example.com"}))


def labelled(label: str) -> OperationFailure:
    return OperationFailure("aborted", code=251, details={"errorLabels": [label]})


def wrapped(cause: BaseException) -> BaseException:
    try:
        raise RuntimeError("the store failed") from cause
    except RuntimeError as error:
        return error


TRANSIENT = [
    ServerSelectionTimeoutError("no primary"),
    AutoReconnect("connection reset"),
    NetworkTimeout("timed out"),
    NotPrimaryError("not primary"),
    OperationFailure("WriteConflict", code=112),
    OperationFailure("stepped down", code=189),
    labelled("TransientTransactionError"),
    labelled("RetryableWriteError"),
    KafkaConnectionError("unreachable"),
    KafkaTimeoutError("no ack"),
    RequestTimedOutError(),
    NotLeaderForPartitionError(),
    OutOfOrderSequenceNumber(),  # the producer renews itself: the same send then goes through
    TimeoutError(),
    ConnectionRefusedError(),
    wrapped(AutoReconnect("reset")),
]
PERMANENT = [
    bson_overflow(),
    year_one_overflow(),
    ValueError("bad"),
    validation_error(),
    KeyError("profile"),
    DuplicateKeyError("E11000", code=11000),
    OperationFailure("bad $ operator", code=2),
    RecordTooLargeError(),
    MessageSizeTooLargeError(),
    TopicAuthorizationFailedError(),
    wrapped(ValueError("bad")),
]


@pytest.mark.parametrize("error", TRANSIENT, ids=lambda e: type(e).__name__)
def test_transient(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize("error", PERMANENT, ids=lambda e: type(e).__name__)
def test_permanent(error: BaseException) -> None:
    assert not is_transient(error)


def test_the_overflows_of_the_poison_inputs_are_overflow_errors() -> None:
    assert isinstance(bson_overflow(), OverflowError)
    assert isinstance(year_one_overflow(), OverflowError)


def test_an_exception_group_is_transient_only_if_all_of_it_is() -> None:
    assert is_transient(ExceptionGroup("g", [TimeoutError(), AutoReconnect("x")]))
    assert not is_transient(ExceptionGroup("g", [TimeoutError(), ValueError("x")]))


@pytest.mark.parametrize(
    ("error", "dependency"),
    [
        (ServerSelectionTimeoutError("x"), "MongoDB"),
        (wrapped(OperationFailure("x", code=112)), "MongoDB"),
        (KafkaConnectionError("x"), "Kafka"),
        (TimeoutError(), "the network"),
    ],
)
def test_says_what_it_waits_for(error: BaseException, dependency: str) -> None:
    assert waiting_for(error) == dependency


def test_error_type_is_qualified_except_for_builtins() -> None:
    assert error_type(AutoReconnect("x")) == "pymongo.errors.AutoReconnect"
    assert error_type(bson_overflow()) == "OverflowError"


def test_reason_never_carries_the_message_text() -> None:
    assert reason(ValueError("alice@example.com is not a number")) == "ValueError"
    why = reason(validation_error())
    assert why == "ValidationError: followers: int_parsing"
    assert "alice" not in why


def test_short_traceback_names_the_innermost_frames_within_the_limit() -> None:
    def deep(n: int) -> None:
        if n == 0:
            raise ValueError("alice@example.com")
        deep(n - 1)

    text = short_traceback(raised(lambda: deep(200)))
    assert 0 < len(text.encode()) <= MAX_TRACEBACK_BYTES
    assert text.rstrip().endswith('raise ValueError("alice@example.com")')
    assert "in deep" in text
    assert "ValueError:" not in text
