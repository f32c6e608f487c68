"""The inbox's reads across cases and their messages: a page of cases after a position (keyset
paging in the inbox order), cases searched by their customers' words (a text index on the
messages, whole words in any script, no stemming), and the messages a row or an alert shows."""

from collections.abc import Sequence
from uuid import UUID

from pymongo import ASCENDING, DESCENDING, TEXT, IndexModel

from rapport.mongo import Database, Document
from responder.domain.case import Case
from responder.domain.inbox import Position
from responder.domain.messages import Message
from responder.ports import Query

ORDER = [("priority_score", DESCENDING), ("next_due", ASCENDING), ("opened_at", ASCENDING)]
INBOX_ORDER = [*ORDER, ("_id", ASCENDING)]
INDEXES = {
    "cases": [IndexModel(INBOX_ORDER, name="inbox_order")],
    "timeline": [
        IndexModel(
            [("text", TEXT), ("handle", TEXT), ("name", TEXT)],
            name="customer_words",
            default_language="none",
            language_override="no_language_field",
        )
    ],
}


_BY_ID = {"localField": "_id", "foreignField": "_id"}


class MongoInbox:
    def __init__(self, db: Database) -> None:
        self._cases = db["cases"]
        self._timeline = db["timeline"]

    async def page(
        self, query: Query, words: Sequence[str], after: Position | None, skip: int, limit: int
    ) -> list[Case]:
        """Cases matching ``query`` and, if any, every one of ``words`` in one of their
        customer's messages (or handle or name), in the inbox order after ``after``."""
        match = dict(query) if after is None else {"$and": [dict(query), _after(after)]}
        if not words:
            cursor = self._cases.find(match).sort(INBOX_ORDER).skip(skip).limit(limit)
            return [Case.model_validate(doc) for doc in await cursor.to_list()]
        pipeline = [
            *self._searched(words),
            {"$match": match},
            {"$sort": dict(INBOX_ORDER)},
            {"$skip": skip},
            {"$limit": limit},
        ]
        rows = await (await self._timeline.aggregate(pipeline)).to_list()
        return [Case.model_validate(doc) for doc in rows]

    async def count(self, query: Query, words: Sequence[str]) -> int:
        if not words:
            return await self._cases.count_documents(dict(query))
        pipeline = [*self._searched(words), {"$match": dict(query)}, {"$count": "n"}]
        rows = await (await self._timeline.aggregate(pipeline)).to_list()
        return int(rows[0]["n"]) if rows else 0

    def _searched(self, words: Sequence[str]) -> list[Document]:
        """The cases with a customer message holding every word (each a quoted phrase: all
        must match, and no word is read as a text-search operator)."""
        phrases = " ".join(f'"{word}"' for word in words)
        return [
            {"$match": {"$text": {"$search": phrases}, "kind": "customer"}},
            {"$group": {"_id": "$case_id"}},
            {"$match": {"_id": {"$ne": None}}},
            {
                "$lookup": {
                    "from": self._cases.name,
                    "localField": "_id",
                    "foreignField": "_id",
                    "as": "case",
                }
            },
            {"$unwind": "$case"},
            {"$replaceWith": "$case"},
        ]

    async def latest_from_customers(self, case_ids: Sequence[UUID]) -> dict[UUID, Message]:
        """Each case's latest customer message, in one round trip."""
        pipeline: list[Document] = [
            {"$match": {"case_id": {"$in": list(case_ids)}, "kind": "customer"}},
            {"$sort": {"case_id": 1, "created_at": -1}},
            {"$group": {"_id": "$case_id", "doc": {"$first": "$$ROOT"}}},
        ]
        rows = await (await self._timeline.aggregate(pipeline)).to_list()
        return {row["_id"]: Message.model_validate(row["doc"]) for row in rows}

    async def messages(self, ids: Sequence[UUID], limit: int) -> list[Message]:
        """Of these messages, the ``limit`` latest, latest first."""
        cursor = self._timeline.find({"_id": {"$in": list(ids)}}).sort("created_at", DESCENDING)
        return [Message.model_validate(doc) for doc in await cursor.limit(limit).to_list()]


def _after(position: Position) -> Document:
    """The cases after ``position`` in the inbox order (a missing due time sorts first)."""
    score, due, opened = position.priority_score, position.next_due, position.opened_at
    later_due = {"next_due": {"$ne": None}} if due is None else {"next_due": {"$gt": due}}
    same = {"priority_score": score, "next_due": due}
    return {
        "$or": [
            {"priority_score": {"$lt": score}},
            {"priority_score": score, **later_due},
            {**same, "opened_at": {"$gt": opened}},
            {**same, "opened_at": opened, "_id": {"$gt": position.case_id}},
        ]
    }
