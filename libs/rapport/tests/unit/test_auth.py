"""Tokens: EdDSA JWTs from one issuer, for named services, expiring, with rotating keys."""

import json
import os
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rapport.auth import (
    MAX_LIFETIME_S,
    InvalidToken,
    Scope,
    issue_token,
    token_kid,
    verify_token,
)
from rapport.keys import KeySet, PublicKeys, SigningKey, UnusableKey, add_key

ISSUER = "rapport-test"


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    return add_key(tmp_path / "private.pem", tmp_path / "jwks.json")


@pytest.fixture
def keys(tmp_path: Path, key: SigningKey) -> KeySet:
    return KeySet.read(tmp_path / "jwks.json")


def mint(key: SigningKey, *scopes: str, **claims: object) -> str:
    audience = claims.pop("audience", ["ingest"])
    return issue_token(key, "crm", scopes, audience=audience, issuer=ISSUER, **claims)  # type: ignore[arg-type]


def check(token: str, keys: KeySet, audience: str = "ingest", **kwargs: object) -> object:
    return verify_token(token, keys=keys, issuer=ISSUER, audience=audience, **kwargs)  # type: ignore[arg-type]


def test_round_trip_keeps_subject_scopes_and_a_unique_id(key: SigningKey, keys: KeySet) -> None:
    token = mint(key, "agent", "integration", ttl_s=600)
    principal = verify_token(token, keys=keys, issuer=ISSUER, audience="ingest")
    assert principal.subject == "crm"
    assert principal.scopes == {Scope.AGENT, Scope.INTEGRATION}
    assert (
        principal.token_id
        != verify_token(
            mint(key, "agent", ttl_s=600), keys=keys, issuer=ISSUER, audience="ingest"
        ).token_id
    )
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) == {"iss", "aud", "sub", "scope", "iat", "exp", "jti"}
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}


def test_a_token_names_the_services_it_is_for(key: SigningKey, keys: KeySet) -> None:
    token = mint(key, "agent", audience=["responder", "profiles"])
    assert check(token, keys, audience="profiles")
    with pytest.raises(InvalidToken, match="not for ingest"):
        check(token, keys, audience="ingest")


def test_another_issuer_is_refused(key: SigningKey, keys: KeySet) -> None:
    token = issue_token(key, "x", ["agent"], audience=["ingest"], issuer="someone-else")
    with pytest.raises(InvalidToken, match="another issuer"):
        check(token, keys)


def test_a_key_outside_the_set_is_refused(key: SigningKey, keys: KeySet) -> None:
    stranger = SigningKey.of(Ed25519PrivateKey.generate())
    with pytest.raises(InvalidToken, match="unknown signing key"):
        check(mint(stranger, "admin"), keys)
    impostor = SigningKey(Ed25519PrivateKey.generate(), key.kid)  # claims our kid
    with pytest.raises(InvalidToken, match="Signature verification failed"):
        check(mint(impostor, "admin"), keys)


def test_tampered_claims_are_refused(key: SigningKey, keys: KeySet) -> None:
    header, _, signature = mint(key, "agent").split(".")
    forged = jwt.utils.base64url_encode(json.dumps({"sub": "x", "scope": "admin"}).encode())
    with pytest.raises(InvalidToken):
        check(f"{header}.{forged.decode()}.{signature}", keys)


def test_unsigned_and_hmac_tokens_are_refused(key: SigningKey, keys: KeySet) -> None:
    claims: dict[str, object] = {"iss": ISSUER, "aud": "ingest", "sub": "x", "scope": "admin"}
    claims |= {"jti": "j", "iat": int(time.time()), "exp": int(time.time()) + 60}
    for token in (
        jwt.encode(claims, None, algorithm="none", headers={"kid": key.kid}),  # type: ignore[arg-type]
        jwt.encode(claims, "a-guessable-secret-0123456789-abc", headers={"kid": key.kid}),
    ):
        with pytest.raises(InvalidToken):
            check(token, keys)


def test_expired_tokens_are_refused(key: SigningKey, keys: KeySet) -> None:
    token = mint(key, "agent", ttl_s=60)
    assert check(token, keys)
    with pytest.raises(InvalidToken, match="expired"):
        check(token, keys, now=time.time() + 61)
    old = mint(key, "agent", ttl_s=60, now=time.time() - 120)
    with pytest.raises(InvalidToken, match="expired"):
        check(old, keys)


def test_expiry_is_required(key: SigningKey, keys: KeySet) -> None:
    claims = {"iss": ISSUER, "aud": "ingest", "sub": "x", "scope": "admin", "jti": "j", "iat": 1}
    token = jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": key.kid})
    with pytest.raises(InvalidToken, match="exp"):
        check(token, keys)


@pytest.mark.parametrize(
    ("scopes", "longest"),
    [(["admin"], 3600), (["privacy"], 3600), (["agent"], 43200), (["integration"], 2592000)],
)
def test_each_role_has_a_longest_lifetime(
    key: SigningKey, keys: KeySet, scopes: list[str], longest: int
) -> None:
    assert check(mint(key, *scopes, ttl_s=longest), keys)
    with pytest.raises(ValueError, match=f"at most {longest} s"):
        mint(key, *scopes, ttl_s=longest + 1)


def test_the_most_powerful_scope_sets_the_lifetime(key: SigningKey) -> None:
    token = mint(key, "integration", "admin")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == MAX_LIFETIME_S[Scope.ADMIN]


def test_a_token_living_longer_than_its_scopes_allow_is_refused(
    key: SigningKey, keys: KeySet
) -> None:
    now = int(time.time())
    claims: dict[str, object] = {"iss": ISSUER, "aud": "ingest", "sub": "x", "scope": "admin"}
    claims |= {"jti": "j", "iat": now, "exp": now + 30 * 86400}
    token = jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": key.kid})
    with pytest.raises(InvalidToken, match="longer than its scopes allow"):
        check(token, keys)


def test_a_token_issued_in_the_future_is_refused(key: SigningKey, keys: KeySet) -> None:
    later = mint(key, "admin", ttl_s=3600, now=time.time() + 10 * 365 * 86400)
    with pytest.raises(InvalidToken, match="issued in the future"):
        check(later, keys)


def test_unknown_scopes_are_rejected_at_issue(key: SigningKey) -> None:
    with pytest.raises(ValueError, match="root"):
        mint(key, "root")


def test_admin_implies_every_scope(key: SigningKey, keys: KeySet) -> None:
    admin = verify_token(mint(key, "admin"), keys=keys, issuer=ISSUER, audience="ingest")
    agent = verify_token(mint(key, "agent"), keys=keys, issuer=ISSUER, audience="ingest")
    assert admin.has_any([Scope.PRIVACY])
    assert not agent.has_any([Scope.PRIVACY])


def test_old_and_new_keys_verify_side_by_side(tmp_path: Path, key: SigningKey) -> None:
    jwks = tmp_path / "jwks.json"
    old_token = mint(key, "agent")
    new_key = add_key(tmp_path / "new.pem", jwks)
    both = KeySet.read(jwks)
    assert token_kid(old_token) != new_key.kid
    assert check(old_token, both)
    assert check(mint(new_key, "agent"), both)
    data = json.loads(jwks.read_text())
    jwks.write_text(json.dumps({"keys": [k for k in data["keys"] if k["kid"] == new_key.kid]}))
    with pytest.raises(InvalidToken, match="unknown signing key"):
        check(old_token, KeySet.read(jwks))


async def test_a_services_key_file_is_read_again_when_it_changes(
    tmp_path: Path, key: SigningKey
) -> None:
    jwks = tmp_path / "jwks.json"
    public = PublicKeys(str(jwks))
    assert len(await public.key_set(key.kid)) == 1
    new_key = add_key(tmp_path / "new.pem", jwks)
    os.utime(jwks, (time.time() + 5, time.time() + 5))
    assert (await public.key_set(new_key.kid)).get(new_key.kid) is not None


def test_a_key_set_without_ed25519_keys_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text('{"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}')
    with pytest.raises(UnusableKey, match="no Ed25519 public key"):
        KeySet.read(path)
    with pytest.raises(UnusableKey):
        KeySet.read(tmp_path / "missing.json")


def test_the_private_key_file_is_private(tmp_path: Path, key: SigningKey) -> None:
    assert (tmp_path / "private.pem").stat().st_mode & 0o777 == 0o600
    assert SigningKey.load(tmp_path / "private.pem").kid == key.kid
    assert "private" not in (tmp_path / "jwks.json").read_text().lower()
    assert '"d"' not in (tmp_path / "jwks.json").read_text()
