"""Tags on a case: added and removed by agents, lower-cased; ``GET /v1/cases?tag=`` filters."""

from uuid import UUID

from fastapi import APIRouter

from rapport.openapi import refused
from responder.api.deps import READ, PortsDep
from responder.api.views import CaseView
from responder.use_cases.case_tags import add_tag, remove_tag

router = APIRouter(prefix="/v1", tags=["cases"])


@router.put("/cases/{case_id}/tags/{tag}", dependencies=READ, responses=refused(409, 422))
async def tag_case(ports: PortsDep, case_id: UUID, tag: str) -> CaseView:
    """Add the tag (1 to 32 of a-z, 0-9, '-', '_'; lower-cased); 409 past 20 tags a case."""
    return CaseView.of(await add_tag(ports, case_id, tag))


@router.delete("/cases/{case_id}/tags/{tag}", dependencies=READ, responses=refused(422))
async def untag_case(ports: PortsDep, case_id: UUID, tag: str) -> CaseView:
    """Remove the tag from the case (nothing to do if it does not hold it)."""
    return CaseView.of(await remove_tag(ports, case_id, tag))
