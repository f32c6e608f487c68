"""Mentions earned in batches: one read for the whole batch, every mention applied in memory
in order (``loyalty.use_cases.mention_book``, through the same rules as one at a time), one write of
each kind, all in one transaction. A redelivered batch finds its entries and writes none again;
a batch that fails writes nothing."""

from dataclasses import dataclass
from datetime import timedelta

from loyalty.clock import Clock
from loyalty.domain.acts import MENTION_RULES
from loyalty.domain.batches import BatchQuery
from loyalty.domain.questions import answered_key
from loyalty.domain.rules import entry_id
from loyalty.domain.tiers import TierTerms
from loyalty.ports import BatchStore, BatchWork, RuleStore
from loyalty.use_cases.mention_book import MentionBook
from loyalty.use_cases.mentions import answer_mention
from rapport.events import MentionEnriched
from rapport.kafka.consumer import processing


@dataclass(frozen=True, kw_only=True)
class MentionBatches:
    uow: BatchWork
    rules: RuleStore
    tiers: TierTerms
    clock: Clock
    expiry: timedelta
    flag_for: timedelta
    min_shares: int

    async def apply(self, events: list[MentionEnriched]) -> None:
        """Apply ``events`` in their order, all or none, each at most once."""
        rules = {rule.kind: rule for rule in await self.rules.all()}
        now = self.clock()
        mentions = [event.payload.mention for event in events]
        causes = [str(event.payload.mention_event_id) for event in events]
        query = BatchQuery(
            profile_ids={event.payload.profile.profile_id for event in events},
            entry_ids=[entry_id(kind.value, cause) for cause in causes for kind in MENTION_RULES],
            rules=[rules[kind] for kind in MENTION_RULES],
            questions={answered_key(m) for m in mentions if m.in_reply_to is not None},
            now=now,
            tier_window=self.tiers.window,
        )

        async def work(store: BatchStore) -> None:
            standing = await store.standing(query)
            book = MentionBook(
                standing,
                rules=rules,
                now=now,
                expires_at=now + self.expiry,
                flag_for=self.flag_for,
                tiers=self.tiers,
            )
            for event in events:
                with processing(event):
                    await answer_mention(event, book, self.min_shares)
            await store.write(book)

        await self.uow(work)
