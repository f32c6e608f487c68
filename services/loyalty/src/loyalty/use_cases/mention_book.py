"""A batch of mentions applied in memory, in order, to what was read for all of them: each
effect sees the ones before it (a member's second mention sees the first one's credit, caps
and tier; a reply sees a question asked earlier in the batch), and what they add up to is
written at the end, in one transaction (``loyalty.use_cases.mention_batches``)."""

from datetime import datetime, timedelta
from uuid import UUID

from opentelemetry import context as otel_context
from opentelemetry.context import Context

from loyalty.domain.batches import BatchStanding, Member
from loyalty.domain.crediting import (
    Candidate,
    Fields,
    Position,
    assess,
    audience_fields,
    entry_events,
    ledger_entry,
)
from loyalty.domain.guardrails import Judgement, Recent
from loyalty.domain.offers import Audience
from loyalty.domain.questions import answered_key, question_fields, question_key
from loyalty.domain.rules import Rule, RuleKind, entry_id
from loyalty.domain.tiers import TierTerms
from rapport.events import Event, Mention


class MentionBook:
    def __init__(
        self,
        standing: BatchStanding,
        *,
        rules: dict[RuleKind, Rule],
        now: datetime,
        expires_at: datetime,
        flag_for: timedelta,
        tiers: TierTerms,
    ) -> None:
        self._standing = standing
        self._rules = rules
        self._now = now
        self._expires_at = expires_at
        self._flag_for = flag_for
        self._tiers = tiers
        self._earned = set(standing.earned)
        self._recent = dict(standing.recent)
        self.members: dict[UUID, Member] = {}
        self.entries: list[Fields] = []
        self.events: list[tuple[UUID, Event]] = []
        """(member, event) in the order they are to be published."""
        self.traces: list[Context] = []
        """The trace each of ``events`` continues: its cause's."""
        self.questions: dict[str, Fields] = {}

    def member(self, profile_id: UUID) -> Member:
        if profile_id not in self.members:
            found = self._standing.members.get(profile_id)
            points, oldest = self._standing.windows.get(profile_id, (0, None))
            member = Member(exists=found is not None, window_points=points, oldest_in_window=oldest)
            if found is not None:
                member.balance = found.get("balance", 0)
                member.tier, member.flagged_until = found.get("tier"), found.get("flagged_until")
            self.members[profile_id] = member
        return self.members[profile_id]

    async def flag(self, profile_id: UUID) -> None:
        member = self.member(profile_id)
        until = self._now + self._flag_for
        member.flagged_until = max(until, member.flagged_until or until)
        member.exists = member.enrolled = True

    async def remember(self, question: Mention, profile_id: UUID) -> None:
        self.questions[question_key(question)] = question_fields(question, profile_id, self._now)

    async def asker(self, reply: Mention) -> UUID | None:
        key = answered_key(reply)
        if key in self.questions:
            asker: UUID = self.questions[key]["profile_id"]
            return asker
        return self._standing.askers.get(key)

    async def earn(
        self, kind: RuleKind, *, profile_id: UUID, cause: UUID, audience: Audience
    ) -> None:
        rule = self._rules[kind]
        c = Candidate(profile_id, entry_id(kind.value, str(cause)), rule, cause, audience)
        if not rule.active or c.entry_id in self._earned:
            return
        member = self.member(profile_id)
        recent = self._recent.get((profile_id, kind.value), Recent(0, 0, 0))
        position = Position(
            member.flagged_until, member.tier, recent, member.window_points, member.oldest_in_window
        )
        judged = assess(c, position, now=self._now, tiers=self._tiers)
        if isinstance(judged, Judgement):
            return
        member.balance += judged.points
        entry = ledger_entry(
            c, judged, balance=member.balance, now=self._now, expires_at=self._expires_at
        )
        self._earned.add(c.entry_id)
        self.entries.append(entry)
        announced = entry_events(entry, judged)
        self.events += [(profile_id, event) for event in announced]
        self.traces += [otel_context.get_current()] * len(announced)
        self._recent[profile_id, kind.value] = Recent(
            recent.day + 1, recent.week + 1, recent.velocity_window + 1
        )
        member.points += judged.points
        member.fields |= judged.fields
        member.exists = member.enrolled = True
        if judged.points:
            member.tier = judged.fields["tier"]
            member.window_points += judged.points
            member.oldest_in_window = min(member.oldest_in_window or self._now, self._now)

    async def observe(self, profile_id: UUID, audience: Audience) -> None:
        member = self.member(profile_id)
        if member.exists:
            member.fields |= audience_fields(audience)
