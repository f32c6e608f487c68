"""Notices read where they are kept: crisis alerts (each status change rewrites the alert and
its ``changed_at``) and SLA breaches (the cases' ``breaches``), oldest first."""

from datetime import datetime

from pymongo import ASCENDING, IndexModel

from rapport.events import CrisisAlert
from rapport.mongo import Database, Document
from responder.domain.case import Case
from responder.notifications.domain.notices import Notice, of_alert, of_breaches

INDEXES = {
    "alerts": [IndexModel([("changed_at", ASCENDING)], name="changed")],
    "cases": [
        IndexModel(
            [("breaches.detected_at", ASCENDING)],
            name="breaches_detected",
            partialFilterExpression={"breaches.0": {"$exists": True}},
        )
    ],
}


class StoredNotices:
    def __init__(self, db: Database) -> None:
        self._alerts = db["alerts"]
        self._cases = db["cases"]

    async def since(self, at: datetime, limit: int) -> list[Notice]:
        changed = self._alerts.find({"changed_at": {"$gte": at}}).sort("changed_at", ASCENDING)
        alerts = [of_alert(_alert(doc)) for doc in await changed.limit(limit).to_list()]
        breached = {"breaches.0": {"$exists": True}, "breaches.detected_at": {"$gte": at}}
        cursor = self._cases.find(breached).sort("breaches.detected_at", ASCENDING).limit(limit)
        cases = [Case.model_validate(doc) for doc in await cursor.to_list()]
        breaches = [notice for case in cases for notice in of_breaches(case, at)]
        return sorted(alerts + breaches, key=lambda notice: notice.at)[:limit]


def _alert(document: Document) -> CrisisAlert:
    fields = dict(document)
    fields["alert_id"] = fields.pop("_id")
    return CrisisAlert.model_validate(fields)
