"""Which claimed mentions may be published now without overtaking one that must go first.

A mention waits for every earlier-accepted pending mention of its author (Kafka keys promise
one author's order) and for the earlier-accepted pending post it replies to (a brand's reply
must never reach responder before the complaint it answers). What waits, and whatever waits on
it in turn, is left for a later claim. Only earlier-accepted mentions are waited for, so no two
mentions ever wait for each other.

Pending mentions held by the claimer's own earlier claims do not count: it completes its claims
in the order it took them.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from bson import ObjectId


@dataclass(frozen=True)
class Queued:
    id: str
    author_key: str
    seq: ObjectId
    """The order of acceptance."""
    parent: str | None = None
    """The archive id of the post it replies to."""


def publishable(claimed: list[Queued], elsewhere: Iterable[Queued]) -> list[Queued]:
    """``claimed`` (in acceptance order) less what waits on a pending mention ``elsewhere``
    (another claimer's or unclaimed) or on one of ``claimed`` that waits."""
    first_of_author: dict[str, ObjectId] = {}
    seq_of: dict[str, ObjectId] = {}
    for other in elsewhere:
        seen = first_of_author.get(other.author_key)
        first_of_author[other.author_key] = other.seq if seen is None else min(seen, other.seq)
        seq_of[other.id] = other.seq
    kept: list[Queued] = []
    for mention in claimed:
        author_waits = first_of_author.get(mention.author_key)
        parent_waits = seq_of.get(mention.parent) if mention.parent else None
        if (author_waits is not None and author_waits < mention.seq) or (
            parent_waits is not None and parent_waits < mention.seq
        ):
            first_of_author.setdefault(mention.author_key, mention.seq)
            seq_of[mention.id] = mention.seq
            continue
        kept.append(mention)
    return kept
