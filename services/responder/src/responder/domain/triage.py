"""Does a mention need a human, and how urgently. The foundation's rule: negative mentions
from customers open a case; the brand's own posts and spam never do. Priority grows with
negativity and reach.
"""

from rapport.events import Intent, Mention, Priority, SentimentLabel

HIGH_REACH_FOLLOWERS = 10_000
VERY_NEGATIVE = -0.6


def needs_case(mention: Mention) -> bool:
    if mention.from_brand or Intent.SPAM in mention.intents:
        return False
    return mention.sentiment.label is SentimentLabel.NEGATIVE


def priority(mention: Mention) -> Priority:
    very_negative = mention.sentiment.score <= VERY_NEGATIVE
    high_reach = (mention.author.followers or 0) >= HIGH_REACH_FOLLOWERS
    if very_negative and high_reach:
        return Priority.URGENT
    if very_negative or high_reach:
        return Priority.HIGH
    return Priority.NORMAL
