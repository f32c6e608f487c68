"""Offer roll-outs in MongoDB, one document each: its progress and who holds it until when."""

from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument

from loyalty.domain.rollouts import Rollout, RolloutState
from rapport.mongo import Database, Document


def _document(rollout: Rollout) -> Document:
    doc = asdict(rollout)
    doc["_id"] = doc.pop("rollout_id")
    doc["errors"] = list(rollout.errors)
    return doc


def _rollout(doc: Document) -> Rollout:
    fields: dict[str, Any] = {k: doc[k] for k in Rollout.__dataclass_fields__ if k in doc}
    fields["rollout_id"] = doc["_id"]
    fields["state"] = RolloutState(doc["state"])
    fields["errors"] = tuple(doc["errors"])
    return Rollout(**fields)


class MongoRollouts:
    def __init__(self, db: Database) -> None:
        self._rollouts = db["rollouts"]

    async def create(self, rollout: Rollout) -> None:
        await self._rollouts.insert_one(_document(rollout))

    async def get(self, offer_id: str, rollout_id: str) -> Rollout | None:
        doc = await self._rollouts.find_one({"_id": rollout_id, "offer_id": offer_id})
        return None if doc is None else _rollout(doc)

    async def claim(self, owner: str, *, now: datetime, until: datetime) -> Rollout | None:
        free = [
            {"claimed_by": owner},
            {"claimed_until": {"$exists": False}},
            {"claimed_until": {"$lte": now}},
        ]
        doc = await self._rollouts.find_one_and_update(
            {"state": {"$ne": RolloutState.DONE.value}, "$or": free},
            {
                "$set": {
                    "claimed_by": owner,
                    "claimed_until": until,
                    "state": RolloutState.RUNNING.value,
                }
            },
            sort=[("created_at", ASCENDING), ("_id", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return None if doc is None else _rollout(doc)

    async def record(self, rollout: Rollout, owner: str, *, until: datetime) -> bool:
        progress = _document(rollout) | {"claimed_by": owner, "claimed_until": until}
        result = await self._rollouts.update_one(
            {"_id": progress.pop("_id"), "claimed_by": owner}, {"$set": progress}
        )
        return result.matched_count == 1
