"""MongoDB commands a piece of code sends, per command name, counted by a PyMongo
``CommandListener`` (each is one round trip; a transaction's commit is one too):

    counter = CommandCounter()
    client = AsyncMongoClient(url, event_listeners=[counter])
    with counter.counting() as sent:
        await work()
    sent  # Counter({"find": 3, "update": 2, "commitTransaction": 1})

Commands on every database are counted, those of other tasks running meanwhile too.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from pymongo import monitoring


class CommandCounter(monitoring.CommandListener):
    def __init__(self, *, per_collection: bool = False) -> None:
        self.sent: Counter[str] = Counter()
        self._per_collection = per_collection
        """Count ``"find routing_rules"`` rather than ``"find"``."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name = event.command_name
        target = event.command.get(name)
        if self._per_collection and isinstance(target, str):
            name = f"{name} {target}"
        self.sent[name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    @contextmanager
    def counting(self) -> Iterator[Counter[str]]:
        """The commands sent inside the block, filled in when it ends."""
        before = self.sent.copy()
        delta: Counter[str] = Counter()
        try:
            yield delta
        finally:
            delta.update(self.sent - before)
