"""The generic signed webhook for review sites and forums: our own mention format, strict.

A source may post reviews, forum posts or generic mentions, never another platform's: it
cannot speak for X or Meta, whose deliveries are signed by the platforms themselves.
"""

from pydantic import TypeAdapter

from ingest.domain.normalize import MentionBatch, MentionIn, MentionsBody
from ingest.platforms import Delivery, Unmappable
from rapport.events import Platform

ALLOWED = (Platform.REVIEWS, Platform.FORUM, Platform.GENERIC)
_body: TypeAdapter[MentionIn | MentionBatch] = TypeAdapter(MentionsBody)


def parse(raw: bytes) -> Delivery:
    """The mentions in ``raw`` (one mention or ``{"mentions": [...]}``); ValidationError if not."""
    body = _body.validate_json(raw)
    if isinstance(body, MentionBatch):
        mentions = body.mentions
        locs = [["body", "batch", "mentions", i] for i in range(len(mentions))]
    else:  # locations name the shape, as pydantic's own errors do
        mentions, locs = [body], [["body", "one"]]
    wrong = [
        {
            "loc": [*loc, "platform"],
            "msg": f"this webhook takes platform {', '.join(p.value for p in ALLOWED)}",
            "type": "platform_not_allowed",
        }
        for loc, m in zip(locs, mentions, strict=True)
        if m.platform not in ALLOWED
    ]
    if wrong:
        raise Unmappable(wrong)
    return Delivery(mentions=mentions)
