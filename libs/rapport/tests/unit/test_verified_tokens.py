"""A service checks a token's signature once and remembers it; expiry, revocation and a change of
keys still refuse a remembered token."""

import json
import os
import time
from pathlib import Path

import pytest
import time_machine

from rapport import verifier
from rapport.auth import InvalidToken, issue_token
from rapport.keys import PublicKeys, SigningKey, add_key
from rapport.revocations import Revocations
from rapport.verifier import TokenVerifier

ISSUER = "rapport-test"


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    return add_key(tmp_path / "private.pem", tmp_path / "jwks.json")


@pytest.fixture
def service(tmp_path: Path) -> TokenVerifier:
    keys = PublicKeys(str(tmp_path / "jwks.json"))
    return TokenVerifier(keys, Revocations(), issuer=ISSUER, audience="ingest")


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens whose signature the verifier checked."""
    seen: list[str] = []
    real = verifier.verify_token  # type: ignore[attr-defined]  # the name verifier calls

    def counted(token: str, **kwargs: object) -> object:
        seen.append(token)
        return real(token, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(verifier, "verify_token", counted)
    return seen


def mint(key: SigningKey, ttl_s: int = 600) -> str:
    return issue_token(key, "crm", ["agent"], audience=["ingest"], issuer=ISSUER, ttl_s=ttl_s)


async def test_a_token_is_checked_once_however_often_it_is_shown(
    key: SigningKey, service: TokenVerifier, checks: list[str]
) -> None:
    token = mint(key)
    for _ in range(3):
        assert (await service.principal(token)).subject == "crm"
    assert checks == [token]


async def test_a_remembered_token_is_refused_once_it_expires(
    key: SigningKey, service: TokenVerifier, checks: list[str]
) -> None:
    token = mint(key, ttl_s=60)
    await service.principal(token)
    later = time_machine.travel(time.time() + 61, tick=False)
    with later, pytest.raises(InvalidToken, match="expired"):
        await service.principal(token)


async def test_a_remembered_token_is_refused_once_revoked(
    key: SigningKey, service: TokenVerifier, checks: list[str]
) -> None:
    token = mint(key)
    found = await service.principal(token)
    service.revocations.add(found.token_id, found.expires_at)
    with pytest.raises(InvalidToken, match="revoked"):
        await service.principal(token)


async def test_a_remembered_token_is_checked_again_when_the_keys_change(
    tmp_path: Path, key: SigningKey, service: TokenVerifier, checks: list[str]
) -> None:
    token = mint(key)
    await service.principal(token)
    jwks = tmp_path / "jwks.json"
    new_key = add_key(tmp_path / "new.pem", jwks)
    data = json.loads(jwks.read_text())
    jwks.write_text(json.dumps({"keys": [k for k in data["keys"] if k["kid"] == new_key.kid]}))
    os.utime(jwks, (time.time() + 5, time.time() + 5))
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await service.principal(token)
    assert checks == [token, token]


async def test_forged_tokens_are_never_remembered(
    key: SigningKey, service: TokenVerifier, checks: list[str]
) -> None:
    token = mint(key)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(InvalidToken):
            await service.principal(forged)
    assert checks == [forged, forged]
