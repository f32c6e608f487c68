"""The cases port (``CaseStore`` and its writes in a transaction) on the fake and on MongoDB."""

from datetime import timedelta
from uuid import UUID

import pytest

from rapport.events import CaseState, Intent, Priority, RelationshipStage
from rapport.events.factories import BASE_TIME
from responder.domain.case_events import changed
from responder.ports import CaseConflict, Transaction

from .conftest import Backend, a_case, a_snapshot

pytestmark = pytest.mark.integration


class TestCaseStore:
    async def test_a_saved_case_reads_back_with_its_events(self, backend: Backend) -> None:
        (saved,) = await backend.save(a_case(1))
        cases = backend.ports.cases
        assert saved.sequence == 1
        assert await cases.get(saved.id) == saved
        assert await cases.get_all([saved.id, a_case(2).id]) == [saved]
        assert await cases.active_of(saved.profile_id) == saved
        events = await backend.case_events()
        assert [(e.payload.case_id, e.payload.sequence) for e in events] == [(saved.id, 1)]

    async def test_a_change_from_an_old_read_conflicts_and_stores_nothing(
        self, backend: Backend
    ) -> None:
        (saved,) = await backend.save(a_case(1))
        await backend.save(saved.model_copy(update={"queue": "pr"}))
        with pytest.raises(CaseConflict):
            await backend.save(saved.model_copy(update={"queue": "sales"}))
        stored = await backend.ports.cases.get(saved.id)
        assert stored is not None
        assert (stored.queue, stored.sequence) == ("pr", 2)
        assert len(await backend.case_events()) == 2

    async def test_a_second_active_case_of_a_profile_conflicts(self, backend: Backend) -> None:
        (first,) = await backend.save(a_case(1))
        with pytest.raises(CaseConflict):
            await backend.save(a_case(2, profile_id=first.profile_id))
        assert await backend.ports.cases.get(a_case(2).id) is None
        resolved = a_case(3, profile_id=first.profile_id, active=False)
        assert await backend.save(resolved)  # a resolved one may sit beside it

    async def test_taking_finds_the_taker_the_current_case_and_the_kept_snapshot(
        self, backend: Backend
    ) -> None:
        profile = a_case(1).profile_id
        old = a_case(1, active=False, resolved_at=BASE_TIME, causes=["m1"])
        newer = a_case(2, profile_id=profile, active=False, resolved_at=BASE_TIME.replace(hour=10))
        await backend.save(old, newer)
        await backend.ports.profiles.remember(a_snapshot(1, RelationshipStage.FAN, 5))
        taking = await backend.ports.cases.taking("m1", profile)
        assert taking.taken_by is not None
        assert taking.taken_by.id == old.id
        assert taking.current is not None
        assert taking.current.id == newer.id
        assert taking.kept is not None
        assert taking.kept.stage is RelationshipStage.FAN
        (active,) = await backend.save(a_case(3, profile_id=profile))
        assert (await backend.ports.cases.taking("m9", profile)).current == active
        takings = await backend.ports.cases.takings(["m1", "m9"], [profile, a_case(7).profile_id])
        assert takings.taken == {"m1": old.model_copy(update={"sequence": 1})}
        assert takings.current == {profile: active}
        assert list(takings.kept) == [profile]

    async def test_a_brand_post_answers_the_case_holding_what_it_replies_to(
        self, backend: Backend
    ) -> None:
        first = a_case(1, external_ids=["e1"], conversation_ids=["c"])
        later = a_case(2, external_ids=["e2"], conversation_ids=["c"])
        await backend.save(first, later)
        cases = backend.ports.cases
        assert (await cases.answered_by("c", "e1")).id == first.id  # type: ignore[union-attr]
        assert (await cases.answered_by("c", None)).id == later.id  # type: ignore[union-attr]
        assert await cases.answered_by("c", "nowhere") is None
        assert await cases.answered_by(None, None) is None

    async def test_due_cases_come_earliest_first(self, backend: Backend) -> None:
        due = [BASE_TIME + timedelta(minutes=m) for m in (30, 10, 20)]
        await backend.save(*(a_case(n, next_due=at) for n, at in enumerate(due, start=1)))
        found = await backend.ports.cases.due(BASE_TIME + timedelta(minutes=25), 10)
        assert [case.id for case in found] == [a_case(2).id, a_case(3).id]
        assert len(await backend.ports.cases.due(BASE_TIME + timedelta(hours=1), 1)) == 1

    async def test_find_filters_sorts_and_pages_and_count_agrees(self, backend: Backend) -> None:
        await backend.save(
            a_case(1, priority_score=50.0, intents=[Intent.COMPLAINT]),
            a_case(2, priority_score=80.0, intents=[Intent.COMPLAINT, Intent.QUESTION]),
            a_case(3, priority_score=80.0, next_due=BASE_TIME, intents=[Intent.COMPLAINT]),
            a_case(4, priority_score=99.0, queue="pr"),
            a_case(5, priority_score=99.0, state=CaseState.RESOLVED, active=False),
        )
        cases = backend.ports.cases
        query = {"queue": "support", "active": True, "intents": Intent.COMPLAINT.value}
        sort = [("priority_score", -1), ("next_due", 1), ("_id", 1)]
        found = await cases.find(query, sort, 0, 10)
        assert [case.id for case in found] == [a_case(n).id for n in (2, 3, 1)]
        assert [case.id for case in await cases.find(query, sort, 1, 1)] == [a_case(3).id]
        assert await cases.count(query) == 3
        assert await cases.count({"state": CaseState.RESOLVED.value}) == 1
        assert await cases.count({"profile_id": a_case(4).profile_id}) == 1

    async def test_queue_counts_count_the_active_cases(self, backend: Backend) -> None:
        await backend.save(
            a_case(1, assignee="ann", priority=Priority.URGENT),
            a_case(2),
            a_case(3, queue="pr"),
            a_case(4, active=False, state=CaseState.RESOLVED),
        )
        assert await backend.ports.cases.queue_counts() == [
            {"queue": "pr", "active": 1, "unassigned": 1, "breached": 0, "urgent": 0},
            {"queue": "support", "active": 2, "unassigned": 1, "breached": 0, "urgent": 1},
        ]

    async def test_tags_are_bounded_kept_by_case_changes_and_found(self, backend: Backend) -> None:
        (case,) = await backend.save(a_case(1))
        await backend.save(a_case(2))
        cases = backend.ports.cases
        for n in range(3):
            assert await cases.tag(case.id, f"t{n}", 3) is True
        assert await cases.tag(case.id, "t1", 3) is True  # held already: no room needed
        assert await cases.tag(case.id, "t3", 3) is False  # full
        assert await cases.tag(UUID(int=99), "t0", 3) is None
        changed_later = changed(case, [("assigned", None)], BASE_TIME)  # read before the tags

        async def work(tx: Transaction) -> None:
            await tx.cases.save_all([changed_later])

        await backend.ports.uow(work)
        stored = await cases.get(case.id)
        assert stored is not None
        assert (stored.sequence, stored.tags) == (2, ["t0", "t1", "t2"])
        assert await cases.untag(case.id, "t1") is True
        assert await cases.untag(case.id, "t1") is True
        assert await cases.untag(UUID(int=99), "t1") is False
        assert [c.id for c in await cases.find({"tags": "t2"}, [("_id", 1)], 0, 10)] == [case.id]
        assert await cases.count({"tags": "t1"}) == 0
