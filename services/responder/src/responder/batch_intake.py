"""Mentions into cases a batch at a time, with the effects of ``intake.take_mention`` for each,
in the batch's order, and the batch's reads done once:

- the brand posts are kept in one write, before the customers' mentions look for answers;
- one read finds, for every mention and profile of the batch, the case that took the mention,
  the profile's current case and its kept snapshot, and one more the unattached brand posts
  that may answer those cases; both are kept up to date in memory as cases are stored;
- a mention that needs no human and follows up no case costs nothing more; one that changes a
  case is stored as ``take_mention`` stores it (its own transaction, with its events), and on
  a conflict (another writer changed the case) is taken in by ``take_mention`` itself;
- the race ``intake.late_answers`` closes is closed for all stored cases with one read.

Each effect is the per-mention one, idempotent by mention id, so a batch redelivered, or
redone one by one after a failure, applies nothing twice.
"""

from collections.abc import Iterable
from uuid import UUID

from rapport.events import EnrichedMention
from responder.desk import Desk, Step
from responder.domain.case import Case
from responder.intake import answer_with, answered, message, next_step, take_mention
from responder.repository import CaseConflict, Takings
from responder.stores.timeline import Message, answers


class _Answers:
    """Unattached brand posts read once; a post leaves once a stored case took it."""

    def __init__(self, posts: list[Message]) -> None:
        self._posts = posts

    async def __call__(self, case: Case) -> list[Message]:
        return [post for post in self._posts if answers(post, case)]

    def attached(self, case: Case) -> None:
        self._posts = [post for post in self._posts if str(post.id) not in case.causes]


async def take_mentions(desk: Desk, batch: list[EnrichedMention]) -> list[Case | None]:
    """``take_mention`` of each mention, in order: the case each now belongs to."""
    posts = [e for e in batch if e.mention.from_brand]
    await desk.timeline.add_all([message(e.mention_event_id, e.mention, None) for e in posts])
    customers = [e for e in batch if not e.mention.from_brand]
    causes = [str(e.mention_event_id) for e in customers]
    takings = await desk.cases.takings(causes, [e.profile.profile_id for e in customers])
    pool = _Answers(await _posts_answering(desk, takings.current.values(), customers))
    taken: dict[UUID, Case | None] = {}
    for enriched in customers:
        taken[enriched.mention_event_id] = await _take(desk, enriched, takings, pool)
    stored = {case.id: case for case in taken.values() if case is not None}
    for post in await _posts_answering(desk, stored.values(), []):
        case = next((case for case in stored.values() if answers(post, case)), None)
        if case is not None:
            stored[case.id] = await answered(desk, case.id, post.id, post.created_at)
    for enriched in posts:
        await answer_with(desk, enriched.mention_event_id, enriched.mention)
    return [_latest(taken.get(e.mention_event_id), stored) for e in batch]


async def _take(
    desk: Desk, enriched: EnrichedMention, takings: Takings, pool: _Answers
) -> Case | None:
    taking = takings.of(str(enriched.mention_event_id), enriched.profile.profile_id)
    step = await next_step(desk, enriched, taking, pool)
    if not isinstance(step, Step):
        return step
    try:
        case: Case | None = await desk.store(step)
    except CaseConflict:
        case = await take_mention(desk, enriched)
    if case is None:
        return None
    takings.stored(case)
    pool.attached(case)
    return case


async def _posts_answering(
    desk: Desk, cases: Iterable[Case], mentions: list[EnrichedMention]
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
    return await desk.timeline.unattached_posts(external_ids, conversations, min(starts))


def _latest(case: Case | None, stored: dict[UUID, Case]) -> Case | None:
    return None if case is None else stored.get(case.id, case)
