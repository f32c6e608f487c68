"""The outbox's backlog, for alerts: rows waiting to be published, the age of the oldest, and
rows parked (Kafka refused them for good), per database. Measured by every relay replica, the
lease holder or not, so the numbers go on when publishing stops."""

from datetime import datetime

from prometheus_client import Gauge
from pymongo.asynchronous.collection import AsyncCollection

from rapport.clock import utcnow
from rapport.mongo import Document

PENDING = {"published_at": None, "parked_at": None}
PARKED = {"published_at": None, "parked_at": {"$ne": None}}

BACKLOG = Gauge("rapport_outbox_pending", "Outbox rows not published yet", ["database"])
OLDEST_AGE = Gauge(
    "rapport_outbox_oldest_pending_age_seconds",
    "Age of the oldest outbox row not published yet (0 when none waits)",
    ["database"],
)
PARKED_ROWS = Gauge(
    "rapport_outbox_parked_rows", "Outbox rows set aside because Kafka refused them", ["database"]
)


async def measure(outbox: AsyncCollection[Document]) -> None:
    database = outbox.database.name
    BACKLOG.labels(database).set(await outbox.count_documents(PENDING))
    PARKED_ROWS.labels(database).set(await outbox.count_documents(PARKED))
    oldest = await outbox.find_one(PENDING, {"seq": 1, "stored_at": 1}, sort=[("seq", 1)])
    age = (utcnow() - _stored_at(oldest)).total_seconds() if oldest else 0.0
    OLDEST_AGE.labels(database).set(max(0.0, age))


def _stored_at(row: Document) -> datetime:
    """Rows stored before ``stored_at`` existed have a clock-made ``seq``."""
    stored_at: datetime = row.get("stored_at") or row["seq"].generation_time
    return stored_at
