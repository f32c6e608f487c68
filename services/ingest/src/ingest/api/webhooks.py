"""Platform webhooks: X, Meta (Facebook, Instagram), and a generic signed webhook.

They are authenticated by signature, not bearer token (``ingest.api.signed``). Deliveries get
200 (what X and Meta expect) or 202 (generic) once their mentions are durable; events ingest
does not handle are counted as ignored. Malformed payloads get 422 and change nothing.
"""

from collections import Counter
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ValidationError

from ingest.adapters.replay_store import Replayed
from ingest.api.deps import IntakeDep, ReplaysDep
from ingest.api.signed import (
    GenericSignature,
    MetaHandshake,
    MetaSignature,
    SignedGeneric,
    SignedMeta,
    SignedX,
    XSecret,
    XSignature,
)
from ingest.platforms import Delivery, Unmappable, generic, meta, x
from ingest.signatures import sign
from ingest.use_cases.intake import Intake
from rapport.api import JsonBody
from rapport.events import Source
from rapport.openapi import refused

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


class WebhookReceipt(BaseModel):
    accepted: int
    duplicates: int
    ignored: int
    """Events that are not mentions, and mentions an erased author made before the erasure."""


class CrcResponse(BaseModel):
    response_token: str


@router.get("/x")
async def x_crc(secret: XSecret, crc_token: Annotated[str, Query(max_length=256)]) -> CrcResponse:
    """X's challenge-response check: proves this endpoint knows the consumer secret."""
    return CrcResponse(response_token=sign(secret, crc_token.encode(), "base64"))


@router.post("/x", dependencies=[XSignature, JsonBody])
async def x_events(intake: IntakeDep, raw: SignedX) -> WebhookReceipt:
    """Account Activity deliveries (mentions, replies, quote posts), signed by X."""
    return await _receive(intake, _parsed(x.parse, raw))


@router.get(
    "/meta",
    response_class=PlainTextResponse,
    dependencies=[MetaHandshake],
    responses=refused(403),
)
async def meta_subscribe(
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=256)],
) -> str:
    """Meta's subscription handshake: the challenge, echoed when the verify token matches."""
    return challenge


@router.post("/meta", dependencies=[MetaSignature, JsonBody])
async def meta_events(intake: IntakeDep, raw: SignedMeta) -> WebhookReceipt:
    """Facebook Page and Instagram deliveries (comments, mentions, visitor posts), signed."""
    return await _receive(intake, _parsed(meta.parse, raw))


@router.post(
    "/generic/{source}",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[GenericSignature, JsonBody],
)
async def generic_events(
    intake: IntakeDep, replays: ReplaysDep, signed: SignedGeneric
) -> WebhookReceipt:
    """Reviews and forum posts, signed over timestamp and body; a replayed request gets 409."""
    delivery = _parsed(generic.parse, signed.body)
    try:
        async with replays.first_use(signed.replay_key, expires_at=signed.expires_at):
            return await _receive(intake, delivery)
    except Replayed as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "this request was already received"
        ) from error


def _parsed(parse: Callable[[bytes], Delivery], raw: bytes) -> Delivery:
    try:
        return parse(raw)
    except ValidationError as error:
        raise RequestValidationError(
            [
                {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                for e in error.errors()
            ]
        ) from error
    except Unmappable as error:
        raise RequestValidationError(error.errors) from error


async def _receive(intake: Intake, delivery: Delivery) -> WebhookReceipt:
    results = []
    if delivery.mentions:
        results = await intake.accept(
            delivery.mentions, Source.WEBHOOK, own_accounts=delivery.own_accounts
        )
    counts = Counter(r.status for r in results)
    return WebhookReceipt(
        accepted=counts["accepted"],
        duplicates=counts["duplicate"],
        ignored=delivery.ignored + counts["suppressed"],
    )
