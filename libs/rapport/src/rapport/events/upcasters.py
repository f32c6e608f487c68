"""Older event versions that are still read, each with its step to the version after it.

A breaking change to an event gets a new ``schema_version`` (or a new type). The old model
stays, and an upcaster registered here turns it into its successor, so consumers only ever
handle the current version:

    @UPCASTERS.register(MentionIngestedV1, MentionIngested)
    def _mention_v2(old: MentionIngestedV1) -> MentionIngested: ...

Steps chain (v1 -> v2 -> v3); the codec reads any version of the chain and hands the
consumer the last one. Upcasters are pure and deterministic: they keep the event's id and
time, so a redelivered old event is recognised downstream like any other. Register them at
import time, next to the models (the codec caches each topic's routes).
"""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from rapport.events.base import Event

Old = TypeVar("Old", bound=Event)
New = TypeVar("New", bound=Event)
Step = Callable[[Any], Event]


class Upcasters:
    def __init__(self) -> None:
        self._steps: dict[type[Event], tuple[type[Event], Step]] = {}

    def register(
        self, old: type[Old], new: type[New]
    ) -> Callable[[Callable[[Old], New]], Callable[[Old], New]]:
        """A decorator: the function turns an ``old`` event into a ``new`` one."""
        if old in self._steps:
            raise ValueError(f"{old.__name__} already has an upcaster")
        if (old.type_name(), old.version()) == (new.type_name(), new.version()):
            raise ValueError(f"{old.__name__} and {new.__name__} are the same version")

        def add(step: Callable[[Old], New]) -> Callable[[Old], New]:
            self._steps[old] = (new, step)
            return step

        return add

    def old_versions(self) -> tuple[type[Event], ...]:
        return tuple(self._steps)

    def successors(self, model: type[Event]) -> list[type[Event]]:
        """The models ``model`` is upcast through, in order (empty for a current one)."""
        chain: list[type[Event]] = []
        while (step := self._steps.get(model)) is not None:
            model = step[0]
            if model in chain:
                raise ValueError(f"upcasters loop at {model.__name__}")
            chain.append(model)
        return chain

    def readable(self, current: Iterable[type[Event]]) -> tuple[type[Event], ...]:
        """``current`` and every older model whose upcasts lead to one of them."""
        wanted = tuple(current)
        older = (
            m for m in self._steps if m not in wanted and set(self.successors(m)) & set(wanted)
        )
        return (*wanted, *older)

    def upcast(self, event: Event) -> Event:
        while (step := self._steps.get(type(event))) is not None:
            new, upcast = step
            event = upcast(event)
            if type(event) is not new:
                raise TypeError(f"upcaster to {new.__name__} returned {type(event).__name__}")
        return event


UPCASTERS = Upcasters()
"""The upcasters of Rapport's contracts (registered next to the models they read)."""
