"""What one mention adds to its author's activity: counts, sentiment, reach and advocacy.

Advocacy acts (evangelists): a positive mention that recommends the brand ("recommend", "you
should get one", "추천"), or a reply in someone's thread that is neither a complaint nor a
question (answering another customer, defending the brand). Each counts 1.
"""

import re

from profiles.domain.model import RECENT_KEPT, Activity, copied
from profiles.domain.rules import Rules
from rapport.events import Intent, Mention

RECOMMENDS = re.compile(
    r"\brecommend|\byou (should|must|need to|have to) (get|try|buy)|\bget (one|yourself)"
    r"|\bworth (it|every)|추천",
    re.IGNORECASE,
)
NOT_HELPFUL = {Intent.COMPLAINT, Intent.QUESTION, Intent.CHURN_RISK, Intent.SPAM}


def advocacy_acts(mention: Mention, rules: Rules) -> int:
    score = mention.sentiment.score
    recommends = score >= rules.positive_sentiment and bool(RECOMMENDS.search(mention.text))
    helps = (
        mention.in_reply_to is not None
        and score > rules.negative_sentiment
        and not NOT_HELPFUL.intersection(mention.intents)
    )
    return int(recommends) + int(helps)


def is_specific_positive(mention: Mention, rules: Rules) -> bool:
    words = len(mention.text.split())
    return mention.sentiment.score >= rules.positive_sentiment and words >= rules.specific_min_words


def amplification(mention: Mention) -> float:
    e = mention.engagement
    return e.shares + e.quotes + 0.5 * e.replies + 0.1 * e.likes


def record(activity: Activity, mention: Mention, rules: Rules) -> Activity:
    """``activity`` with ``mention`` added (a new object; the argument is left alone)."""
    at = mention.created_at
    new = copied(activity)
    new.mentions += 1
    new.first_seen = min(at, new.first_seen or at)
    new.last_seen = max(at, new.last_seen or at)
    if mention.author.followers is not None and at >= (activity.last_seen or at):
        new.followers = mention.author.followers
    new.recent = sorted([*new.recent, at], reverse=True)[:RECENT_KEPT]
    trend = rules.half_life("trend")
    new.sentiment = new.sentiment.add(mention.sentiment.score, at, trend)
    new.weight = new.weight.add(1, at, trend)
    engagement = rules.half_life("engagement")
    if is_specific_positive(mention, rules):
        new.positive = new.positive.add(1, at, engagement)
        new.first_positive = min(at, new.first_positive or at)
        new.last_positive = max(at, new.last_positive or at)
    if mention.sentiment.score <= rules.negative_sentiment:
        new.negative = new.negative.add(1, at, engagement)
    new.amplification = new.amplification.add(
        amplification(mention), at, rules.half_life("amplification")
    )
    acts = advocacy_acts(mention, rules)
    if acts:
        new.advocacy = new.advocacy.add(acts, at, rules.half_life("advocacy"))
    return new
