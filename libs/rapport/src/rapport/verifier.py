"""How a service checks a bearer token: signed by a key of its JWKS, issued by its issuer, for
this service, not expired, not revoked."""

import asyncio
import ipaddress
import time
from collections import OrderedDict
from urllib.parse import urlparse

import httpx

from rapport.auth import InvalidToken, Principal, token_kid, verify_token
from rapport.keys import KeySet, PublicKeys
from rapport.revocations import Revocations, follow
from rapport.settings import RapportSettings
from rapport.workers import Workers


class KeysUnavailable(Exception):
    """The JWKS URL could not be fetched: no token can be checked (503, not 401)."""


class TokenVerifier:
    REMEMBERED = 4096
    """Tokens whose signature was checked, kept so that the rate limiter, ``AuthenticateFirst``
    and the route, and a client's next requests, do not check it again; each is still checked
    for expiry and revocation every time, and forgotten when the key set changes."""

    def __init__(
        self, keys: PublicKeys, revocations: Revocations, *, issuer: str, audience: str
    ) -> None:
        self.keys = keys
        self.revocations = revocations
        self.issuer = issuer
        self.audience = audience
        self._verified: OrderedDict[str, tuple[KeySet, Principal]] = OrderedDict()

    @classmethod
    def for_service(cls, settings: RapportSettings) -> "TokenVerifier":
        """Refuses (ValueError) a service without usable public keys, in every environment."""
        source = settings.auth_jwks.strip()
        if not source:
            raise ValueError(
                "RAPPORT_AUTH_JWKS is not set: give the token issuer's public keys "
                "(a JWKS file or URL; `rapport token keygen` makes a key pair)"
            )
        if source.startswith(("https://", "http://")):
            _refuse_plain_http(source)
        else:
            KeySet.read(source)
        return cls(
            PublicKeys(source, cache_s=settings.auth_jwks_cache_s),
            Revocations(),
            issuer=settings.auth_issuer,
            audience=settings.service_name,
        )

    def start(self, workers: Workers, settings: RapportSettings) -> None:
        """Start reading the revocation list (``ready`` once it is read up to its end)."""
        stopping = asyncio.Event()
        topic = settings.auth_revocations_topic
        work = follow(self.revocations, topic, settings, stopping)
        workers.start("revocations", work, stop=stopping.set)

    async def principal(self, token: str) -> Principal:
        try:
            keys = await self.keys.key_set(token_kid(token))
        except (httpx.HTTPError, OSError, ValueError) as error:
            raise KeysUnavailable(f"the token issuer's keys are unavailable: {error}") from error
        found = self._remembered(token, keys)
        if found is None:
            found = verify_token(token, keys=keys, issuer=self.issuer, audience=self.audience)
            self._remember(token, keys, found)
        if time.time() >= found.expires_at:
            raise InvalidToken("token expired")
        if found.token_id in self.revocations:
            raise InvalidToken("token revoked")
        return found

    def _remembered(self, token: str, keys: KeySet) -> Principal | None:
        entry = self._verified.get(token)
        if entry is None or entry[0] is not keys:
            return None
        self._verified.move_to_end(token)
        return entry[1]

    def _remember(self, token: str, keys: KeySet, principal: Principal) -> None:
        self._verified[token] = (keys, principal)
        if len(self._verified) > self.REMEMBERED:
            self._verified.popitem(last=False)


def _refuse_plain_http(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme == "https":
        return
    host = parsed.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError("RAPPORT_AUTH_JWKS must be an https URL (http only on this machine)")
