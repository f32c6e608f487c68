"""Which acts in a mention earn: positive posts, user-generated content, shares, helping."""

from loyalty.domain.rules import RuleKind
from rapport.events import Intent, Mention, RelationshipStage, SentimentLabel

MENTION_RULES = (RuleKind.POSITIVE_MENTION, RuleKind.UGC, RuleKind.SHARE, RuleKind.HELPING)
"""Every rule a mention may earn (below)."""


def qualifies(mention: Mention) -> bool:
    """Brand posts and spam never earn; nor does anything negative."""
    return (
        not mention.from_brand
        and Intent.SPAM not in mention.intents
        and mention.sentiment.label is not SentimentLabel.NEGATIVE
    )


def mention_acts(mention: Mention, *, min_shares: int) -> list[RuleKind]:
    """The rules a customer's mention earns (they stack, each once per mention).

    - positive_mention: positive sentiment (a post or a review).
    - ugc: a positive mention carrying a link to the customer's own content (photo, video, review).
    - share: a quote post (passing a post on to one's audience), or a positive post that others
      shared at least ``min_shares`` times.
    """
    if not qualifies(mention):
        return []
    positive = mention.sentiment.label is SentimentLabel.POSITIVE
    acts = []
    if positive:
        acts.append(RuleKind.POSITIVE_MENTION)
    if positive and mention.url:
        acts.append(RuleKind.UGC)
    if mention.quote_of or (positive and mention.engagement.shares >= min_shares):
        acts.append(RuleKind.SHARE)
    return acts


def is_question(mention: Mention) -> bool:
    return not mention.from_brand and Intent.QUESTION in mention.intents


def may_help(mention: Mention, stage: RelationshipStage) -> bool:
    """An evangelist's reply that is not negative may be help (if it answers a question)."""
    return (
        qualifies(mention)
        and mention.in_reply_to is not None
        and (stage is RelationshipStage.EVANGELIST)
    )


STAGE_BONUSES = {
    RelationshipStage.FAN: RuleKind.FAN_BONUS,
    RelationshipStage.EVANGELIST: RuleKind.EVANGELIST_BONUS,
}
