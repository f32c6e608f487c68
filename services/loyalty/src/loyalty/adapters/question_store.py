"""Recent questions from customers, by platform and external id, for the helping rule.
Bounded: a TTL index forgets them after ``question_memory_days``."""

from datetime import datetime
from uuid import UUID

from loyalty.domain.questions import answered_key, question_fields, question_key
from rapport.events import Mention
from rapport.mongo import Database


class MongoQuestions:
    def __init__(self, db: Database) -> None:
        self._questions = db["questions"]

    async def remember(self, mention: Mention, profile_id: UUID, at: datetime) -> None:
        await self._questions.update_one(
            {"_id": question_key(mention)},
            {"$set": question_fields(mention, profile_id, at)},
            upsert=True,
        )

    async def asker(self, reply: Mention) -> UUID | None:
        """Who asked the question ``reply`` answers, if it was a question we remember."""
        found = await self._questions.find_one({"_id": answered_key(reply)})
        return None if found is None else UUID(str(found["profile_id"]))
