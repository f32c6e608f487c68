"""Profiles merged in profiles: the absorbed profiles' active cases move to the survivor.

When the survivor has no active case, the absorbed case simply changes hands. When it has
one, the absorbed case is folded into it (mentions, clocks, intents) and then closed as
``rerouted`` with no intents: it was not resolved for the customer, so it must not look like
a resolved complaint to loyalty.
"""

from uuid import UUID

from rapport.events import CaseState
from responder.domain.case import Case, caused
from responder.ports import Ports, Transaction
from responder.use_cases.case_changes import Decide, Step, change


async def move_cases(ports: Ports, absorbed: list[UUID], survivor: UUID) -> None:
    for profile_id in absorbed:
        moving = await ports.cases.active_of(profile_id)
        if moving is None:
            continue
        kept = await ports.cases.active_of(survivor)
        if kept is None:
            await change(ports, moving.id, _rehome(survivor))
        else:
            await change(ports, kept.id, _fold(moving))
            await change(ports, moving.id, _close)


def _rehome(survivor: UUID) -> Decide:
    async def decide(case: Case) -> Step | None:
        if case.profile_id == survivor or not case.active:
            return None
        return Step(case.model_copy(update={"profile_id": survivor}), [("rerouted", None)])

    return decide


def _fold(moving: Case) -> Decide:
    async def decide(case: Case) -> Step | None:
        cause = f"merge:{moving.id}"
        if cause in case.causes:
            return None
        folded = case.model_copy(
            update={
                "mention_ids": [*case.mention_ids, *moving.mention_ids],
                "external_ids": [*case.external_ids, *moving.external_ids],
                "conversation_ids": sorted({*case.conversation_ids, *moving.conversation_ids}),
                "customer_at": [*case.customer_at, *moving.customer_at],
                "responded_at": sorted([*case.responded_at, *moving.responded_at]),
                "intents": sorted({*case.intents, *moving.intents}),
                "opened_at": min(case.opened_at, moving.opened_at),
            }
        )
        if moving.priority_score > case.priority_score:
            top = {"priority_score": moving.priority_score, "priority": moving.priority}
            folded = folded.model_copy(update=top)

        async def also(tx: Transaction) -> None:
            await tx.timeline.move(moving.id, case.id)

        return Step(caused(folded, cause), [("mention_added", None)], also)

    return decide


async def _close(case: Case) -> Step | None:
    if not case.active:
        return None
    closed = case.model_copy(
        update={"state": CaseState.RESOLVED, "active": False, "intents": [], "next_due": None}
    )
    return Step(closed, [("rerouted", None)])
