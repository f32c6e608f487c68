"""Notices read where they are kept: crisis alerts from the alert store (each status change
rewrites the alert and its ``changed_at``), SLA breaches from the cases' ``breaches``."""

from datetime import datetime

from pymongo import ASCENDING, IndexModel

from rapport.mongo import Database
from responder.domain.case import Case
from responder.notifications.domain.notices import Notice, of_alert, of_breaches
from responder.ports import AlertStore

INDEXES = {
    "cases": [
        IndexModel(
            [("breaches.detected_at", ASCENDING)],
            name="breaches_detected",
            partialFilterExpression={"breaches.0": {"$exists": True}},
        )
    ]
}


class StoredNotices:
    def __init__(self, db: Database, alerts: AlertStore) -> None:
        self._cases = db["cases"]
        self._alerts = alerts

    async def since(self, at: datetime, limit: int) -> list[Notice]:
        recent = await self._alerts.list(None, 0, limit)
        alerts = [of_alert(alert) for alert in recent if alert.changed_at >= at]
        breached = {"breaches.0": {"$exists": True}, "breaches.detected_at": {"$gte": at}}
        cursor = self._cases.find(breached).sort("breaches.detected_at", ASCENDING).limit(limit)
        cases = [Case.model_validate(doc) for doc in await cursor.to_list()]
        return alerts + [notice for case in cases for notice in of_breaches(case, at)]
