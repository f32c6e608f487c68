"""A service's stored export parts (``privacy_exports``) and who fetched them (``export_fetches``).

A part is one document per request: the person's ids in clear (so their erasure finds it),
the document count, the expiry, and the part itself sealed under the current export key with
the request id and service bound to the ciphertext (a sealed part moved to another record does
not open). Storing is idempotent: a redelivered request keeps the part stored first.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from pydantic_core import to_jsonable_python
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from rapport.clock import Clock, system_clock
from rapport.events import PrivacyRequest
from rapport.exports.keys import ExportKeys, Sealed
from rapport.mongo import Database, Document
from rapport.settings import Environment, RapportSettings

EXPORTS = "privacy_exports"
FETCHES = "export_fetches"
INDEXES = {
    EXPORTS: [IndexModel([("expires_at", ASCENDING)]), IndexModel([("profile_ids", ASCENDING)])],
    FETCHES: [IndexModel([("request_id", ASCENDING)])],
}


class NoExport(LookupError):
    """No stored export has that request id here (never made, erased or swept)."""


class ExportExpired(LookupError):
    """The export is past its expiry (the sweeper has not deleted it yet)."""


@dataclass(frozen=True)
class Stored:
    documents: int
    expires_at: datetime


@dataclass(frozen=True)
class Export:
    request_id: UUID
    service: str
    documents: int
    created_at: datetime
    expires_at: datetime
    parts: dict[str, Any]
    """The service's documents about the person, as JSON, by collection."""


class ExportStore:
    def __init__(
        self, db: Database, keys: ExportKeys, *, ttl: timedelta, clock: Clock = system_clock
    ) -> None:
        self._exports = db[EXPORTS]
        self._fetches = db[FETCHES]
        self._keys = keys
        self._ttl = ttl
        self._clock = clock
        self.swept_at: datetime | None = None
        """When the last sweep ran (None before the first)."""

    async def put(
        self, request: PrivacyRequest, service: str, parts: dict[str, list[Document]]
    ) -> Stored:
        """Seal and store ``service``'s part of ``request``, once."""
        plaintext = json.dumps(to_jsonable_python(parts), separators=(",", ":")).encode()
        sealed = self._keys.seal(plaintext, _context(request.request_id, service))
        now = self._clock.now()
        doc: Document = {
            "_id": request.request_id,
            "service": service,
            "profile_ids": list({request.profile_id, *request.profile_ids}),
            "documents": sum(len(docs) for docs in parts.values()),
            "key_id": sealed.key_id,
            "nonce": sealed.nonce,
            "ciphertext": sealed.ciphertext,
            "created_at": now,
            "expires_at": now + self._ttl,
        }
        try:
            await self._exports.insert_one(doc)
        except DuplicateKeyError:
            found = await self._exports.find_one({"_id": request.request_id})
            if found is not None:
                doc = found
        return Stored(doc["documents"], doc["expires_at"])

    async def fetch(self, request_id: UUID, *, by: str) -> Export:
        """The part, decrypted; the fetch is recorded (who, when) before it is returned."""
        doc = await self._exports.find_one({"_id": request_id})
        if doc is None:
            raise NoExport(f"no export {request_id} is stored here")
        now = self._clock.now()
        if doc["expires_at"] <= now:
            raise ExportExpired(f"export {request_id} expired at {doc['expires_at'].isoformat()}")
        sealed = Sealed(doc["key_id"], doc["nonce"], doc["ciphertext"])
        parts = json.loads(self._keys.open(sealed, _context(request_id, doc["service"])))
        await self._fetches.insert_one(
            {
                "_id": uuid4(),
                "request_id": request_id,
                "service": doc["service"],
                "by": by,
                "at": now,
            }
        )
        return Export(
            request_id,
            doc["service"],
            doc["documents"],
            doc["created_at"],
            doc["expires_at"],
            parts,
        )

    async def fetches(self, request_id: UUID) -> list[Document]:
        return await self._fetches.find({"request_id": request_id}, {"_id": 0}).to_list()

    async def forget(self, request: PrivacyRequest) -> int:
        """Delete every stored export about the person (their erasure)."""
        ids = list({request.profile_id, *request.profile_ids})
        result = await self._exports.delete_many({"profile_ids": {"$in": ids}})
        return result.deleted_count

    async def sweep(self) -> int:
        """Delete the exports past their expiry; how many."""
        now = self._clock.now()
        result = await self._exports.delete_many({"expires_at": {"$lte": now}})
        self.swept_at = now
        return result.deleted_count


def export_keys(settings: RapportSettings) -> ExportKeys:
    """The service's export keys; ValueError (refusing to start) as ``ExportKeys.parse`` says."""
    return ExportKeys.parse(settings, development=settings.environment is Environment.DEVELOPMENT)


def export_store(db: Database, settings: RapportSettings) -> ExportStore:
    return ExportStore(db, export_keys(settings), ttl=timedelta(days=settings.export_ttl_days))


def _context(request_id: UUID, service: str) -> bytes:
    return f"privacy-export/{request_id}/{service}".encode()
