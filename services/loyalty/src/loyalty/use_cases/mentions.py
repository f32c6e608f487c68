"""What a customer's mention earns, told once for both ways of storing it: at once, one
transaction per earning (``AtOnce``), or in memory with the rest of its batch, stored together
(``loyalty.use_cases.mention_book``)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from uuid import UUID

from loyalty.clock import Clock
from loyalty.domain.acts import is_question, may_help, mention_acts
from loyalty.domain.offers import Audience
from loyalty.domain.rules import RuleKind
from loyalty.ports import MentionMembers, QuestionStore
from loyalty.use_cases.earning import Earner
from rapport.events import Intent, Mention, MentionEnriched, ProfileSnapshot


def audience(profile: ProfileSnapshot) -> Audience:
    return Audience(profile.stage, profile.segment, profile.consent.marketing)


class MentionEffects(Protocol):
    async def flag(self, profile_id: UUID) -> None:
        """The author posted spam: they earn nothing for a while."""

    async def remember(self, question: Mention, profile_id: UUID) -> None: ...

    async def asker(self, reply: Mention) -> UUID | None:
        """Who asked the question ``reply`` answers, if it was a question we remember."""

    async def earn(
        self, kind: RuleKind, *, profile_id: UUID, cause: UUID, audience: Audience
    ) -> None:
        """Apply ``kind``'s rule to the mention ``cause`` once (not when it is switched off)."""

    async def observe(self, profile_id: UUID, audience: Audience) -> None:
        """Keep an existing member's latest stage, segment and consent."""


async def answer_mention(event: MentionEnriched, effects: MentionEffects, min_shares: int) -> None:
    """Reward a customer's positive posts, content, shares and answers; flag spammers."""
    mention, profile = event.payload.mention, event.payload.profile
    profile_id = profile.profile_id
    if mention.from_brand:
        return
    if Intent.SPAM in mention.intents:
        await effects.flag(profile_id)
        return
    if is_question(mention):
        await effects.remember(mention, profile_id)
    acts = mention_acts(mention, min_shares=min_shares)
    if may_help(mention, profile.stage) and await effects.asker(mention) not in (None, profile_id):
        acts.append(RuleKind.HELPING)
    for kind in acts:
        cause = event.payload.mention_event_id
        await effects.earn(kind, profile_id=profile_id, cause=cause, audience=audience(profile))
    if not acts:
        await effects.observe(profile_id, audience(profile))


@dataclass(frozen=True, kw_only=True)
class AtOnce:
    """Each effect stored when it is decided, each earning in a transaction of its own."""

    earner: Earner
    members: MentionMembers
    questions: QuestionStore
    clock: Clock
    flag_for: timedelta

    async def flag(self, profile_id: UUID) -> None:
        await self.members.flag(profile_id, self.clock() + self.flag_for)

    async def remember(self, question: Mention, profile_id: UUID) -> None:
        await self.questions.remember(question, profile_id, self.clock())

    async def asker(self, reply: Mention) -> UUID | None:
        return await self.questions.asker(reply)

    async def earn(
        self, kind: RuleKind, *, profile_id: UUID, cause: UUID, audience: Audience
    ) -> None:
        await self.earner.earn(
            kind, profile_id=profile_id, cause=str(cause), cause_event_id=cause, audience=audience
        )

    async def observe(self, profile_id: UUID, audience: Audience) -> None:
        await self.members.observe(profile_id, audience)
