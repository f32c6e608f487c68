"""Imports as resources: one progress document per import in the ``imports`` collection
(``ingest.ports.ImportStore``)."""

from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from ingest.ports import MAX_ERRORS, Progress, State, new_import
from rapport.clock import utcnow
from rapport.mongo import Database, Document


class MongoImportStore:
    def __init__(self, db: Database) -> None:
        self._imports = db["imports"]

    async def create(self, format: str, platform: str | None) -> str:
        record = new_import(format, platform)
        await self._imports.insert_one(record)
        return str(record["_id"])

    async def report(self, import_id: str, progress: Progress) -> None:
        errors = [{"row": r.number, "line": r.line, "reason": r.reason} for r in progress.rejected]
        update: dict[str, Any] = {
            "$inc": {
                "read": progress.read,
                "accepted": progress.accepted,
                "duplicate": progress.duplicate,
                "suppressed": progress.suppressed,
                "rejected": len(errors),
            },
            "$set": {"updated_at": utcnow()},
        }
        if errors:
            update["$push"] = {"errors": {"$each": errors, "$slice": MAX_ERRORS}}
        await self._imports.update_one({"_id": import_id}, update)

    async def count_processed(
        self, session: AsyncClientSession, counts: dict[str, tuple[int, int]]
    ) -> None:
        """Add, per import id, (rows analysed and in the outbox, of which unanalysed)."""
        if not counts:
            return
        await self._imports.bulk_write(
            [
                UpdateOne(
                    {"_id": import_id},
                    {
                        "$inc": {"processed": processed, "unanalysed": unanalysed},
                        "$set": {"updated_at": utcnow()},
                    },
                )
                for import_id, (processed, unanalysed) in counts.items()
            ],
            session=session,
        )

    async def finish(self, import_id: str, state: State, reason: str | None = None) -> None:
        await self._imports.update_one(
            {"_id": import_id},
            {"$set": {"state": state.value, "reason": reason, "updated_at": utcnow()}},
        )

    async def get(self, import_id: str) -> Document | None:
        return await self._imports.find_one({"_id": import_id})
