"""Earning: a rule applied to a cause, written to the ledger once with its announcements and
the tier it lifts, in one unit of work; and a human's decision on an entry a guardrail held.
Rules are configuration, read through a cache."""

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from loyalty.clock import Clock
from loyalty.domain.announcements import announcements
from loyalty.domain.crediting import Candidate, Fields, Outcome, assess, entry_events, ledger_entry
from loyalty.domain.guardrails import Judgement, Verdict
from loyalty.domain.held import Decision, already_decided, decided
from loyalty.domain.offers import Audience
from loyalty.domain.rules import RuleKind, entry_id
from loyalty.errors import NotFound
from loyalty.ports import EarningStores, EarningWork, RuleStore
from loyalty.use_cases.tiering import TierKeeper


@dataclass(frozen=True, kw_only=True)
class Earner:
    rules: RuleStore
    uow: EarningWork
    tiers: TierKeeper
    clock: Clock
    expiry: timedelta

    async def earn(
        self,
        kind: RuleKind,
        *,
        profile_id: UUID,
        cause: str,
        cause_event_id: UUID,
        audience: Audience | None = None,
    ) -> Outcome | None:
        """Credit, hold or drop an earning once (None when the rule is switched off), lifting
        the member's tier with a credit; a repeat of its cause returns the first entry."""

        async def work(stores: EarningStores) -> Outcome | None:
            return await self.earn_in(
                stores,
                kind,
                profile_id=profile_id,
                cause=cause,
                cause_event_id=cause_event_id,
                audience=audience,
            )

        return await self.uow(work)

    async def earn_in(
        self,
        stores: EarningStores,
        kind: RuleKind,
        *,
        profile_id: UUID,
        cause: str,
        cause_event_id: UUID,
        audience: Audience | None = None,
    ) -> Outcome | None:
        """``earn`` in a unit of work the caller opened."""
        rule = await self.rules.get(kind)
        if not rule.active:
            return None
        c = Candidate(profile_id, entry_id(kind.value, cause), rule, cause_event_id, audience)
        now = self.clock()
        standing = await stores.ledger.standing(c, now=now, tier_window=self.tiers.window)
        if standing.entry is not None:
            found = standing.entry
            return Outcome(found["status"], found, found.get("reason"))
        judged = assess(c, standing.position, now=now, tiers=self.tiers.terms)
        if isinstance(judged, Judgement):
            return Outcome(judged.verdict.value, None, judged.reason)
        balance = await stores.members.credit(c.profile_id, judged.points, judged.fields)
        entry = ledger_entry(c, judged, balance=balance, now=now, expires_at=now + self.expiry)
        await stores.ledger.add(entry)
        await stores.events.add(c.profile_id, entry_events(entry, judged))
        return Outcome(judged.verdict.value, entry, judged.reason, new=True)

    async def decide(self, entry_id: str, decision: Decision) -> Fields:
        """A human's decision on a held entry, and the tier its credit lifts; the same decision
        again returns the entry."""
        now = self.clock()

        async def work(stores: EarningStores) -> Fields:
            entry = await stores.ledger.entry(entry_id)
            if entry is None:
                raise NotFound("no such ledger entry")
            if already_decided(entry, decision):
                return entry
            profile_id: UUID = entry["profile_id"]
            balance = None
            if decision == "approved":
                balance = await stores.members.credit(profile_id, entry["points"], {})
            update = decided(decision, now=now, expires_at=now + self.expiry, balance=balance)
            await stores.ledger.update(entry_id, update)
            entry |= update
            await stores.events.add(profile_id, announcements(entry))
            if entry["status"] == Verdict.CREDIT.value:
                await self.tiers.review_in(stores, profile_id, now, cause=entry_id)
            return entry

        return await self.uow(work)
