"""Mentions into cases: a customer's mention that needs a human joins their active case,
reopens one resolved within the window, or opens a new one; a brand post answers the case of
its conversation. A mention older than the live window is history: it joins the profile's
case of history, or opens one that is never active (so never worked, scanned or reopened),
and a brand reply in the history marks it answered. Each is applied once: the case remembers
the mention ids it took in."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from rapport.events import (
    EnrichedMention,
    Intent,
    Mention,
    Priority,
    ProfileSnapshot,
    deterministic_id,
)
from responder.domain import priority, routing
from responder.domain.case import (
    Case,
    Changes,
    add_customer_message,
    add_response,
    caused,
    reopens,
)
from responder.domain.messages import Message
from responder.domain.taking import Taking
from responder.domain.triage import Need, is_history, need
from responder.ports import CaseConflict, Ports, Transaction
from responder.use_cases.case_changes import ATTEMPTS, Step, change, store

Answers = Callable[[Case], Awaitable[list[Message]]]
"""The brand posts not yet attached that answer a case."""


@dataclass(frozen=True)
class Threaded:
    """What a customer's mention writes with its case: its message, and the brand posts that
    answer it attached to the case."""

    customer: Message
    answers: list[UUID]

    async def __call__(self, tx: Transaction) -> None:
        await tx.timeline.thread_all([(self.customer, self.answers)])


def message(mention_id: UUID, mention: Mention, case_id: UUID | None) -> Message:
    return Message.model_validate(
        {
            "_id": mention_id,
            "kind": "brand" if mention.from_brand else "customer",
            "case_id": case_id,
            "platform": mention.platform.value,
            "external_id": mention.external_id,
            "conversation_id": mention.conversation_id,
            "in_reply_to": mention.in_reply_to,
            "author_id": mention.author.id,
            "handle": mention.author.handle,
            "name": mention.author.display_name,
            "text": mention.text,
            "url": mention.url,
            "created_at": mention.created_at,
        }
    )


def _signals(mention: Mention, profile: ProfileSnapshot, contacts: int) -> priority.Signals:
    return priority.Signals(
        sentiment=mention.sentiment.score,
        intents=frozenset(mention.intents),
        followers=max(profile.followers, mention.author.followers or 0),
        influence=profile.scores.influence,
        shares=mention.engagement.shares + mention.engagement.quotes,
        customer_value=profile.customer_value,
        stage=profile.stage,
        contacts=contacts,
    )


async def take_mention(ports: Ports, enriched: EnrichedMention) -> Case | None:
    """The case the mention now belongs to (None when it needs no human)."""
    mention, mention_id = enriched.mention, enriched.mention_event_id
    if mention.from_brand:
        return await take_brand_post(ports, mention_id, mention)
    for _ in range(ATTEMPTS):
        taking = await ports.cases.taking(str(mention_id), enriched.profile.profile_id)
        step = await next_step(ports, enriched, taking, ports.timeline.unattached_answers)
        if not isinstance(step, Step):
            return step
        try:
            stored = await store(ports, step)
        except CaseConflict:
            continue
        return await _late_answers(ports, stored)
    raise CaseConflict(str(mention_id))


async def next_step(
    ports: Ports, enriched: EnrichedMention, taking: Taking, answers: Answers
) -> Step | Case | None:
    """What a customer's mention does from ``taking``: the step to store, else the case that
    already took it, else None (it needs no human)."""
    mention, mention_id = enriched.mention, enriched.mention_event_id
    if taking.taken_by is not None:
        return taking.taken_by
    profile = taking.latest(enriched.profile)
    needed = need(mention, profile.stage)
    history = is_history(mention.created_at, ports.clock(), ports.live_window)
    ongoing = _history_of(taking) if history else taking.active
    if needed is None and not _follows_up(mention, ongoing):
        return None
    return await _thread_or_open(ports, mention_id, mention, profile, needed, taking, answers)


def _history_of(taking: Taking) -> Case | None:
    """The profile's case of history, if it is the current one (a live case is never joined
    by history)."""
    current = taking.current
    return current if current is not None and current.historical else None


def _follows_up(mention: Mention, case: Case | None) -> bool:
    """A customer's mention in the conversation of their active case belongs to the case,
    whatever it says ("sent you a DM"), unless it is spam."""
    if Intent.SPAM in mention.intents:
        return False
    return case is not None and (
        mention.conversation_id in case.conversation_ids or mention.in_reply_to in case.external_ids
    )


async def _thread_or_open(
    ports: Ports,
    mention_id: UUID,
    mention: Mention,
    profile: ProfileSnapshot,
    needed: Need | None,
    taking: Taking,
    answers_to: Answers,
) -> Step:
    changes: Changes = []
    history = is_history(mention.created_at, ports.clock(), ports.live_window)
    case, last = (_history_of(taking), None) if history else (taking.active, taking.current)
    if case is None and last is not None and reopens(last, ports.clock(), ports.reopen_window):
        case = last
        changes.append(("reopened", None))
    if case is None:
        case = await _opened(ports, mention_id, mention, profile, needed or Need.ANSWER, history)
        changes.append(("opened", None))
    elif not changes:
        changes.append(("mention_added", None))
    contacts = len(case.mention_ids) + 1
    score = priority.score(_signals(mention, profile, contacts), ports.weights)
    if needed is Need.ANSWER and score > case.priority_score:
        case = case.model_copy(update={"priority_score": score, "priority": priority.band(score)})
    case = case.model_copy(update={"intents": sorted({*case.intents, *_case_intents(mention)})})
    case = add_customer_message(
        case, mention_id, mention.external_id, mention.conversation_id, mention.created_at
    )
    answers = await answers_to(case)
    for answer in answers:
        case = caused(add_response(case, answer.created_at), str(answer.id))
    if answers:
        changes.append(("replied", None))
    threaded = Threaded(message(mention_id, mention, case.id), [a.id for a in answers])
    return Step(caused(case, str(mention_id)), changes, threaded)


def _case_intents(mention: Mention) -> set[Intent]:
    return set(mention.intents) - {Intent.SPAM}


async def _opened(
    ports: Ports,
    mention_id: UUID,
    mention: Mention,
    profile: ProfileSnapshot,
    needed: Need,
    history: bool,
) -> Case:
    followers = max(profile.followers, mention.author.followers or 0)
    facts = routing.Facts(
        intents=frozenset(mention.intents),
        sentiment=mention.sentiment.label,
        language=mention.language,
        platform=mention.platform,
        stage=profile.stage,
        text=mention.text,
        followers=followers,
        community=needed is Need.COMMUNITY,
    )
    rule = routing.route(await ports.routing_rules.ordered(), facts)
    score = priority.score(_signals(mention, profile, 1), ports.weights)
    community = needed is Need.COMMUNITY
    return Case.model_validate(
        {
            "_id": deterministic_id("case", str(mention_id)),
            "profile_id": profile.profile_id,
            "queue": rule.queue,
            "skills": rule.skills,
            "priority": Priority.LOW if community else priority.band(score),
            "priority_score": score,
            "language": mention.language,
            "platform": mention.platform.value,
            "author_id": mention.author.id,
            "handle": mention.author.handle,
            "customer_name": mention.author.display_name,
            "reach": followers,
            "opened_at": mention.created_at,
            "cycle_start": mention.created_at,
            "historical": history,
            "active": not history,
        }
    )


async def take_brand_post(ports: Ports, mention_id: UUID, mention: Mention) -> Case | None:
    """Keep the post; when it answers a case (after the case began), record the response."""
    await ports.timeline.add(message(mention_id, mention, None))
    return await answer_with(ports, mention_id, mention)


async def answer_with(ports: Ports, post_id: UUID, post: Mention) -> Case | None:
    """Record the kept brand post as the response to the case it answers, if any."""
    found = await ports.cases.answered_by(post.conversation_id, post.in_reply_to)
    if found is None or post.created_at < found.opened_at:
        return None
    return await answered(ports, found.id, post_id, post.created_at)


async def _late_answers(ports: Ports, case: Case) -> Case:
    """A brand reply handled at the same moment as the post it answers (another partition's
    lane) may have found no case yet, while the case found no reply yet: the reply is in the
    timeline by now, so look again once the case is stored."""
    for answer in await ports.timeline.unattached_answers(case):
        case = await answered(ports, case.id, answer.id, answer.created_at)
    return case


async def answered(ports: Ports, case_id: UUID, post_id: UUID, at: datetime) -> Case:
    async def decide(case: Case) -> Step | None:
        if str(post_id) in case.causes:
            return None

        async def also(tx: Transaction) -> None:
            await tx.timeline.attach([post_id], case.id)

        return Step(caused(add_response(case, at), str(post_id)), [("replied", None)], also)

    return await change(ports, case_id, decide)
