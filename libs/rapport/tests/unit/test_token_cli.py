"""`rapport token keygen` and `rapport token mint`: the issuer's side of the tokens."""

import json
from pathlib import Path

import jwt
import pytest

from rapport import cli
from rapport.auth import verify_token
from rapport.keys import KeySet


def minted(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    cli.main(["token", "mint", *argv])
    return capsys.readouterr().out.strip()


def test_keygen_then_mint_gives_a_token_the_services_accept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    private, jwks = tmp_path / "issuer" / "private.pem", tmp_path / "jwks.json"
    cli.main(["token", "keygen", "--private-key", str(private), "--jwks", str(jwks)])
    capsys.readouterr()
    key = ["--private-key", str(private)]
    token = minted(capsys, "--scopes", "agent", "--audience", "all", "--subject", "anna", *key)
    for service in ("ingest", "profiles", "responder", "loyalty"):
        found = verify_token(token, keys=KeySet.read(jwks), issuer="rapport", audience=service)
        assert found.subject == "anna"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 12 * 3600


def test_keygen_again_rotates_keeping_the_old_public_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jwks = tmp_path / "jwks.json"
    for name in ("old.pem", "new.pem"):
        cli.main(["token", "keygen", "--private-key", str(tmp_path / name), "--jwks", str(jwks)])
    assert len(json.loads(jwks.read_text())["keys"]) == 2
    capsys.readouterr()
    old, new = (
        minted(capsys, "--scopes", "agent", "--audience", "ingest", "--private-key", str(key))
        for key in (tmp_path / "old.pem", tmp_path / "new.pem")
    )
    keys = KeySet.read(jwks)
    assert jwt.get_unverified_header(old)["kid"] != jwt.get_unverified_header(new)["kid"]
    for token in (old, new):
        assert verify_token(token, keys=keys, issuer="rapport", audience="ingest")


def test_minting_without_a_private_key_or_beyond_the_longest_lifetime_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RAPPORT_AUTH_PRIVATE_KEY", raising=False)
    with pytest.raises(SystemExit, match="no private key"):
        cli.main(["token", "mint", "--scopes", "admin", "--audience", "ingest"])
    private = tmp_path / "private.pem"
    cli.main(["token", "keygen", "--private-key", str(private), "--jwks", str(tmp_path / "j")])
    minting = ["token", "mint", "--scopes", "admin", "--audience", "ingest"]
    with pytest.raises(SystemExit, match="at most 3600 s"):
        cli.main([*minting, "--ttl", "7200", "--private-key", str(private)])
