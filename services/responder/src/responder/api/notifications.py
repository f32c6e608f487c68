"""Who hears about crisis alerts and SLA breaches, per queue, and how their deliveries went.
Webhook URLs are taken in full and never answered back (only their scheme and host)."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status

from rapport.api import JsonBody
from responder.api.deps import SUPERVISE, DeliveriesDep, RoutesDep, WebhookRulesDep
from responder.notifications.domain.deliveries import Delivery, DeliveryStatus
from responder.notifications.domain.routes import RouteIn, RouteView

router = APIRouter(prefix="/v1", tags=["notifications"])
QueuePath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


@router.put("/queues/{queue}/notifications", dependencies=[*SUPERVISE, JsonBody])
async def put_route(
    routes: RoutesDep, rules: WebhookRulesDep, queue: QueuePath, body: RouteIn
) -> RouteView:
    """Set who gets the queue's crisis alerts and SLA breaches (webhook URLs in full)."""
    rules.check(body)
    return await routes.put(queue, body)


@router.get("/queues/{queue}/notifications", dependencies=SUPERVISE)
async def get_route(routes: RoutesDep, queue: QueuePath) -> RouteView:
    """The queue's route, webhooks shown by scheme and host only."""
    found = await routes.get(queue)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "the queue has no route (the default)")
    return found


@router.delete(
    "/queues/{queue}/notifications",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=SUPERVISE,
)
async def delete_route(routes: RoutesDep, queue: QueuePath) -> None:
    """Remove the queue's route: its alerts go to the default route."""
    if not await routes.delete(queue):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "the queue has no route")


@router.get("/notifications", dependencies=SUPERVISE)
async def list_notifications(
    deliveries: DeliveriesDep,
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[Delivery]:
    """Deliveries, newest first; ``status=failed`` lists the parked ones with their reason."""
    return await deliveries.list(status, offset, limit)
