"""Meta Graph webhooks: Facebook Page feed and mentions, Instagram comments and mentions.

The entry's ``id`` is the brand's own Page or Instagram account: what it posts is a brand reply.
Page feed items that carry a message (comments, and visitor posts: status, photo, video,
share) are mentions. Instagram's ``mentions`` change carries only ids (reading the text needs a
Graph API call, which ingest does not make), so it is ignored, as are edits, removals,
reactions and every other field.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from ingest.platforms import Delivery, PlatformModel, mention

Loc = list[str | int]


class Sender(PlatformModel):
    id: str
    name: str | None = None
    username: str | None = None


class FeedValue(PlatformModel):
    """Page ``feed`` (comments, visitor posts) and ``mention`` changes share these fields."""

    item: str | None = None
    verb: str | None = None
    sender: Sender | None = Field(default=None, alias="from")
    sender_id: str | None = None
    sender_name: str | None = None
    message: str | None = None
    post_id: str | None = None
    comment_id: str | None = None
    parent_id: str | None = None
    created_time: datetime | None = None

    @property
    def author(self) -> Sender | None:
        if self.sender is not None:
            return self.sender
        return Sender(id=self.sender_id, name=self.sender_name) if self.sender_id else None


class Media(PlatformModel):
    id: str


class CommentValue(PlatformModel):
    """Instagram ``comments``."""

    id: str
    text: str | None = None
    sender: Sender | None = Field(default=None, alias="from")
    media: Media | None = None
    parent_id: str | None = None


class FeedChange(PlatformModel):
    field: Literal["feed", "mention"]
    value: FeedValue


class CommentChange(PlatformModel):
    field: Literal["comments"]
    value: CommentValue


class OtherChange(PlatformModel):
    field: str


def _field(change: Any) -> str:
    field = change.get("field") if isinstance(change, dict) else getattr(change, "field", None)
    return {"feed": "feed", "mention": "feed", "comments": "comments"}.get(str(field), "other")


Change = Annotated[
    Annotated[FeedChange, Tag("feed")]
    | Annotated[CommentChange, Tag("comments")]
    | Annotated[OtherChange, Tag("other")],
    Discriminator(_field),
]


class Entry(PlatformModel):
    id: str
    time: datetime | None = None
    changes: list[Change] = Field(default_factory=list)


class MetaDelivery(PlatformModel):
    object: str
    entry: list[Entry]


def parse(raw: bytes) -> Delivery:
    """The mentions in a Graph webhook delivery; ValidationError if it is malformed."""
    return deliver(MetaDelivery.model_validate_json(raw))


def deliver(payload: MetaDelivery) -> Delivery:
    platform = {"page": "facebook", "instagram": "instagram"}.get(payload.object)
    delivery = Delivery()
    for e, entry in enumerate(payload.entry):
        if platform is None:
            delivery.ignored += len(entry.changes)
            continue
        delivery.own_accounts.append(f"{platform}:{entry.id}")
        for c, change in enumerate(entry.changes):
            loc: Loc = ["entry", e, "changes", c, "value"]
            mapper = _MAPPERS.get((platform, type(change)))
            mapped = mapper(change, entry) if mapper else None
            if mapped is None:
                delivery.ignored += 1
            else:
                delivery.mentions.append(mention(loc, mapped))
    return delivery


def _facebook(change: FeedChange, entry: Entry) -> dict[str, Any] | None:
    value = change.value
    author = value.author
    if value.verb not in (None, "add") or not value.message or author is None:
        return None  # edits, removals, reactions and likes
    external_id = value.comment_id if value.item == "comment" else value.post_id
    return {
        "platform": "facebook",
        "external_id": external_id,
        "author": {"id": author.id, "display_name": author.name},
        "text": value.message,
        "created_at": value.created_time or entry.time,
        "conversation_id": value.post_id,
        "in_reply_to": value.parent_id if value.item == "comment" else None,
        "url": f"https://www.facebook.com/{external_id}" if external_id else None,
    }


def _instagram(change: CommentChange, entry: Entry) -> dict[str, Any] | None:
    value = change.value
    if value.sender is None or not value.text:
        return None
    media = value.media.id if value.media else None
    return {
        "platform": "instagram",
        "external_id": value.id,
        "author": {"id": value.sender.id, "handle": value.sender.username},
        "text": value.text,
        "created_at": entry.time,
        "conversation_id": media,
        "in_reply_to": value.parent_id or media,
    }


_MAPPERS: dict[tuple[str, type], Callable[[Any, Entry], dict[str, Any] | None]] = {
    ("facebook", FeedChange): _facebook,
    ("instagram", CommentChange): _instagram,
}
