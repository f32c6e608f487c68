"""Services that read the issuer's public keys from a JWKS URL, against a real HTTP server on
this machine: fetched and cached, fetched again for a key they do not know (rotation), kept
while the server is away, and 503 (never 500, never a pass) when no key was ever fetched."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rapport.auth import InvalidToken, issue_token
from rapport.keys import SigningKey, public_jwk
from rapport.settings import RapportSettings
from rapport.verifier import KeysUnavailable, TokenVerifier

pytestmark = pytest.mark.integration


@dataclass
class KeyServer:
    """Serves ``jwks`` at ``/jwks.json`` (or ``status`` when it is not 200); counts requests."""

    url: str = ""
    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    status: int = 200
    requests: int = 0

    def publish(self, *keys: SigningKey) -> None:
        self.jwks = {"keys": [public_jwk(key.private.public_key()) for key in keys]}


@pytest.fixture
def server() -> Iterator[KeyServer]:
    served = KeyServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests += 1
            body = json.dumps(served.jwks).encode()
            self.send_response(served.status)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.url = f"http://127.0.0.1:{http.server_address[1]}/jwks.json"
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        http.shutdown()
        http.server_close()


def new_key() -> SigningKey:
    return SigningKey.of(Ed25519PrivateKey.generate())


def verifier(url: str, cache_s: float = 300.0) -> TokenVerifier:
    settings = RapportSettings(service_name="profiles", auth_jwks=url, auth_jwks_cache_s=cache_s)
    return TokenVerifier.for_service(settings)


def token(key: SigningKey, subject: str = "crm") -> str:
    return issue_token(key, subject, ["integration"], audience=["profiles"])


async def test_keys_are_fetched_once_and_cached(server: KeyServer) -> None:
    key = new_key()
    server.publish(key)
    checking = verifier(server.url)
    for subject in ("a", "b", "c"):
        assert (await checking.principal(token(key, subject))).subject == subject
    assert server.requests == 1


async def test_a_new_key_is_fetched_at_once_and_a_stranger_refused(server: KeyServer) -> None:
    old, new = new_key(), new_key()
    server.publish(old)
    checking = verifier(server.url)
    checking.keys.REFETCH_S = 0.0
    await checking.principal(token(old))

    server.publish(old, new)  # a rotation: the issuer's key server has the new key first
    assert (await checking.principal(token(new))).subject == "crm"
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await checking.principal(token(new_key()))


async def test_keys_fetched_before_stay_in_use_while_the_server_is_away(
    server: KeyServer,
) -> None:
    key = new_key()
    server.publish(key)
    checking = verifier(server.url, cache_s=0.001)
    checking.keys.REFETCH_S = 0.0
    await checking.principal(token(key))

    server.status = 503
    assert (await checking.principal(token(key))).subject == "crm"
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await checking.principal(token(new_key()))
    assert server.requests >= 3  # it kept asking


async def test_no_key_ever_fetched_is_keys_unavailable(server: KeyServer) -> None:
    server.status = 500
    with pytest.raises(KeysUnavailable):
        await verifier(server.url).principal(token(new_key()))


async def test_a_malformed_entry_does_not_hide_the_good_ones(server: KeyServer) -> None:
    key = new_key()
    server.publish(key)
    server.jwks["keys"].insert(0, {"kty": "OKP", "crv": "Ed25519", "kid": "broken"})
    assert (await verifier(server.url).principal(token(key))).subject == "crm"
