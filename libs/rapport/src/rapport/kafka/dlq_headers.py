"""The headers a dead letter carries: the original record's own, then where it came from and
why it failed. ``rapport dlq`` lists, replays and drops dead letters by these names.

The reason and the traceback never carry the exception's message (it may quote personal data).
"""

from typing import Any

from rapport.clock import utcnow
from rapport.failures import error_type, short_traceback
from rapport.telemetry import Headers

ORIGINAL_TOPIC = "dlq.original.topic"
ORIGINAL_PARTITION = "dlq.original.partition"
ORIGINAL_OFFSET = "dlq.original.offset"
GROUP = "dlq.group"
REASON = "dlq.reason"
ERROR_TYPE = "dlq.error.type"
ERROR_TRACEBACK = "dlq.error.traceback"
FAILED_AT = "dlq.failed_at"
ATTEMPTS = "dlq.attempts"
MAX_REASON_CHARS = 1000


def dead_letter_headers(
    record: Any, group: str, error: BaseException, reason: str, *, attempts: int
) -> Headers:
    """``record`` (an aiokafka ConsumerRecord) failed in ``group`` with ``error``."""
    ours = {
        ORIGINAL_TOPIC: record.topic,
        ORIGINAL_PARTITION: str(record.partition),
        ORIGINAL_OFFSET: str(record.offset),
        GROUP: group,
        REASON: reason[:MAX_REASON_CHARS],
        ERROR_TYPE: error_type(error),
        ERROR_TRACEBACK: short_traceback(error),
        FAILED_AT: utcnow().isoformat(),
        ATTEMPTS: str(attempts),
    }
    kept = [(name, value) for name, value in record.headers or () if name not in ours]
    return [*kept, *((name, value.encode()) for name, value in ours.items())]
