"""X (Account Activity API) deliveries: mentions, replies and quote posts of the subscribed user.

``for_user_id`` is the subscribed account, the brand's own: its tweets are brand replies.
Retweets and every other ``*_events`` list (likes, follows, direct messages) are ignored.
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field

from ingest.platforms import Delivery, PlatformModel, mention
from rapport.bounds import Count

X_TIME = "%a %b %d %H:%M:%S %z %Y"  # Wed Oct 10 20:19:24 +0000 2018


def _x_time(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.strptime(value, X_TIME)
        except ValueError:
            return value  # ISO 8601 (v2 payloads), or a clear validation error
    return value


XTime = Annotated[datetime, BeforeValidator(_x_time)]


class XUser(PlatformModel):
    id_str: str
    screen_name: str | None = None
    name: str | None = None
    followers_count: Count | None = None
    verified: bool = False


class ExtendedTweet(PlatformModel):
    full_text: str


class QuotedTweet(PlatformModel):
    id_str: str


class Tweet(PlatformModel):
    id_str: str
    created_at: XTime
    user: XUser
    text: str | None = None
    full_text: str | None = None
    truncated: bool = False
    extended_tweet: ExtendedTweet | None = None
    conversation_id: str | None = None
    in_reply_to_status_id_str: str | None = None
    quoted_status_id_str: str | None = None
    quoted_status: QuotedTweet | None = None
    retweeted_status: dict[str, Any] | None = None
    favorite_count: Count = 0
    retweet_count: Count = 0
    reply_count: Count = 0
    quote_count: Count = 0

    @property
    def full(self) -> str:
        if self.extended_tweet is not None:
            return self.extended_tweet.full_text
        return self.full_text or self.text or ""

    @property
    def quote_of(self) -> str | None:
        quoted = self.quoted_status.id_str if self.quoted_status else None
        return self.quoted_status_id_str or quoted


class XDelivery(PlatformModel):
    for_user_id: str | None = None
    tweet_create_events: list[Tweet] = Field(default_factory=list)
    model_config = ConfigDict(extra="allow")  # other *_events lists, counted as ignored

    def other_events(self) -> int:
        extra = self.model_extra or {}
        return sum(
            len(v) for k, v in extra.items() if k.endswith("_events") and isinstance(v, list)
        )


def parse(raw: bytes) -> Delivery:
    """The mentions in an Account Activity delivery; ValidationError if it is malformed."""
    return deliver(XDelivery.model_validate_json(raw))


def deliver(payload: XDelivery) -> Delivery:
    delivery = Delivery(ignored=payload.other_events())
    if payload.for_user_id:
        delivery.own_accounts.append(f"x:{payload.for_user_id}")
    for index, tweet in enumerate(payload.tweet_create_events):
        if tweet.retweeted_status is not None:
            delivery.ignored += 1
            continue
        delivery.mentions.append(mention(["tweet_create_events", index], _fields(tweet)))
    return delivery


def _fields(tweet: Tweet) -> dict[str, Any]:
    user = tweet.user
    return {
        "platform": "x",
        "external_id": tweet.id_str,
        "author": {
            "id": user.id_str,
            "handle": user.screen_name,
            "display_name": user.name,
            "followers": user.followers_count,
            "verified": user.verified,
        },
        "text": tweet.full,
        "created_at": tweet.created_at,
        "conversation_id": tweet.conversation_id or tweet.in_reply_to_status_id_str or tweet.id_str,
        "in_reply_to": tweet.in_reply_to_status_id_str,
        "quote_of": tweet.quote_of,
        "url": f"https://x.com/{user.screen_name or user.id_str}/status/{tweet.id_str}",
        "engagement": {
            "likes": tweet.favorite_count,
            "shares": tweet.retweet_count,
            "replies": tweet.reply_count,
            "quotes": tweet.quote_count,
        },
    }
