"""In-memory implementations of ``loyalty.ports`` for unit tests, held to the adapters'
behaviour by ``tests/contract``."""

import copy
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from loyalty.domain.batches import BatchQuery, BatchStanding, Fields, Member
from loyalty.domain.catalogue import Offer
from loyalty.domain.crediting import Candidate, Position, Standing, audience_fields, credit
from loyalty.domain.guardrails import Recent, Verdict, counted, windows
from loyalty.domain.offers import Audience, Targeting
from loyalty.domain.questions import answered_key, question_fields, question_key
from loyalty.domain.referrals import ReferralFacts
from loyalty.domain.rollouts import Rollout, RolloutState
from loyalty.domain.rules import DEFAULT_RULES, Rule, RuleKind
from loyalty.errors import ReferralRefused
from loyalty.ports import BatchStore, Book, EarningStores, OutreachStores, RedemptionStores
from rapport.events import Event, Mention, OutreachDecision, Purchase, Redemption, Referral

T = TypeVar("T")
COUNTED = (Verdict.CREDIT.value, Verdict.HOLD.value)
"""The statuses a rule's caps and velocity count."""


@dataclass(frozen=True)
class Earned:
    kind: RuleKind
    profile_id: UUID
    cause: str
    cause_event_id: UUID
    audience: Audience | None


class FakeEarning:
    """Remembers what it was asked to earn (the ledger's own decisions are the adapter's)."""

    def __init__(self) -> None:
        self.earned: list[Earned] = []

    async def earn(
        self,
        kind: RuleKind,
        *,
        profile_id: UUID,
        cause: str,
        cause_event_id: UUID,
        audience: Audience | None = None,
    ) -> object:
        self.earned.append(Earned(kind, profile_id, cause, cause_event_id, audience))
        return None


class FakeOffers:
    def __init__(self) -> None:
        self.saved: dict[str, Offer] = {}

    async def put(self, key: str, item: Offer) -> None:
        self.saved[key] = item

    async def get(self, key: str) -> Offer | None:
        return self.saved.get(key)

    async def all(self) -> list[Offer]:
        return [self.saved[key] for key in sorted(self.saved)]


class FakeMembers:
    def __init__(self) -> None:
        self.audiences: dict[UUID, Audience] = {}

    async def audience(self, profile_id: UUID) -> Audience | None:
        return self.audiences.get(profile_id)

    async def page(self, targeting: Targeting, *, after: UUID | None, limit: int) -> list[UUID]:
        found = sorted(p for p, a in self.audiences.items() if _targeted(targeting, a))
        return [p for p in found if after is None or p > after][:limit]

    async def count(self, targeting: Targeting) -> int:
        return sum(_targeted(targeting, a) for a in self.audiences.values())


def _targeted(targeting: Targeting, audience: Audience) -> bool:
    return audience.marketing_consent and (
        audience.stage in targeting.stages or audience.segment in targeting.segments
    )


class FakeOutreach:
    def __init__(self) -> None:
        self.decisions: dict[tuple[str, UUID], OutreachDecision] = {}

    async def decision(self, offer_id: str, profile_id: UUID) -> OutreachDecision | None:
        return self.decisions.get((offer_id, profile_id))

    async def sent_since(self, profile_id: UUID, since: datetime) -> int:
        return sum(d.profile_id == profile_id and d.at > since for d in self.decisions.values())

    async def record(self, decision: OutreachDecision) -> None:
        self.decisions[(decision.offer_id, decision.profile_id)] = decision


class FakeEvents:
    def __init__(self) -> None:
        self.stored: list[tuple[UUID, Event]] = []

    async def add(self, key: UUID, events: Sequence[Event]) -> None:
        self.stored.extend((key, event) for event in events)


async def all_or_nothing(stores: Any, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(stores)``; when it fails, put every store back as it was."""
    before = copy.deepcopy(stores)
    try:
        return await work(stores)
    except BaseException:
        for name in vars(stores):
            vars(getattr(stores, name)).update(vars(getattr(before, name)))
        raise


@dataclass
class FakeOutreachWork:
    stores: OutreachStores = field(
        default_factory=lambda: OutreachStores(FakeMembers(), FakeOutreach(), FakeEvents())
    )

    async def __call__(self, work: Callable[[OutreachStores], Awaitable[T]]) -> T:
        return await all_or_nothing(self.stores, work)


class FakeRedemptions:
    def __init__(self) -> None:
        self.records: dict[str, Redemption] = {}

    async def first(self, record_id: str) -> Redemption | None:
        return self.records.get(record_id)

    async def record(self, record_id: str, redemption: Redemption) -> None:
        self.records[record_id] = redemption


class FakeBalances:
    def __init__(self) -> None:
        self.balances: dict[UUID, int] = {}

    async def debit(self, profile_id: UUID, points: int) -> int | None:
        balance = self.balances.get(profile_id)
        if balance is None or balance < points:
            return None
        self.balances[profile_id] = balance - points
        return balance - points

    async def exists(self, profile_id: UUID) -> bool:
        return profile_id in self.balances


class FakeLedger:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    async def add(self, entry: Mapping[str, Any]) -> None:
        self.entries.append(dict(entry))


@dataclass
class FakeRedemptionWork:
    stores: RedemptionStores = field(
        default_factory=lambda: RedemptionStores(
            FakeRedemptions(), FakeBalances(), FakeLedger(), FakeEvents()
        )
    )

    async def __call__(self, work: Callable[[RedemptionStores], Awaitable[T]]) -> T:
        return await all_or_nothing(self.stores, work)


class FakeRollouts:
    def __init__(self) -> None:
        self.saved: dict[str, Rollout] = {}
        self.claims: dict[str, tuple[str, datetime]] = {}

    async def create(self, rollout: Rollout) -> None:
        self.saved[rollout.rollout_id] = rollout

    async def get(self, offer_id: str, rollout_id: str) -> Rollout | None:
        found = self.saved.get(rollout_id)
        return found if found is not None and found.offer_id == offer_id else None

    async def claim(self, owner: str, *, now: datetime, until: datetime) -> Rollout | None:
        waiting = [
            r
            for r in self.saved.values()
            if r.state is not RolloutState.DONE and self._free(r.rollout_id, owner, now)
        ]
        if not waiting:
            return None
        oldest = min(waiting, key=lambda r: (r.created_at, r.rollout_id))
        self.claims[oldest.rollout_id] = (owner, until)
        claimed = replace(oldest, state=RolloutState.RUNNING)
        self.saved[oldest.rollout_id] = claimed
        return claimed

    def _free(self, rollout_id: str, owner: str, now: datetime) -> bool:
        holder, until = self.claims.get(rollout_id, (owner, now))
        return holder == owner or until <= now

    async def record(self, rollout: Rollout, owner: str, *, until: datetime) -> bool:
        holder = self.claims.get(rollout.rollout_id)
        if holder is None or holder[0] != owner:
            return False
        self.saved[rollout.rollout_id] = rollout
        self.claims[rollout.rollout_id] = (owner, until)
        return True


class FakeLedgerStore:
    """The ledger; ``members`` is the member store's own dict (a standing reads both)."""

    def __init__(self, members: dict[UUID, dict[str, Any]]) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        self.members = members

    async def standing(self, c: Candidate, *, now: datetime, tier_window: timedelta) -> Standing:
        member = self.members.get(c.profile_id, {})
        starts = windows(c.rule, now)
        recent = [
            e["at"]
            for e in self.entries_of(c.profile_id)
            if c.rule.limited and e["rule"] == c.rule.kind.value and e["status"] in COUNTED
        ]
        points, oldest = await self.window(c.profile_id, now - tier_window)
        position = Position(
            member.get("flagged_until"), member.get("tier"), counted(recent, starts), points, oldest
        )
        found = self.entries.get(c.entry_id)
        return Standing(None if found is None else dict(found), position)

    async def entry(self, entry_id: str) -> dict[str, Any] | None:
        found = self.entries.get(entry_id)
        return dict(found) if found is not None and found["kind"] == "earn" else None

    async def add(self, entry: Mapping[str, Any]) -> None:
        if entry["_id"] in self.entries:
            raise KeyError(f"duplicate ledger entry {entry['_id']}")
        self.entries[entry["_id"]] = dict(entry)

    async def update(self, entry_id: str, fields: Mapping[str, Any]) -> None:
        if entry_id in self.entries:
            self.entries[entry_id] |= fields

    async def due(self, profile_id: UUID, now: datetime) -> list[tuple[str, int]]:
        due = [
            e
            for e in self.entries_of(profile_id)
            if e.get("settled") is False
            and e["status"] == Verdict.CREDIT.value
            and e["expires_at"] is not None
            and e["expires_at"] <= now
        ]
        return [(e["_id"], e["points"]) for e in sorted(due, key=lambda e: e["expires_at"])][:1000]

    async def settle(self, entry_ids: Sequence[str]) -> None:
        for entry_id in entry_ids:
            self.entries[entry_id]["settled"] = True

    async def window(self, profile_id: UUID, since: datetime) -> tuple[int, datetime | None]:
        credited = [
            e
            for e in self.entries_of(profile_id)
            if e["kind"] == "earn"
            and e["status"] == Verdict.CREDIT.value
            and e["credited_at"] >= since
        ]
        if not credited:
            return 0, None
        return sum(e["points"] for e in credited), min(e["credited_at"] for e in credited)

    def entries_of(self, profile_id: UUID) -> list[dict[str, Any]]:
        return [e for e in self.entries.values() if e["profile_id"] == profile_id]


class FakeMemberStore:
    def __init__(self, members: dict[UUID, dict[str, Any]] | None = None) -> None:
        self.members = {} if members is None else members

    async def get(self, profile_id: UUID) -> dict[str, Any] | None:
        found = self.members.get(profile_id)
        return None if found is None else dict(found)

    async def credit(self, profile_id: UUID, points: int, fields: Mapping[str, Any]) -> int:
        member = self.members.setdefault(profile_id, {"_id": profile_id})
        for name, added in credit(points).items():
            member[name] = member.get(name, 0) + added
        member |= fields
        return int(member["balance"])

    async def settle(self, profile_id: UUID, *, matured: int, points: int) -> int:
        member = self.members[profile_id]
        member["settled_points"] = member.get("settled_points", 0) + matured
        member["balance"] = member.get("balance", 0) - points
        return int(member["balance"])

    async def set_tier(self, profile_id: UUID, tier: str, review_at: datetime | None) -> None:
        if profile_id in self.members:
            self.members[profile_id] |= {"tier": tier, "tier_review_at": review_at}

    async def flag(self, profile_id: UUID, until: datetime) -> None:
        await self.credit(profile_id, 0, {})
        member = self.members[profile_id]
        member["flagged_until"] = max(until, member.get("flagged_until") or until)

    async def observe(self, profile_id: UUID, audience: Audience) -> bool:
        if profile_id not in self.members:
            return False
        self.members[profile_id] |= audience_fields(audience)
        return True


class FakeReferralStore:
    """``persons`` maps each known profile id to its person (itself until a merge)."""

    def __init__(self) -> None:
        self.persons: dict[UUID, UUID] = {}
        self.purchases: dict[str, UUID] = {}
        self.admitted: dict[str, dict[str, Any]] = {}
        self.refusals: dict[str, str] = {}

    async def record_purchase(self, purchase: Purchase) -> None:
        self.purchases.setdefault(purchase.purchase_id, purchase.profile_id)

    async def facts(self, referral: Referral) -> ReferralFacts:
        buyer = self.purchases.get(referral.purchase_id)
        referred = self.persons.get(referral.referred_profile_id)
        paid = self.admitted.get(referral.purchase_id)
        aliases = {p for p, person in self.persons.items() if person == referred} | {referred}
        before = [a for a in self.admitted.values() if a["referred"] in aliases]
        return ReferralFacts(
            referral_id=referral.referral_id,
            purchase_id=referral.purchase_id,
            referrer=self.persons.get(referral.referrer_profile_id),
            referred=referred,
            buyer=self.persons.get(buyer, buyer) if buyer else None,
            purchase_paid_by=paid["referral_id"] if paid else None,
            referred_before_by=before[0]["referral_id"] if referred and before else None,
        )

    async def admit(self, referral: Referral, *, referrer: UUID, referred: UUID) -> None:
        taken = referral.purchase_id in self.admitted or any(
            a["referred"] == referred for a in self.admitted.values()
        )
        if taken:
            raise ReferralRefused(f"referral {referral.referral_id} refused: just referred")
        self.admitted[referral.purchase_id] = {
            "referral_id": referral.referral_id,
            "referrer": referrer,
            "referred": referred,
        }
        self.refusals.pop(referral.referral_id, None)

    async def refused(self, referral: Referral, reason: str, at: datetime) -> None:
        self.refusals[referral.referral_id] = reason


def _earning_stores() -> EarningStores:
    members = FakeMemberStore()
    return EarningStores(
        FakeLedgerStore(members.members), members, FakeReferralStore(), FakeEvents()
    )


@dataclass
class FakeEarningWork:
    stores: EarningStores = field(default_factory=_earning_stores)

    async def __call__(self, work: Callable[[EarningStores], Awaitable[T]]) -> T:
        return await all_or_nothing(self.stores, work)


class FakeRules:
    """Every rule as configured by default, or as ``put``."""

    def __init__(self) -> None:
        self.rules = {k: Rule(kind=k, **DEFAULT_RULES[k].model_dump()) for k in RuleKind}

    async def get(self, kind: RuleKind) -> Rule:
        return self.rules[kind]

    async def all(self) -> list[Rule]:
        return list(self.rules.values())

    async def put(self, rule: Rule) -> None:
        self.rules[rule.kind] = rule


class FakeQuestions:
    def __init__(self) -> None:
        self.questions: dict[str, Fields] = {}

    async def remember(self, mention: Mention, profile_id: UUID, at: datetime) -> None:
        self.keep({question_key(mention): question_fields(mention, profile_id, at)})

    def keep(self, questions: Mapping[str, Fields]) -> None:
        for key, fields in questions.items():
            self.questions[key] = self.questions.get(key, {}) | fields

    async def asker(self, reply: Mention) -> UUID | None:
        found = self.questions.get(answered_key(reply))
        return None if found is None else UUID(str(found["profile_id"]))


STANDING_FIELDS = ("_id", "balance", "flagged_until", "tier")
"""What a batch's standing reads of each member."""


@dataclass
class FakeBatchStore:
    """The ledger and members (``ledger.members``), questions and events a batch reads and
    writes (``MongoBatchStore``)."""

    ledger: FakeLedgerStore = field(default_factory=lambda: FakeLedgerStore({}))
    questions: FakeQuestions = field(default_factory=FakeQuestions)
    events: FakeEvents = field(default_factory=FakeEvents)

    async def standing(self, query: BatchQuery) -> BatchStanding:
        members = self.ledger.members
        found = [p for p in query.profile_ids if p in members]
        since = query.now - query.tier_window
        windows = {p: await self.ledger.window(p, since) for p in query.profile_ids}
        askers = [key for key in query.questions if key in self.questions.questions]
        return BatchStanding(
            earned={e for e in query.entry_ids if e in self.ledger.entries},
            members={
                p: {k: members[p][k] for k in STANDING_FIELDS if k in members[p]} for p in found
            },
            windows={p: window for p, window in windows.items() if window[1] is not None},
            recent=self._recent(query),
            askers={key: UUID(str(self.questions.questions[key]["profile_id"])) for key in askers},
        )

    def _recent(self, query: BatchQuery) -> dict[tuple[UUID, str], Recent]:
        found = {}
        for rule in (r for r in query.rules if r.limited):
            starts = windows(rule, query.now)
            for profile_id in query.profile_ids:
                times = [
                    e["at"]
                    for e in self.ledger.entries_of(profile_id)
                    if e["rule"] == rule.kind.value and e["status"] in COUNTED
                ]
                if any(at >= min(starts) for at in times):
                    found[(profile_id, rule.kind.value)] = counted(times, starts)
        return found

    async def write(self, book: Book) -> None:
        for entry in book.entries:
            await self.ledger.add(entry)
        for profile_id, member in book.members.items():
            if member.exists and (member.enrolled or profile_id in self.ledger.members):
                self._update(profile_id, member)
        self.questions.keep(book.questions)
        self.events.stored.extend(book.events)

    def _update(self, profile_id: UUID, member: Member) -> None:
        stored = self.ledger.members.setdefault(profile_id, {"_id": profile_id})
        if member.enrolled:
            for name, added in credit(member.points).items():
                stored[name] = stored.get(name, 0) + added
            if member.flagged_until is not None:
                before = stored.get("flagged_until") or member.flagged_until
                stored["flagged_until"] = max(before, member.flagged_until)
        stored |= member.fields


@dataclass
class FakeBatchWork:
    store: FakeBatchStore = field(default_factory=FakeBatchStore)

    async def __call__(self, work: Callable[[BatchStore], Awaitable[T]]) -> T:
        return await all_or_nothing(self.store, work)
