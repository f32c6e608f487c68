"""In-memory implementations of ``ports``: the unit tests' collaborators. Each keeps the
contract its MongoDB adapter keeps (``tests/contract`` runs the same tests on both). Stored
records are replaced, never changed in place, so the unit of work can put a store back as it
was when its work fails."""

import copy
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cmp_to_key
from typing import Any
from uuid import UUID

from rapport.events import (
    AlertChanged,
    CaseChanged,
    CrisisAlert,
    EnrichedMention,
    Priority,
    ProfileSnapshot,
    RelationshipStage,
)
from responder.domain.accounts import Account, Tokens
from responder.domain.agents import Agent, AgentIn, AgentUnavailable
from responder.domain.brand_health import StageCounts, Tally, Unit, is_advocacy, truncate
from responder.domain.case import Case
from responder.domain.case_events import Changed
from responder.domain.clock import Clock
from responder.domain.inbox import Position
from responder.domain.macros import Macro
from responder.domain.messages import Message
from responder.domain.notes import Note
from responder.domain.priority import Weights
from responder.domain.replies import Reply
from responder.domain.routing import Rule
from responder.domain.sla import DEFAULT_POLICIES, Policies, Policy
from responder.domain.snapshots import Kept, keep_all, moved, to_ms
from responder.domain.spikes import Negative, SpikeRule
from responder.domain.taking import Taking, Takings
from responder.ports import CaseConflict, Counts, Ports, Query, Sort, Work


class FakeProfiles:
    def __init__(self) -> None:
        self.kept: dict[UUID, ProfileSnapshot] = {}

    def _kept(self, profile_id: UUID) -> Kept | None:
        found = self.kept.get(profile_id)
        return None if found is None else (found.stage, found.last_seen)

    def _keep(self, profile: ProfileSnapshot) -> None:
        before = self.kept.get(profile.profile_id)
        if before is None or before.last_seen <= profile.last_seen:
            last_seen = to_ms(profile.last_seen)
            self.kept[profile.profile_id] = profile.model_copy(update={"last_seen": last_seen})

    async def remember(self, profile: ProfileSnapshot) -> set[RelationshipStage]:
        stages = moved(self._kept(profile.profile_id), profile)
        self._keep(profile)
        return stages

    async def remember_all(self, profiles: Sequence[ProfileSnapshot]) -> set[RelationshipStage]:
        kept = {p.profile_id: k for p in profiles if (k := self._kept(p.profile_id)) is not None}
        winners, stages = keep_all(kept, profiles)
        for profile in winners.values():
            self._keep(profile)
        return stages

    async def get(self, profile_id: UUID) -> ProfileSnapshot | None:
        return self.kept.get(profile_id)

    async def fans_and_evangelists(self) -> StageCounts:
        stages = Counter(p.stage for p in self.kept.values())
        return stages[RelationshipStage.FAN], stages[RelationshipStage.EVANGELIST]

    async def forget(self, profile_ids: list[UUID]) -> int:
        return sum(self.kept.pop(p, None) is not None for p in profile_ids)


class FakeCases:
    def __init__(self, profiles: FakeProfiles) -> None:
        self.cases: dict[UUID, Case] = {}
        self.published: list[CaseChanged] = []
        """The ``case.changed`` events stored with the changes (the outbox), in order."""
        self._profiles = profiles

    async def get(self, case_id: UUID) -> Case | None:
        return self.cases.get(case_id)

    async def get_all(self, case_ids: Sequence[UUID]) -> list[Case]:
        return [self.cases[i] for i in dict.fromkeys(case_ids) if i in self.cases]

    async def active_of(self, profile_id: UUID) -> Case | None:
        return next(
            (c for c in self.cases.values() if c.profile_id == profile_id and c.active), None
        )

    def _current(self, profile_id: UUID) -> Case | None:
        """The active case, else the last resolved one."""
        mine = [c for c in self.cases.values() if c.profile_id == profile_id]
        return _sorted(mine, [("active", -1), ("resolved_at", -1)])[0] if mine else None

    async def taking(self, cause: str, profile_id: UUID) -> Taking:
        taken = next((c for c in self.cases.values() if cause in c.causes), None)
        return Taking(taken, self._current(profile_id), self._profiles.kept.get(profile_id))

    async def takings(self, causes: Sequence[str], profile_ids: Sequence[UUID]) -> Takings:
        found = Takings()
        if not profile_ids:
            return found
        for profile_id in profile_ids:
            if (current := self._current(profile_id)) is not None:
                found.current[profile_id] = current
            if (kept := self._profiles.kept.get(profile_id)) is not None:
                found.kept[profile_id] = kept
        for case in self.cases.values():
            found.taken.update((cause, case) for cause in set(causes) & set(case.causes))
        return found

    async def answered_by(self, conversation: str | None, in_reply_to: str | None) -> Case | None:
        if in_reply_to is not None:
            found = [c for c in self.cases.values() if in_reply_to in c.external_ids]
        elif conversation is not None:
            found = [c for c in self.cases.values() if conversation in c.conversation_ids]
        else:
            return None
        return max(found, key=lambda c: c.opened_at, default=None)

    async def due(self, now: datetime, limit: int) -> list[Case]:
        due = [c for c in self.cases.values() if c.next_due is not None and c.next_due <= now]
        return _sorted(due, [("next_due", 1)])[:limit]

    async def find(self, query: Query, sort: Sort, skip: int, limit: int) -> list[Case]:
        found = [c for c in self.cases.values() if _matches(c, query)]
        return _sorted(found, sort)[skip : skip + limit]

    async def count(self, query: Query) -> int:
        return sum(_matches(c, query) for c in self.cases.values())

    async def queue_counts(self) -> list[dict[str, Any]]:
        rows: dict[str, Counter[str]] = {}
        for case in (c for c in self.cases.values() if c.active):
            row = rows.setdefault(case.queue, Counter(active=0, unassigned=0, breached=0, urgent=0))
            row["active"] += 1
            row["unassigned"] += case.assignee is None
            row["breached"] += bool(case.breaches)
            row["urgent"] += case.priority is Priority.URGENT
        return [{"queue": queue, **rows[queue]} for queue in sorted(rows)]

    async def tag(self, case_id: UUID, tag: str, most: int) -> bool | None:
        case = self.cases.get(case_id)
        if case is None:
            return None
        if tag in case.tags:
            return True
        if len(case.tags) >= most:
            return False
        self.cases[case_id] = case.model_copy(update={"tags": [*case.tags, tag]})
        return True

    async def untag(self, case_id: UUID, tag: str) -> bool:
        case = self.cases.get(case_id)
        if case is not None:
            self.cases[case_id] = case.model_copy(
                update={"tags": [t for t in case.tags if t != tag]}
            )
        return case is not None

    async def save_all(self, changes: Sequence[Changed]) -> None:
        first: dict[UUID, int] = {}
        last: dict[UUID, Case] = {}
        for change in changes:
            first.setdefault(change.case.id, change.before)
            last[change.case.id] = change.case
        for case_id, before in first.items():
            stored = self.cases.get(case_id)
            if (stored.sequence if stored is not None else 0) != before or (
                before == 0 and stored is not None
            ):
                raise CaseConflict(str(case_id))
        kept = {
            i: c.model_copy(update={"tags": self.cases[i].tags})
            for i, c in last.items()
            if i in self.cases
        }
        after = {**self.cases, **last, **kept}
        active = Counter(c.profile_id for c in after.values() if c.active)
        if any(n > 1 for n in active.values()):
            raise CaseConflict("a second active case of a profile")
        self.cases = after
        self.published += [event for change in changes for event in change.events]


class FakeTimeline:
    def __init__(self) -> None:
        self.messages: dict[UUID, Message] = {}

    async def add(self, message: Message) -> None:
        self.messages.setdefault(message.id, message)

    async def add_all(self, messages: Sequence[Message]) -> None:
        for message in messages:
            await self.add(message)

    async def unattached_answers(self, case: Case) -> list[Message]:
        return await self.unattached_posts(case.external_ids, case.conversation_ids, case.opened_at)

    async def unattached_posts(
        self, external_ids: Iterable[str], conversations: Iterable[str], since: datetime
    ) -> list[Message]:
        replied_to, talks = set(external_ids), set(conversations)
        return [
            m
            for m in self.messages.values()
            if m.case_id is None
            and m.kind == "brand"
            and m.created_at >= since
            and (
                m.in_reply_to in replied_to
                or (m.in_reply_to is None and m.conversation_id in talks)
            )
        ]

    async def of_case(self, case_id: UUID) -> list[Message]:
        return sorted((m for m in self.messages.values() if m.case_id == case_id), key=_created)

    async def attach(self, ids: Sequence[UUID], case_id: UUID) -> None:
        for message_id in ids:
            if (found := self.messages.get(message_id)) is not None:
                self.messages[message_id] = found.model_copy(update={"case_id": case_id})

    async def thread_all(self, threads: Sequence[tuple[Message, Sequence[UUID]]]) -> None:
        for customer, answers in threads:
            await self.add(customer)
            if answers and customer.case_id is not None:
                await self.attach(answers, customer.case_id)

    async def move(self, source: UUID, target: UUID) -> None:
        await self.attach([m.id for m in self.messages.values() if m.case_id == source], target)


class FakeAgents:
    def __init__(self) -> None:
        self.agents: dict[str, Agent] = {}

    async def put(self, agent_id: str, agent: AgentIn) -> Agent:
        before = self.agents.get(agent_id)
        kept = (
            {"load": 0}
            if before is None
            else before.model_dump(include={"load", "last_assigned_at"})
        )
        self.agents[agent_id] = Agent.model_validate(
            {**agent.model_dump(), **kept, "_id": agent_id}
        )
        return self.agents[agent_id]

    async def get(self, agent_id: str) -> Agent | None:
        return self.agents.get(agent_id)

    async def all(self) -> list[Agent]:
        return [self.agents[agent_id] for agent_id in sorted(self.agents)]

    async def available(self) -> list[Agent]:
        return [a for a in self.agents.values() if a.available and a.load < a.capacity]

    async def take(self, agent_id: str, skills: list[str], at: datetime) -> None:
        agent = self.agents.get(agent_id)
        if agent is None or agent not in await self.available() or set(skills) - set(agent.skills):
            raise AgentUnavailable(agent_id)
        update = {"load": agent.load + 1, "last_assigned_at": at}
        self.agents[agent_id] = agent.model_copy(update=update)

    async def release(self, agent_id: str) -> None:
        agent = self.agents.get(agent_id)
        if agent is not None and agent.load > 0:
            self.agents[agent_id] = agent.model_copy(update={"load": agent.load - 1})


class FakeRoutingRules:
    def __init__(self) -> None:
        self.rules: dict[UUID, Rule] = {}

    async def put(self, rule_id: UUID, rule: Rule) -> None:
        self.rules[rule_id] = rule

    async def delete(self, rule_id: UUID) -> bool:
        return self.rules.pop(rule_id, None) is not None

    async def all(self) -> list[tuple[UUID, Rule]]:
        return sorted(self.rules.items(), key=lambda item: (item[1].order, item[0]))

    async def ordered(self) -> list[Rule]:
        return [rule for _, rule in await self.all()]


class FakePolicies:
    def __init__(self) -> None:
        self.policies: dict[Priority, Policy] = {}

    async def put(self, priority: Priority, policy: Policy) -> None:
        self.policies[priority] = policy

    async def all(self) -> Policies:
        return DEFAULT_POLICIES | self.policies


class FakeAlerts:
    def __init__(self) -> None:
        self.negatives: dict[UUID, Negative] = {}
        self.counts: Counter[tuple[str, int]] = Counter()
        self.alerts: dict[UUID, CrisisAlert] = {}
        self.published: list[AlertChanged] = []

    async def count_negatives(self, negatives: Sequence[Negative]) -> int:
        new = {n.mention_id: n for n in negatives if n.mention_id not in self.negatives}
        counted = {
            (n.author, n.bucket, subject) for n in self.negatives.values() for subject in n.subjects
        }
        for negative in new.values():
            self.negatives[negative.mention_id] = negative
            fresh = {(negative.author, negative.bucket, s) for s in negative.subjects} - counted
            self.counts.update((subject, bucket) for _, bucket, subject in fresh)
            counted |= fresh
        return len(new)

    async def window(
        self, kind: str, subjects: list[str], first: int, last: int
    ) -> tuple[Counts, list[CrisisAlert]]:
        counts: Counts = {subject: {} for subject in subjects}
        for (subject, bucket), n in self.counts.items():
            if subject in counts and first <= bucket <= last:
                counts[subject][bucket] = n
        active = [
            a
            for a in self.alerts.values()
            if a.kind == kind and a.subject in subjects and a.status == "active"
        ]
        return counts, active

    async def in_bucket(self, subject: str, bucket: int, limit: int = 1000) -> list[Negative]:
        found = [n for n in self.negatives.values() if subject in n.subjects and n.bucket == bucket]
        return found[:limit]

    async def get(self, alert_id: UUID) -> CrisisAlert | None:
        return self.alerts.get(alert_id)

    async def list(self, status: str | None, skip: int, limit: int) -> list[CrisisAlert]:
        found = [a for a in self.alerts.values() if status is None or a.status == status]
        found.sort(key=lambda a: a.changed_at, reverse=True)
        return found[skip : skip + limit]

    async def save(self, alert: CrisisAlert) -> bool:
        stored = self.alerts.get(alert.alert_id)
        if stored is not None and stored.status == alert.status:
            return False
        if stored is not None and stored.acknowledged_at is not None:
            seen = {
                "acknowledged_by": stored.acknowledged_by,
                "acknowledged_at": stored.acknowledged_at,
            }
            alert = alert.model_copy(update=seen)
        self.alerts[alert.alert_id] = alert
        self.published.append(AlertChanged.of(alert))
        return True

    async def acknowledge(self, alert_id: UUID, agent: str, at: datetime) -> CrisisAlert | None:
        stored = self.alerts.get(alert_id)
        if stored is None or stored.status != "active" or stored.acknowledged_at is not None:
            return stored
        seen = {"acknowledged_by": agent, "acknowledged_at": at, "changed_at": at}
        self.alerts[alert_id] = stored.model_copy(update=seen)
        self.published.append(AlertChanged.of(self.alerts[alert_id]))
        return self.alerts[alert_id]


class FakeMentionFacts:
    def __init__(self) -> None:
        self.facts: dict[UUID, EnrichedMention] = {}
        self.samples: dict[datetime, StageCounts] = {}

    async def record_all(self, mentions: Sequence[EnrichedMention]) -> None:
        for enriched in mentions:
            self.facts.setdefault(enriched.mention_event_id, enriched)

    async def sample_stages(self, at: datetime, counts: StageCounts) -> None:
        self.samples[truncate(at, "day")] = counts

    async def tallies(self, since: datetime, until: datetime, unit: Unit) -> dict[datetime, Tally]:
        counts: dict[datetime, Counter[str]] = {}
        for enriched in self.facts.values():
            mention = enriched.mention
            if since <= mention.created_at < until:
                slot = counts.setdefault(truncate(mention.created_at, unit), Counter(advocacy=0))
                slot[mention.sentiment.label.value] += 1
                slot["advocacy"] += is_advocacy(mention)
        return {start: Tally(**slot) for start, slot in counts.items()}

    async def stage_samples(self, until: datetime) -> list[tuple[datetime, StageCounts]]:
        return sorted((day, counts) for day, counts in self.samples.items() if day < until)


class FakeReplies:
    def __init__(self) -> None:
        self.replies: dict[UUID, Reply] = {}

    async def add(self, reply: Reply) -> Reply:
        return self.replies.setdefault(reply.id, reply)

    async def get(self, reply_id: UUID) -> Reply | None:
        return self.replies.get(reply_id)

    async def of_case(self, case_id: UUID) -> list[Reply]:
        found = [r for r in self.replies.values() if r.case_id == case_id]
        return sorted(found, key=lambda r: r.created_at)

    async def lease(self, now: datetime, lease: timedelta) -> Reply | None:
        due = [
            r
            for r in self.replies.values()
            if (r.state == "pending" and r.next_attempt_at <= now)
            or (r.state == "sending" and r.lease_until is not None and r.lease_until <= now)
        ]
        if not due:
            return None
        first = min(due, key=lambda r: r.next_attempt_at)
        leased = first.model_copy(
            update={"state": "sending", "lease_until": now + lease, "leased": first.leased + 1}
        )
        self.replies[first.id] = leased
        return leased

    def _sending(self, reply: Reply, **update: Any) -> None:
        stored = self.replies.get(reply.id)
        if stored is not None and stored.state == "sending":
            self.replies[reply.id] = stored.model_copy(update=update)

    async def mark_sent(self, reply: Reply, at: datetime, external_id: str | None) -> None:
        self._sending(reply, state="sent", sent_at=at, external_id=external_id)

    async def retry_later(self, reply: Reply, error: str, at: datetime | None) -> None:
        stored = self.replies.get(reply.id)
        attempts = (stored.attempts if stored is not None else reply.attempts) + 1
        self._sending(
            reply,
            state="failed" if at is None else "pending",
            last_error=error[:500],
            next_attempt_at=at or reply.next_attempt_at,
            lease_until=None,
            attempts=attempts,
        )

    async def retry_now(self, reply_id: UUID, now: datetime) -> Reply | None:
        stored = self.replies.get(reply_id)
        if stored is None or stored.state != "failed" or stored.superseded_by is not None:
            return None
        update = {"state": "pending", "next_attempt_at": now, "attempts": 0}
        self.replies[reply_id] = stored.model_copy(update=update)
        return self.replies[reply_id]

    async def supersede(self, reply_id: UUID, by: UUID) -> Reply | None:
        stored = self.replies.get(reply_id)
        if stored is None or stored.state != "failed" or stored.superseded_by not in (None, by):
            return None
        self.replies[reply_id] = stored.model_copy(update={"superseded_by": by})
        return self.replies[reply_id]


class FakeNotes:
    def __init__(self) -> None:
        self.notes: dict[UUID, Note] = {}

    async def add(self, note: Note) -> Note:
        return self.notes.setdefault(note.id, note)

    async def of_case(self, case_id: UUID) -> list[Note]:
        found = [n for n in self.notes.values() if n.case_id == case_id]
        return sorted(found, key=lambda n: n.created_at)


class FakeMacros:
    def __init__(self) -> None:
        self.macros: dict[UUID, Macro] = {}

    async def put(self, macro: Macro) -> Macro:
        self.macros[macro.id] = macro
        return macro

    async def get(self, macro_id: UUID) -> Macro | None:
        return self.macros.get(macro_id)

    async def all(self) -> list[Macro]:
        return sorted(self.macros.values(), key=lambda m: (m.name, m.id))

    async def delete(self, macro_id: UUID) -> bool:
        return self.macros.pop(macro_id, None) is not None


@dataclass
class FakeTransaction:
    cases: FakeCases
    timeline: FakeTimeline
    agents: FakeAgents
    replies: FakeReplies


class FakeUnitOfWork:
    """Runs the work on the fake stores; when it fails, they are put back as they were."""

    def __init__(self, transaction: FakeTransaction) -> None:
        self._transaction = transaction
        self.committed = 0

    async def __call__(self, work: Work) -> None:
        stores = vars(self._transaction).values()
        before = [(store, _snapshot(store)) for store in stores]
        try:
            await work(self._transaction)
        except BaseException:
            for store, state in before:
                vars(store).update(state)
            raise
        self.committed += 1


class FakeInbox:
    """``InboxReads`` on the fake cases and timeline (whole words, casefolded, as the text
    index with no language reads them)."""

    def __init__(self, cases: FakeCases, timeline: FakeTimeline) -> None:
        self._cases = cases
        self._timeline = timeline

    def _matching(self, query: Query, words: Sequence[str]) -> list[Case]:
        found = [c for c in self._cases.cases.values() if _matches(c, query)]
        if not words:
            return found
        searched = {
            m.case_id
            for m in self._timeline.messages.values()
            if m.kind == "customer" and set(words) <= _words(m.text, m.handle, m.name)
        }
        return [c for c in found if c.id in searched]

    async def page(
        self, query: Query, words: Sequence[str], after: Position | None, skip: int, limit: int
    ) -> list[Case]:
        found = sorted(self._matching(query, words), key=lambda c: Position.of(c).key())
        if after is not None:
            found = [c for c in found if Position.of(c).key() > after.key()]
        return found[skip : skip + limit]

    async def count(self, query: Query, words: Sequence[str]) -> int:
        return len(self._matching(query, words))

    async def latest_from_customers(self, case_ids: Sequence[UUID]) -> dict[UUID, Message]:
        latest: dict[UUID, Message] = {}
        for m in sorted(self._timeline.messages.values(), key=_created):
            if m.kind == "customer" and m.case_id is not None and m.case_id in case_ids:
                latest[m.case_id] = m
        return latest

    async def messages(self, ids: Sequence[UUID], limit: int) -> list[Message]:
        found = [
            self._timeline.messages[i] for i in dict.fromkeys(ids) if i in self._timeline.messages
        ]
        return sorted(found, key=_created, reverse=True)[:limit]


def _words(*texts: str | None) -> set[str]:
    return {w.casefold() for text in texts if text for w in re.findall(r"\w+", text)}


@dataclass
class Fakes:
    """Every fake store, and the ``Ports`` on them."""

    clock: Clock
    profiles: FakeProfiles = field(default_factory=FakeProfiles)
    timeline: FakeTimeline = field(default_factory=FakeTimeline)
    agents: FakeAgents = field(default_factory=FakeAgents)
    routing_rules: FakeRoutingRules = field(default_factory=FakeRoutingRules)
    policies: FakePolicies = field(default_factory=FakePolicies)
    alerts: FakeAlerts = field(default_factory=FakeAlerts)
    facts: FakeMentionFacts = field(default_factory=FakeMentionFacts)
    replies: FakeReplies = field(default_factory=FakeReplies)
    notes: FakeNotes = field(default_factory=FakeNotes)
    macros: FakeMacros = field(default_factory=FakeMacros)
    cases: FakeCases = field(init=False)
    uow: FakeUnitOfWork = field(init=False)
    inbox: FakeInbox = field(init=False)

    def __post_init__(self) -> None:
        self.cases = FakeCases(self.profiles)
        self.inbox = FakeInbox(self.cases, self.timeline)
        transaction = FakeTransaction(self.cases, self.timeline, self.agents, self.replies)
        self.uow = FakeUnitOfWork(transaction)

    def ports(
        self,
        *,
        weights: Weights | None = None,
        reopen_window: timedelta = timedelta(hours=72),
        spikes: SpikeRule | None = None,
        live_window: timedelta = timedelta(hours=72),
    ) -> Ports:
        return Ports(
            cases=self.cases,
            timeline=self.timeline,
            profiles=self.profiles,
            agents=self.agents,
            routing_rules=self.routing_rules,
            policies=self.policies,
            uow=self.uow,
            clock=self.clock,
            weights=weights or Weights(),
            reopen_window=reopen_window,
            spikes=spikes or SpikeRule(),
            live_window=live_window,
        )


def _snapshot(store: object) -> dict[str, Any]:
    """The store's records (its dicts and lists), not the other stores it reads."""
    records = vars(store).items()
    return {name: copy.copy(value) for name, value in records if isinstance(value, dict | list)}


def _matches(case: Case, query: Query) -> bool:
    document = case.document()
    for name, wanted in query.items():
        value = document.get(name)
        if not (value == wanted or (isinstance(value, list) and wanted in value)):
            return False
    return True


def _sorted(cases: Iterable[Case], sort: Sort) -> list[Case]:
    """In MongoDB's order: by each field in turn, None before any value."""

    def compare(a: Case, b: Case) -> int:
        first, second = a.document(), b.document()
        for name, direction in sort:
            x, y = first.get(name), second.get(name)
            if x == y:
                continue
            before = x is None if x is None or y is None else x < y  # type: ignore[operator]
            return -direction if before else direction
        return 0

    return sorted(cases, key=cmp_to_key(compare))


def _created(message: Message) -> datetime:
    return message.created_at


class FakeAccounts:
    """Brand accounts in memory; tokens by reference come from ``by_ref``."""

    def __init__(self, by_ref: dict[str, str] | None = None) -> None:
        self.accounts: dict[tuple[str, str], tuple[Account, Tokens | None]] = {}
        self._by_ref = by_ref or {}

    async def put(self, account: Account, tokens: Tokens | None) -> Account:
        if account.default:
            for key, (other, its) in list(self.accounts.items()):
                if other.platform == account.platform:
                    self.accounts[key] = (other.model_copy(update={"default": False}), its)
        self.accounts[(account.platform, account.handle)] = (account, tokens)
        return account

    async def get(self, platform: str, handle: str) -> Account | None:
        found = self.accounts.get((platform, handle))
        return None if found is None else found[0]

    async def all(self) -> list[Account]:
        return [account for _, (account, _) in sorted(self.accounts.items())]

    async def delete(self, platform: str, handle: str) -> bool:
        return self.accounts.pop((platform, handle), None) is not None

    async def answering(self, platform: str, handle: str | None) -> Account | None:
        if handle is not None:
            return await self.get(platform, handle)
        mine = [account for account in await self.all() if account.platform == platform]
        defaults = [account for account in mine if account.default]
        return defaults[0] if defaults else mine[0] if len(mine) == 1 else None

    async def tokens(self, account: Account) -> Tokens | None:
        if account.token_ref is not None:
            token = self._by_ref.get(account.token_ref)
            return None if token is None else Tokens(token)
        found = self.accounts.get((account.platform, account.handle))
        return None if found is None else found[1]

    async def refreshed(self, account: Account, tokens: Tokens) -> None:
        key = (account.platform, account.handle)
        stored, _ = self.accounts[key]
        self.accounts[key] = (stored.model_copy(update={"expires_at": tokens.expires_at}), tokens)
