"""Earning: a rule applied to a cause, written to the ledger once with its announcements, and
the tier it lifts, all in one transaction. Rules are configuration, read through a cache."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from loyalty.adapters.catalogue_store import MongoRules
from loyalty.adapters.ledger_store import Decision, MongoLedger, Outcome, Session
from loyalty.adapters.outbox import Outbox
from loyalty.clock import Clock
from loyalty.domain.crediting import Candidate
from loyalty.domain.offers import Audience
from loyalty.domain.rules import RuleKind, entry_id
from loyalty.use_cases.tiering import TierKeeper
from rapport.mongo import Document


@dataclass(frozen=True, kw_only=True)
class Earner:
    rules: MongoRules
    ledger: MongoLedger
    tiers: TierKeeper
    outbox: Outbox
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
        session: Session | None = None,
    ) -> Outcome | None:
        """Apply ``kind``'s rule to ``cause`` (None when the rule is switched off), in
        ``session``'s transaction if given."""
        rule = await self.rules.get(kind)
        if not rule.active:
            return None
        now = self.clock()
        candidate = Candidate(
            profile_id, entry_id(kind.value, cause), rule, cause_event_id, audience
        )
        return await self.ledger.earn(
            candidate,
            now=now,
            expires_at=now + self.expiry,
            tiers=self.tiers.terms,
            session=session,
        )

    async def decide(self, entry_id: str, decision: Decision) -> Document:
        """A human's decision on a held entry."""
        now = self.clock()

        async def work(s: Session) -> Outcome:
            outcome = await self.ledger.decide(
                entry_id, decision, now=now, expires_at=now + self.expiry, session=s
            )
            await self._review_tier(outcome, now, s)
            return outcome

        decided = await self.outbox.transaction(work)
        assert decided.entry is not None  # a decision always has its entry
        return decided.entry

    async def _review_tier(self, outcome: Outcome, now: datetime, s: Session) -> None:
        entry = outcome.entry
        if outcome.new and entry is not None and entry["status"] == "credited":
            await self.tiers.review(entry["profile_id"], now, cause=entry["_id"], session=s)
