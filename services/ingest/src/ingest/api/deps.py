"""What routes are given, from what ``main`` wires at start-up: the intake, the import records
and the replay guard of signed webhooks."""

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status

from ingest.adapters.replay_store import ReplayGuard
from ingest.ports import ImportStore
from ingest.use_cases.intake import Intake


def _wired(request: Request, name: str) -> Any:
    found = getattr(request.app.state, name, None)
    if found is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "ingest is starting")
    return found


def get_intake(request: Request) -> Intake:
    intake: Intake = _wired(request, "intake")
    return intake


def get_imports(request: Request) -> ImportStore:
    imports: ImportStore = _wired(request, "imports")
    return imports


def get_replays(request: Request) -> ReplayGuard:
    replays: ReplayGuard = _wired(request, "replays")
    return replays


IntakeDep = Annotated[Intake, Depends(get_intake)]
ImportsDep = Annotated[ImportStore, Depends(get_imports)]
ReplaysDep = Annotated[ReplayGuard, Depends(get_replays)]
