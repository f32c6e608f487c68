"""What an operator does with a group's dead letters: list, show, replay, drop.

Replay sends the letter back to its original topic with its original key, value and headers
(so its event id, hence its effect, stays the same) plus ``dlq.replayed_from``. A letter is
replayed or dropped at most once: the action is claimed in ``dead_letter_actions`` first.
"""

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from prometheus_client import Gauge

from rapport.dlq.audit import Action, ActionLog, AlreadyHandled
from rapport.dlq.letters import DeadLetter, Headers, Position, group_topics
from rapport.dlq.reader import LetterReader

log = logging.getLogger(__name__)
MAX_PAGE = 500
MAX_BULK = 10_000

PENDING = Gauge(
    "rapport_dead_letters",
    "Dead letters neither replayed nor dropped, per original topic and consumer group",
    ["topic", "group"],
)


class Sender(Protocol):
    async def send_headers(
        self, topic: str, key: bytes | None, value: bytes | None, headers: Headers
    ) -> None: ...


class UnknownTopic(LookupError):
    """The group has no dead-letter topic of that name."""


@dataclass(frozen=True)
class Page:
    letters: list[dict[str, Any]]
    next: str | None


class DeadLetters:
    def __init__(
        self, group: str, *, reader: LetterReader, actions: ActionLog, producer: Sender
    ) -> None:
        self.group = group
        self._reader = reader
        self._actions = actions
        self._producer = producer

    def topics(self) -> list[str]:
        return sorted(group_topics(self.group))

    def resolve(self, topic: str) -> str:
        """The dead-letter topic named by ``topic``: itself, or the original topic's."""
        topics = group_topics(self.group)
        if topic in topics:
            return topic
        for dlq_topic, original in topics.items():
            if original.name == topic:
                return dlq_topic
        known = ", ".join(sorted(t.name for t in topics.values())) or "none"
        raise UnknownTopic(f"group {self.group} consumes no topic {topic!r} (its topics: {known})")

    async def listing(
        self, *, topic: str | None, limit: int, after: Position | None, include_handled: bool
    ) -> Page:
        topics = [self.resolve(topic)] if topic else self.topics()
        handled = await self._actions.handled(topics)

        def keep(letter: DeadLetter) -> bool:
            return include_handled or letter.position not in handled

        found = await self._reader.scan(topics, after=after, keep=keep, limit=limit + 1)
        page = found[:limit]
        await self._refresh(topics)
        return Page(
            [{**letter.summary(), "handled": handled.get(letter.position)} for letter in page],
            str(page[-1].position) if len(found) > limit else None,
        )

    async def show(self, position: Position, *, with_value: bool) -> dict[str, Any]:
        letter = await self._fetch(position)
        handled = await self._actions.handled([position.topic])
        return {**letter.details(with_value=with_value), "handled": handled.get(position)}

    async def act(
        self, action: Action, position: Position, *, by: str, note: str
    ) -> dict[str, Any]:
        """Replay or drop one letter; ``AlreadyHandled`` if that was done before."""
        letter = await self._fetch(position)
        await self._act(action, letter, by=by, note=note)
        await self._refresh([position.topic])
        return {**letter.summary(), "action": action.value}

    async def act_on_all(
        self, action: Action, *, topic: str | None, by: str, note: str
    ) -> dict[str, Any]:
        """Replay or drop every letter not handled yet (of one topic, or all the group's)."""
        topics = [self.resolve(topic)] if topic else self.topics()
        handled = await self._actions.handled(topics)
        letters = await self._reader.scan(
            topics, after=None, keep=lambda letter: letter.position not in handled, limit=MAX_BULK
        )
        done = []
        for letter in letters:
            try:
                await self._act(action, letter, by=by, note=note)
            except AlreadyHandled:
                continue  # someone else handled it meanwhile
            done.append(str(letter.position))
        await self._refresh(topics)
        return {"action": action.value, "count": len(done), "letters": done}

    async def _act(self, action: Action, letter: DeadLetter, *, by: str, note: str) -> None:
        await self._actions.claim(letter.position, action, by=by, note=note)
        if action is Action.REPLAY:
            try:
                # To the topic this dead-letter topic belongs to, whatever the headers say.
                topic = group_topics(self.group)[letter.position.topic].name
                await self._producer.send_headers(
                    topic, letter.key, letter.value, letter.replay_headers()
                )
            except BaseException:
                await self._actions.release(letter.position)
                raise
        await self._actions.complete(letter.position)
        log.info(
            "dead letter handled",
            extra={"position": str(letter.position), "action": action.value, "by": by},
        )

    async def refresh_metrics(self) -> None:
        await self._refresh(self.topics())

    async def _fetch(self, position: Position) -> DeadLetter:
        self.resolve(position.topic)
        return await self._reader.fetch(position)

    async def _refresh(self, topics: list[str]) -> None:
        """``rapport_dead_letters``: letters stored now minus those handled since."""
        pending: dict[str, int] = dict.fromkeys(topics, 0)
        for span in await self._reader.spans(topics):
            tp = span.partition
            handled = await self._actions.count(tp.topic, tp.partition, from_offset=span.first)
            pending[tp.topic] += max(0, span.end - span.first - handled)
        originals = group_topics(self.group)
        for topic, count in pending.items():
            PENDING.labels(originals[topic].name, self.group).set(count)
