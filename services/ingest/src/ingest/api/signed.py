"""How webhook requests prove who sent them, as route dependencies (``rapport.api.signed``).

Each refuses a request not signed with the configured secret (401 with the reason), and a
webhook whose secret is not set with 503 (the platform retries, and its deliveries arrive
once the operator configures it); an unknown generic source is 404.
"""

import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request, status
from pydantic import SecretStr

from ingest.settings import IngestSettings
from ingest.signatures import Encoding, InvalidSignature, check_timestamp, same, verify
from rapport.api import signed

X_SIGNATURE = "x-twitter-webhooks-signature"
META_SIGNATURE = "X-Hub-Signature-256"
GENERIC_SIGNATURE = "X-Rapport-Signature"
GENERIC_TIMESTAMP = "X-Rapport-Timestamp"


def _configured(secret: SecretStr | None, platform: str, variable: str) -> str:
    if secret is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"the {platform} webhook is not configured: set {variable}",
        )
    return secret.get_secret_value()


def _settings(request: Request) -> IngestSettings:
    settings: IngestSettings = request.app.state.settings
    return settings


async def _verified(
    request: Request, *, header: str, secret: str, encoding: Encoding, prefix: bytes = b""
) -> bytes:
    body = await request.body()
    try:
        verify(
            request.headers.get(header),
            name=header,
            secret=secret,
            message=prefix + body,
            encoding=encoding,
        )
    except InvalidSignature as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error)) from error
    return body


async def x_secret(request: Request) -> str:
    return _configured(_settings(request).x_consumer_secret, "X", "RAPPORT_X_CONSUMER_SECRET")


async def x_signed(request: Request, secret: Annotated[str, Depends(x_secret)]) -> bytes:
    return await _verified(request, header=X_SIGNATURE, secret=secret, encoding="base64")


async def meta_signed(request: Request) -> bytes:
    secret = _configured(_settings(request).meta_app_secret, "Meta", "RAPPORT_META_APP_SECRET")
    return await _verified(request, header=META_SIGNATURE, secret=secret, encoding="hex")


async def meta_handshake(
    request: Request,
    mode: Annotated[str, Query(alias="hub.mode", max_length=32)],
    token: Annotated[str, Query(alias="hub.verify_token", max_length=256)],
) -> None:
    settings = _settings(request)
    expected = _configured(settings.meta_verify_token, "Meta", "RAPPORT_META_VERIFY_TOKEN")
    if mode != "subscribe" or not same(token, expected):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "hub.verify_token does not match")


@dataclass(frozen=True)
class SignedRequest:
    body: bytes
    replay_key: str
    """Names this exact request: the same body, timestamp and signature sent again is a replay."""
    expires_at: float
    """When its timestamp leaves the replay window, so it can no longer be replayed anyway."""


async def generic_signed(
    request: Request,
    source: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")],
) -> SignedRequest:
    settings = _settings(request)
    secret = settings.webhook_secrets.get(source)
    if secret is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no webhook is configured for {source!r}")
    window = settings.webhook_replay_window_s
    header = request.headers.get(GENERIC_TIMESTAMP)
    try:
        timestamp = check_timestamp(
            header, name=GENERIC_TIMESTAMP, now=time.time(), window_s=window
        )
    except InvalidSignature as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error)) from error
    body = await _verified(
        request,
        header=GENERIC_SIGNATURE,
        secret=secret.get_secret_value(),
        encoding="hex",
        prefix=f"{timestamp}.".encode(),
    )
    signature = request.headers[GENERIC_SIGNATURE].lower()
    return SignedRequest(body, f"{source}:{signature}", expires_at=timestamp + window)


XSecret = Annotated[str, signed(x_secret)]
# Each signature also goes first in its route's dependencies, so an unsigned request is
# refused before its body is parsed; the parameter then reuses the verified body.
XSignature, MetaSignature, GenericSignature = (
    signed(x_signed),
    signed(meta_signed),
    signed(generic_signed),
)
SignedX = Annotated[bytes, XSignature]
SignedMeta = Annotated[bytes, MetaSignature]
SignedGeneric = Annotated[SignedRequest, GenericSignature]
MetaHandshake = signed(meta_handshake)
