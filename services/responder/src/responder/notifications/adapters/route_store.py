"""Queues' notification routes in MongoDB, one document per queue, webhook URLs sealed."""

from typing import Any

from pymongo import IndexModel

from rapport.clock import utcnow
from rapport.mongo import Database, Document
from responder.notifications.adapters.sealing import Sealer
from responder.notifications.domain.routes import RouteIn, RouteView, hint

COLLECTION = "notification_routes"
INDEXES: dict[str, list[IndexModel]] = {}


class MongoRoutes:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self._routes = db[COLLECTION]
        self._sealer = sealer

    async def put(self, queue: str, route: RouteIn) -> RouteView:
        document: dict[str, Any] = {
            "crisis": route.crisis,
            "sla": route.sla,
            "webhooks": [
                {"sealed": self._sealer.seal(url), "hint": hint(url)} for url in route.webhooks
            ],
            "emails": route.emails,
            "updated_at": utcnow(),
        }
        await self._routes.replace_one({"_id": queue}, document, upsert=True)
        return _view(queue, document)

    async def get(self, queue: str) -> RouteView | None:
        found = await self._routes.find_one({"_id": queue})
        return None if found is None else _view(queue, found)

    async def delete(self, queue: str) -> bool:
        return (await self._routes.delete_one({"_id": queue})).deleted_count == 1

    async def route(self, queue: str) -> RouteIn | None:
        found = await self._routes.find_one({"_id": queue})
        if found is None:
            return None
        return RouteIn(
            crisis=found["crisis"],
            sla=found["sla"],
            webhooks=[self._sealer.open(w["sealed"]) for w in found["webhooks"]],
            emails=found["emails"],
        )


def _view(queue: str, document: Document) -> RouteView:
    return RouteView(
        queue=queue,
        crisis=document["crisis"],
        sla=document["sla"],
        webhooks=[w["hint"] for w in document["webhooks"]],
        emails=document["emails"],
    )
