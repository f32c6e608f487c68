"""Which failures are waited out and which are given up on.

- *transient*: a dependency is away. MongoDB unreachable, not primary, timing out, a write
  conflict or an error it labels retryable; Kafka unreachable or an error aiokafka marks
  ``retriable``, or an idempotent producer's broken numbering (``OutOfOrderSequenceNumber``:
  ``EventProducer`` renews itself); a timeout or a refused connection. The same work succeeds
  once it is back, so it is retried, for as long as it takes, without moving on.
- *permanent*: anything else (``OverflowError`` from BSON on an int >= 2**63 or a date out of
  range, ``ValueError``, a pydantic ``ValidationError``, a bug). Retrying does not help; a
  consumer dead-letters the record after a few attempts, a background worker moves on.

An exception raised ``from`` a transient one is transient too.
"""

import traceback
from collections.abc import Iterator

from aiokafka.errors import (
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    OutOfOrderSequenceNumber,
)
from pydantic import ValidationError
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError

TRANSIENT_LABELS = ("TransientTransactionError", "RetryableWriteError")
TRANSIENT_MONGO_CODES = frozenset(
    {
        6,  # HostUnreachable
        7,  # HostNotFound
        89,  # NetworkTimeout
        91,  # ShutdownInProgress
        112,  # WriteConflict
        134,  # ReadConcernMajorityNotAvailableYet
        189,  # PrimarySteppedDown
        262,  # ExceededTimeLimit
        9001,  # SocketException
        10107,  # NotWritablePrimary
        11600,  # InterruptedAtShutdown
        11602,  # InterruptedDueToReplStateChange
        13435,  # NotPrimaryNoSecondaryOk
        13436,  # NotPrimaryOrSecondary
    }
)
MAX_TRACEBACK_BYTES = 2048


def is_transient(error: BaseException) -> bool:
    return any(_transient(link) for link in _causes(error))


def waiting_for(error: BaseException) -> str:
    """What a transient failure waits for: "MongoDB", "Kafka" or "the network"."""
    for link in _causes(error):
        if isinstance(link, PyMongoError):
            return "MongoDB"
        if isinstance(link, KafkaError):
            return "Kafka"
    return "the network"


def error_type(error: BaseException) -> str:
    """The exception's qualified class name, e.g. ``pymongo.errors.AutoReconnect``."""
    cls = type(error)
    return (
        cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    )


def reason(error: BaseException) -> str:
    """A short reason that never carries the message text (it may quote personal data): the
    class name, and for a validation error where and what."""
    name = type(error).__name__
    if isinstance(error, ValidationError):
        where = "; ".join(
            f"{'.'.join(str(p) for p in detail['loc']) or 'value'}: {detail['type']}"
            for detail in error.errors(include_input=False, include_url=False)[:5]
        )
        return f"{name}: {where}"
    return name


def short_traceback(error: BaseException, limit_bytes: int = MAX_TRACEBACK_BYTES) -> str:
    """The innermost frames (file, line, function, code), at most ``limit_bytes``; without the
    exception's message."""
    frames = traceback.format_list(traceback.extract_tb(error.__traceback__))
    text = ""
    for frame in reversed(frames):
        if len((frame + text).encode()) > limit_bytes:
            break
        text = frame + text
    return text


def _transient(error: BaseException) -> bool:
    if isinstance(error, PyMongoError):
        return (
            isinstance(error, ConnectionFailure)
            or any(error.has_error_label(label) for label in TRANSIENT_LABELS)
            or (isinstance(error, OperationFailure) and error.code in TRANSIENT_MONGO_CODES)
            or error.timeout
        )
    if isinstance(error, KafkaError):
        renewed = KafkaConnectionError | KafkaTimeoutError | OutOfOrderSequenceNumber
        return error.retriable or isinstance(error, renewed)
    if isinstance(error, BaseExceptionGroup):
        return all(is_transient(inner) for inner in error.exceptions)
    return isinstance(error, TimeoutError | ConnectionError)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what it was explicitly raised ``from``."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__
