"""Cases changed: each case's latest state is kept, and its owner's open complaints weigh on
their health; once per change, a batch in one unit (``ProfileStore.apply_cases``)."""

from profiles.domain.model import Clock, Profile
from profiles.domain.rules import Rules
from profiles.ports import Change, PlannedCase, ProfileStore
from profiles.use_cases.announcer import Announcer
from rapport.events import CaseChanged
from rapport.kafka.consumer import record_context


async def record_case_change(
    event: CaseChanged, *, profiles: ProfileStore, rules: Rules, clock: Clock
) -> None:
    """Keep the case's latest state; recount its owner's open complaints."""
    planned = planned_case(event, rules=rules, clock=clock)
    await profiles.apply_case(planned.cause, planned.case, planned.decide)


async def record_case_changes(
    events: list[CaseChanged], *, profiles: ProfileStore, rules: Rules, clock: Clock
) -> None:
    """``record_case_change`` for a batch, in order, in one unit."""
    await profiles.apply_cases([planned_case(e, rules=rules, clock=clock) for e in events])


def planned_case(event: CaseChanged, *, rules: Rules, clock: Clock) -> PlannedCase:
    announcer = Announcer(rules, clock(), str(event.event_id))

    def decide(before: Profile, open_complaints: int) -> Change:
        return announcer.change(
            before, before.model_copy(update={"open_complaints": open_complaints})
        )

    return PlannedCase(str(event.event_id), event.payload, decide, record_context(event))
