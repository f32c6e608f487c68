"""What routes share: the ports and stores from ``app.state``, and the caller."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from rapport.api import require
from rapport.auth import Principal, Scope
from responder.adapters.brand_health_store import MongoBrandHealth
from responder.adapters.viewer_store import MongoViewers
from responder.notifications.domain.routes import WebhookRules
from responder.notifications.ports import DeliveryStore, RouteStore
from responder.ports import (
    AccountStore,
    AlertStore,
    InboxReads,
    MacroStore,
    NoteStore,
    Ports,
    ReplyStore,
)


def _from_state(name: str) -> Callable[[Request], Any]:
    """A dependency answering ``app.state.<name>``, set by ``main.create_app`` at start-up."""

    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return get


PortsDep = Annotated[Ports, Depends(_from_state("ports"))]
AlertsDep = Annotated[AlertStore, Depends(_from_state("alerts"))]
InboxDep = Annotated[InboxReads, Depends(_from_state("inbox"))]
RepliesDep = Annotated[ReplyStore, Depends(_from_state("replies"))]
NotesDep = Annotated[NoteStore, Depends(_from_state("notes"))]
MacrosDep = Annotated[MacroStore, Depends(_from_state("macros"))]
AccountsDep = Annotated[AccountStore, Depends(_from_state("accounts"))]
HealthDep = Annotated[MongoBrandHealth, Depends(_from_state("health"))]
ViewersDep = Annotated[MongoViewers, Depends(_from_state("viewers"))]
RoutesDep = Annotated[RouteStore, Depends(_from_state("notification_routes"))]
DeliveriesDep = Annotated[DeliveryStore, Depends(_from_state("notifications"))]
WebhookRulesDep = Annotated[WebhookRules, Depends(_from_state("webhook_rules"))]
_AGENT = require(Scope.AGENT, Scope.SUPERVISOR)
_SUPERVISOR = require(Scope.SUPERVISOR)
Agent = Annotated[Principal, _AGENT]
Supervisor = Annotated[Principal, _SUPERVISOR]
READ = [_AGENT]
"""A route's first dependency, so the token is checked before anything reads app state or the
body (FastAPI runs ``dependencies=`` first, then parameters in order, and checks a route that
also takes ``Agent`` once)."""
SUPERVISE = [_SUPERVISOR]


def supervises(principal: Principal) -> bool:
    return principal.has_any([Scope.SUPERVISOR])
