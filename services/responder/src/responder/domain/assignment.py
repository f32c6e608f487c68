"""Fair automatic assignment: among available agents with the case's skills and room under
their capacity, the one holding the fewest open cases, then the one idle longest."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol


class Candidate(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def skills(self) -> list[str]: ...
    @property
    def capacity(self) -> int: ...
    @property
    def available(self) -> bool: ...
    @property
    def load(self) -> int: ...
    @property
    def last_assigned_at(self) -> datetime | None: ...


def choose(agents: Sequence[Candidate], skills: Sequence[str]) -> Candidate | None:
    eligible = [
        agent
        for agent in agents
        if agent.available and agent.load < agent.capacity and set(skills) <= set(agent.skills)
    ]

    def fairness(agent: Candidate) -> tuple[int, bool, float, str]:
        """Fewest open cases; then never assigned; then assigned longest ago."""
        last = agent.last_assigned_at
        return (agent.load, last is not None, last.timestamp() if last else 0.0, agent.id)

    return min(eligible, key=fairness, default=None)
