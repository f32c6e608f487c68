"""What routes share: the desk and stores from ``app.state``, the caller, error mapping."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from rapport.api import require
from rapport.auth import Principal, Scope
from responder.desk import Desk
from responder.stores.alerts import Alerts
from responder.stores.brand_health import BrandHealth
from responder.stores.replies import Replies
from responder.stores.viewers import Viewers


def _from_state(name: str) -> Callable[[Request], Any]:
    """A dependency answering ``app.state.<name>``, set by ``main.create_app`` at start-up."""

    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return get


DeskDep = Annotated[Desk, Depends(_from_state("desk"))]
AlertsDep = Annotated[Alerts, Depends(_from_state("alerts"))]
RepliesDep = Annotated[Replies, Depends(_from_state("replies"))]
HealthDep = Annotated[BrandHealth, Depends(_from_state("health"))]
ViewersDep = Annotated[Viewers, Depends(_from_state("viewers"))]
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
