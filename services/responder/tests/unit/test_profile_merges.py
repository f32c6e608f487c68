"""Profiles merged in profiles (``use_cases.profile_merges``) on the fakes: cases move over."""

from dataclasses import replace

import pytest

from rapport.events import CaseState, Intent
from responder.fakes import Fakes
from responder.ports import Ports, Work
from responder.use_cases.case_intake import take_mention
from responder.use_cases.profile_merges import move_cases

from .conftest import ALICE, BOB, mention


async def test_the_absorbed_case_changes_hands_when_the_survivor_has_none(
    ports: Ports, fakes: Fakes
) -> None:
    moving = await take_mention(ports, mention(1, profile_id=BOB, intents=["complaint"]))
    await move_cases(ports, [BOB], ALICE)
    assert moving is not None
    moved = await fakes.cases.get(moving.id)
    assert moved is not None
    assert (moved.profile_id, moved.active) == (ALICE, True)
    assert fakes.cases.published[-1].payload.change == "rerouted"


async def test_the_absorbed_case_folds_into_the_survivors_and_closes_once(
    ports: Ports, fakes: Fakes
) -> None:
    kept = await take_mention(ports, mention(1, intents=["question"], score=-0.3))
    moving = await take_mention(
        ports, mention(2, profile_id=BOB, author="bob", intents=["complaint"], score=-1.0)
    )
    assert kept is not None
    assert moving is not None
    for _ in range(2):  # the merge delivered again
        await move_cases(ports, [BOB], ALICE)
    folded, closed = await fakes.cases.get(kept.id), await fakes.cases.get(moving.id)
    assert folded is not None
    assert closed is not None
    assert folded.mention_ids == [*kept.mention_ids, *moving.mention_ids]
    assert folded.intents == [Intent.COMPLAINT, Intent.QUESTION]
    assert folded.priority_score == max(kept.priority_score, moving.priority_score)
    assert (closed.state, closed.active, closed.intents) == (CaseState.RESOLVED, False, [])
    messages = await fakes.timeline.of_case(kept.id)
    assert {m.id for m in messages} == {*kept.mention_ids, *moving.mention_ids}
    changes = [(e.payload.case_id, e.payload.change) for e in fakes.cases.published[2:]]
    assert changes == [(kept.id, "mention_added"), (moving.id, "rerouted")]


async def test_a_merge_redone_after_a_crash_between_fold_and_close_folds_once(
    ports: Ports, fakes: Fakes
) -> None:
    kept = await take_mention(ports, mention(1, intents=["question"]))
    moving = await take_mention(
        ports, mention(2, profile_id=BOB, author="b", intents=["complaint"])
    )
    assert kept is not None
    assert moving is not None
    calls: list[Work] = []

    async def crashing_on_the_close(work: Work) -> None:
        calls.append(work)
        if len(calls) == 2:
            raise RuntimeError("the process died")
        await fakes.uow(work)

    with pytest.raises(RuntimeError):
        await move_cases(replace(ports, uow=crashing_on_the_close), [BOB], ALICE)
    await move_cases(ports, [BOB], ALICE)
    folded = await fakes.cases.get(kept.id)
    assert folded is not None
    assert folded.mention_ids == [*kept.mention_ids, *moving.mention_ids]
