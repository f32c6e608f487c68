"""Mentions into cases a batch at a time: the effects of ``case_intake.take_mention`` for each, in
the batch's order, with the batch's reads done once and its case changes stored together:

- the brand posts are kept in one write, before the customers' mentions look for answers;
- one read finds, for every mention and profile of the batch, the case that took the mention,
  the profile's current case and its kept snapshot, and one more the unattached brand posts
  that may answer those cases; both are kept up to date in memory, mention after mention;
- a mention that needs no human and follows up no case costs nothing more; the changes of the
  others, their events (the outbox) and their messages are stored in one transaction: all or
  nothing. If another writer changed one of the cases since it was read, nothing is stored
  and each mention is taken in by ``take_mention`` (its own read and transaction);
- the race ``case_intake._late_answers`` closes is closed for all stored cases with one read.

A mention already taken in (the batch delivered again) is found by the first read and changes
nothing; a batch redone one by one after a failure finds what it stored.
"""

from collections.abc import Iterable, Mapping
from dataclasses import replace
from uuid import UUID

from opentelemetry.context import Context

from rapport.events import EnrichedMention
from responder.domain.case import Case, settle
from responder.domain.case_events import Changed, changed
from responder.domain.messages import Message, answers
from responder.ports import CaseConflict, Ports, Transaction
from responder.use_cases.case_changes import Step, save_all
from responder.use_cases.case_intake import (
    Threaded,
    answer_with,
    answered,
    message,
    next_step,
    take_mention,
)


class _Answers:
    """Unattached brand posts read once; a post leaves once a stored case took it."""

    def __init__(self, posts: list[Message]) -> None:
        self._posts = posts

    async def __call__(self, case: Case) -> list[Message]:
        return [post for post in self._posts if answers(post, case)]

    def attached(self, case: Case) -> None:
        self._posts = [post for post in self._posts if str(post.id) not in case.causes]


async def take_mentions(
    ports: Ports, batch: list[EnrichedMention], traces: Mapping[UUID, Context] | None = None
) -> list[Case | None]:
    """``take_mention`` of each mention, in order: the case each now belongs to. ``traces``,
    per mention id, the trace its case events follow."""
    posts = [e for e in batch if e.mention.from_brand]
    await ports.timeline.add_all([message(e.mention_event_id, e.mention, None) for e in posts])
    customers = [e for e in batch if not e.mention.from_brand]
    taken = await _in_one_transaction(ports, customers, traces or {})
    if taken is None:  # another writer changed a case meanwhile: each mention starts afresh
        taken = {e.mention_event_id: await take_mention(ports, e) for e in customers}
    stored = {case.id: case for case in taken.values() if case is not None}
    for post in await _posts_answering(ports, stored.values(), []):
        case = next((case for case in stored.values() if answers(post, case)), None)
        if case is not None:
            stored[case.id] = await answered(ports, case.id, post.id, post.created_at)
    for enriched in posts:
        await answer_with(ports, enriched.mention_event_id, enriched.mention)
    return [_latest(taken.get(e.mention_event_id), stored) for e in batch]


async def _in_one_transaction(
    ports: Ports, customers: list[EnrichedMention], traces: Mapping[UUID, Context]
) -> dict[UUID, Case | None] | None:
    """Each mention's step from the state the ones before it left, all stored in one
    transaction; None, and nothing stored, on a conflict."""
    causes = [str(e.mention_event_id) for e in customers]
    takings = await ports.cases.takings(causes, [e.profile.profile_id for e in customers])
    pool = _Answers(await _posts_answering(ports, takings.current.values(), customers))
    policies = await ports.policies.all()
    changes: list[Changed] = []
    threads: list[tuple[Message, list[UUID]]] = []
    taken: dict[UUID, Case | None] = {}
    for enriched in customers:
        taking = takings.of(str(enriched.mention_event_id), enriched.profile.profile_id)
        step = await next_step(ports, enriched, taking, pool)
        if isinstance(step, Step):
            assert isinstance(step.also, Threaded)  # what a customer's mention writes
            threads.append((step.also.customer, step.also.answers))
            change = changed(settle(step.case, policies), step.changes, ports.clock())
            changes.append(replace(change, trace=traces.get(enriched.mention_event_id)))
            step = changes[-1].case
            takings.stored(step)
            pool.attached(step)
        taken[enriched.mention_event_id] = step

    async def thread(tx: Transaction) -> None:
        await tx.timeline.thread_all(threads)

    try:
        await save_all(ports, changes, thread)
    except CaseConflict:
        return None
    return taken


async def _posts_answering(
    ports: Ports, cases: Iterable[Case], mentions: list[EnrichedMention]
) -> list[Message]:
    """The unattached brand posts that may answer one of ``cases`` or a case one of
    ``mentions`` opens or joins (in one read)."""
    cases = list(cases)
    external_ids = {i for c in cases for i in c.external_ids}
    external_ids.update(e.mention.external_id for e in mentions)
    conversations = {i for c in cases for i in c.conversation_ids}
    conversations.update(e.mention.conversation_id for e in mentions if e.mention.conversation_id)
    starts = [c.opened_at for c in cases] + [e.mention.created_at for e in mentions]
    if not starts:
        return []
    return await ports.timeline.unattached_posts(external_ids, conversations, min(starts))


def _latest(case: Case | None, stored: dict[UUID, Case]) -> Case | None:
    return None if case is None else stored.get(case.id, case)
