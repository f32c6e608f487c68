from dataclasses import dataclass
from datetime import UTC, datetime

from responder.domain.assignment import choose

EARLY, LATE = datetime(2026, 11, 20, 9, tzinfo=UTC), datetime(2026, 11, 20, 10, tzinfo=UTC)


@dataclass
class A:
    id: str
    load: int = 0
    last_assigned_at: datetime | None = None
    capacity: int = 3
    available: bool = True
    skills: tuple[str, ...] = ("support",)


def chosen(*agents: A, skills: tuple[str, ...] = ("support",)) -> str | None:
    found = choose(agents, skills)  # type: ignore[arg-type]
    return found.id if found else None


def test_fewest_open_cases_first() -> None:
    assert chosen(A("ann", load=2), A("bob", load=1, last_assigned_at=LATE)) == "bob"


def test_then_the_longest_idle() -> None:
    assert chosen(A("ann", last_assigned_at=LATE), A("bob", last_assigned_at=EARLY)) == "bob"
    assert chosen(A("ann", last_assigned_at=EARLY), A("bob")) == "bob"


def test_only_available_agents_with_room_and_the_skills() -> None:
    assert chosen(A("ann", available=False), A("bob", load=3), A("cy", skills=("sales",))) is None
    assert chosen(A("ann", skills=("support", "ko")), skills=("support", "ko")) == "ann"
