"""What ingest holds about a person, found by their social identities, for export and erasure.

- ``mentions``: the archive, by author key (``<platform>:<author id>``);
- ``outbox``: the mention events, keyed by the same author key (published or not: an erased
  person's unpublished mention must not reach profiles and bring them back);
- ``flood_fingerprints``: one document per (text fingerprint, author key);
- ``imports``: rejected rows keep their raw line, which may name the person.
"""

import re

from ingest.adapters import flood_store
from rapport import outbox
from rapport.events import PrivacyRequest
from rapport.mongo import Database, Document


def author_keys(request: PrivacyRequest) -> list[str]:
    return sorted({f"{i.platform}:{i.author_id}" for i in request.identities})


def _mentioning(value: str) -> Document:
    return {"$regex": rf"(^|[^A-Za-z0-9_]){re.escape(value)}($|[^A-Za-z0-9_])"}


class IngestPersonalData:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def export(self, request: PrivacyRequest) -> dict[str, list[Document]]:
        keys = author_keys(request)
        if not keys:
            return {"mentions": []}
        cursor = self._db["mentions"].find({"author_key": {"$in": keys}}).sort("received_at", 1)
        return {"mentions": await cursor.to_list()}

    async def erase(self, request: PrivacyRequest) -> int:
        keys = author_keys(request)
        if not keys:
            return 0
        erased = 0
        for collection, query in (
            ("mentions", {"author_key": {"$in": keys}}),
            (outbox.COLLECTION, {"key": {"$in": keys}}),
            (flood_store.COLLECTION, {"$or": [{"_id": _ending(key)} for key in keys]}),
        ):
            erased += (await self._db[collection].delete_many(query)).deleted_count
        for author_id in sorted({i.author_id for i in request.identities}):
            result = await self._db["imports"].update_many(
                {"errors.line": _mentioning(author_id)},
                {"$pull": {"errors": {"line": _mentioning(author_id)}}},
            )
            erased += result.modified_count
        return erased


def _ending(key: str) -> Document:
    return {"$regex": f":{re.escape(key)}$"}
