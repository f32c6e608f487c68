from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from rapport.api import require
from rapport.auth import Scope
from responder.repository import CaseRepository

router = APIRouter(prefix="/v1", tags=["cases"])


class Case(BaseModel):
    case_id: UUID
    profile_id: UUID
    state: str
    queue: str
    priority: str
    opened_at: datetime
    mention_ids: list[UUID]


@router.get("/cases", dependencies=[require(Scope.AGENT, Scope.SUPERVISOR)])
async def list_cases(
    request: Request,
    profile_id: UUID | None = None,
    state: Literal["open"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[Case]:
    """Cases, newest first, optionally of one profile or in one state."""
    cases: CaseRepository = request.app.state.cases
    docs = await cases.list(profile_id=profile_id, state=state, limit=limit)
    return [Case(case_id=d["_id"], **{k: d[k] for k in Case.model_fields if k in d}) for d in docs]
