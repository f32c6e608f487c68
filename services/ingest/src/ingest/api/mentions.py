from collections import Counter
from typing import Annotated, Literal

from fastapi import APIRouter, Body, status
from pydantic import BaseModel

from ingest.api.deps import IntakeDep
from ingest.domain.normalize import MentionBatch, MentionsBody
from rapport.api import JsonBody, require
from rapport.auth import Scope
from rapport.events import Source

router = APIRouter(prefix="/v1", tags=["mentions"])


class MentionResult(BaseModel):
    platform: str
    external_id: str
    status: Literal["accepted", "duplicate", "suppressed"]
    """suppressed: its author was erased after posting it; nothing about it is stored."""


class MentionsAccepted(BaseModel):
    accepted: int
    duplicates: int
    suppressed: int = 0
    results: list[MentionResult]


@router.post(
    "/mentions",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[require(Scope.INTEGRATION), JsonBody],
)
async def post_mentions(
    intake: IntakeDep, body: Annotated[MentionsBody, Body()]
) -> MentionsAccepted:
    """Accept one mention or a batch; 202 once they are durable and bound for Kafka."""
    incoming = body.mentions if isinstance(body, MentionBatch) else [body]
    results = [MentionResult(**vars(r)) for r in await intake.accept(incoming, Source.API)]
    counts = Counter(r.status for r in results)
    return MentionsAccepted(
        accepted=counts["accepted"],
        duplicates=counts["duplicate"],
        suppressed=counts["suppressed"],
        results=results,
    )
