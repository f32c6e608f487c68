"""JSON logs, one object a line, carrying the current trace and span ids.

Log positions and ids (``topic[partition] offset=...``, event ids), never message text or
personal data: only the fields passed in ``extra`` are added to the record.

Repeats are bounded: :class:`RepeatFilter` sits on the root handler, so every logger's records
(aiokafka's and pymongo's reconnect warnings too) pass it. The first record of a kind is
written, then at most one per ``repeat_s`` seconds, carrying how many were ``suppressed``.
"""

import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
            entry["span_id"] = format(span_context.span_id, "016x")
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


@dataclass
class _Seen:
    written_at: float
    suppressed: int = 0


class RepeatFilter(logging.Filter):
    """Writes the first record of a kind (logger, message template, level), then at most one
    per ``repeat_s`` seconds; the one written carries ``suppressed``, the count held back."""

    def __init__(
        self,
        repeat_s: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_kinds: int = 1024,
    ) -> None:
        super().__init__()
        self.repeat_s, self.clock, self.max_kinds = repeat_s, clock, max_kinds
        self._seen: dict[tuple[str, str, int], _Seen] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        kind = (record.name, str(record.msg), record.levelno)
        seen = self._seen.get(kind)
        if seen is None:
            self._forget_quiet_kinds(now)
            self._seen[kind] = _Seen(now)
            return True
        if now - seen.written_at < self.repeat_s:
            seen.suppressed += 1
            return False
        if seen.suppressed:
            record.suppressed = seen.suppressed
        seen.written_at, seen.suppressed = now, 0
        return True

    def _forget_quiet_kinds(self, now: float) -> None:
        """Keeps the table bounded when messages are not templates (pre-formatted text)."""
        if len(self._seen) < self.max_kinds:
            return
        quiet = [k for k, s in self._seen.items() if now - s.written_at >= self.repeat_s]
        for kind in quiet or list(self._seen)[: self.max_kinds // 2]:
            del self._seen[kind]


def setup_logging(service: str, level: str = "INFO", *, repeat_s: float = 30.0) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler.addFilter(RepeatFilter(repeat_s))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "pymongo"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    logging.getLogger("uvicorn.access").disabled = True
