from typing import Annotated, Literal

from fastapi import APIRouter, Body, Request, status
from pydantic import BaseModel

from ingest.domain.normalize import MentionBatch, MentionsBody, canonical
from ingest.repository import Archive
from rapport.api import JsonBody, require
from rapport.auth import Scope

router = APIRouter(prefix="/v1", tags=["mentions"])


class MentionResult(BaseModel):
    platform: str
    external_id: str
    status: Literal["accepted", "duplicate"]


class MentionsAccepted(BaseModel):
    accepted: int
    duplicates: int
    results: list[MentionResult]


@router.post(
    "/mentions",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[require(Scope.INTEGRATION), JsonBody],
)
async def post_mentions(
    request: Request, body: Annotated[MentionsBody, Body()]
) -> MentionsAccepted:
    """Accept one mention or a batch; 202 once they are durable and bound for Kafka."""
    incoming = body.mentions if isinstance(body, MentionBatch) else [body]
    mentions = [canonical(m) for m in incoming]
    archive: Archive = request.app.state.archive
    new = await archive.accept(mentions)
    request.app.state.relay.wake()
    results = [
        MentionResult(
            platform=m.platform.value,
            external_id=m.external_id,
            status="accepted" if is_new else "duplicate",
        )
        for m, is_new in zip(mentions, new, strict=True)
    ]
    accepted = sum(new)
    return MentionsAccepted(accepted=accepted, duplicates=len(new) - accepted, results=results)
