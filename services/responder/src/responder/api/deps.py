"""What routes share: the ports and stores from ``app.state``, the caller, error mapping."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status

from rapport.api import require
from rapport.auth import Principal, Scope
from responder.adapters.brand_health_store import MongoBrandHealth
from responder.adapters.viewer_store import MongoViewers
from responder.domain.agents import AgentUnavailable
from responder.ports import AlertStore, CaseConflict, Ports, ReplyStore
from responder.use_cases.case_changes import CaseError, UnknownCase


def _from_state(name: str) -> Callable[[Request], Any]:
    """A dependency answering ``app.state.<name>``, set by ``main.create_app`` at start-up."""

    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return get


PortsDep = Annotated[Ports, Depends(_from_state("ports"))]
AlertsDep = Annotated[AlertStore, Depends(_from_state("alerts"))]
RepliesDep = Annotated[ReplyStore, Depends(_from_state("replies"))]
HealthDep = Annotated[MongoBrandHealth, Depends(_from_state("health"))]
ViewersDep = Annotated[MongoViewers, Depends(_from_state("viewers"))]
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


@contextmanager
def case_errors() -> Iterator[None]:
    """Domain errors as 4xx: unknown case 404; a change that does not apply 409."""
    try:
        yield
    except UnknownCase as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such case") from error
    except CaseError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except AgentUnavailable as error:
        reason = "the agent is unknown, unavailable, at capacity or lacks the case's skills"
        raise HTTPException(status.HTTP_409_CONFLICT, reason) from error
    except CaseConflict as error:
        raise HTTPException(status.HTTP_409_CONFLICT, "the case is busy; try again") from error
