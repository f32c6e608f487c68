"""An order of writing that holds across replicas: rows read back in it (the outbox, ingest's
pending mentions) take their ``seq`` from here.

``ObjectId()`` is no such order: after 4 bytes of seconds come 5 random bytes per process, so two
replicas' ids of one second order by their processes' random bytes. ``reserve`` takes numbers
from a counter document instead, ``n`` at a time with one ``$inc``, outside the caller's
transaction (transactions never conflict on the counter; one that aborts wastes its numbers).
A write that starts after another committed therefore always gets a larger number.

The numbers are handed out as ObjectIds, ``ff ff ff ff`` and then the number in 8 bytes, so they
keep the field's BSON type: rows written before carry clock-made ObjectIds (seconds first, below
``ff ff ff ff`` until 2106), which these sort after, while a BSON number would sort before every
ObjectId and overtake the rows already waiting.
"""

from bson import Int64, ObjectId
from pymongo import ReturnDocument

from rapport.mongo import Database

COLLECTION = "sequences"
_PREFIX = b"\xff\xff\xff\xff"


async def reserve(db: Database, name: str, n: int) -> list[ObjectId]:
    """``n`` increasing seqs of the sequence ``name``, larger than any it gave before."""
    if n < 1:
        return []
    counter = await db[COLLECTION].find_one_and_update(
        {"_id": name},
        {"$inc": {"last": Int64(n)}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    assert counter is not None  # upserted
    last: int = counter["last"]
    return [as_seq(number) for number in range(last - n + 1, last + 1)]


def as_seq(number: int) -> ObjectId:
    return ObjectId(_PREFIX + number.to_bytes(8, "big"))
