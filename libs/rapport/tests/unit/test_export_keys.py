"""The export keys: refused when missing or a placeholder outside the local profile, sealing
bound to its context, and rotation (exports sealed with an older key still open)."""

import json

import pytest
from cryptography.exceptions import InvalidTag
from pydantic import SecretStr

from rapport.exports.keys import (
    DEVELOPMENT_KEY,
    DEVELOPMENT_KEY_ID,
    ExportKeys,
    ExportSettings,
    UnknownKey,
    new_key,
)
from rapport.service import service_app
from rapport.settings import Environment, RapportSettings
from rapport.testing import no_run, token_keys


def keys(given: dict[str, str], current: str = "", *, development: bool = False) -> ExportKeys:
    settings = ExportSettings(export_keys=json.dumps(given), export_key_id=current)
    return ExportKeys.parse(settings, development=development)


@pytest.mark.parametrize(
    ("raw", "current", "reason"),
    [
        ("", "", "RAPPORT_EXPORT_KEYS is not set"),
        ("not json", "", "is not JSON"),
        ("[]", "", "JSON object"),
        (json.dumps({"k": "c2hvcnQ="}), "", "must be 32 bytes"),
        (json.dumps({"k": "***"}), "", "must be 32 bytes|base64"),
        (json.dumps({DEVELOPMENT_KEY_ID: DEVELOPMENT_KEY}), "", "public development key"),
        (json.dumps({"mine": DEVELOPMENT_KEY}), "", "public development key"),
        (json.dumps({"a": new_key(), "b": new_key()}), "", "must name one of"),
        (json.dumps({"a": new_key()}), "b", "must name one of"),
    ],
    ids=[
        "unset",
        "not-json",
        "not-an-object",
        "short",
        "not-base64",
        "development-id",
        "development-key",
        "no-current-of-two",
        "current-unknown",
    ],
)
def test_unusable_keys_are_refused_with_the_reason(raw: str, current: str, reason: str) -> None:
    settings = ExportSettings(export_keys=raw, export_key_id=current)
    with pytest.raises(ValueError, match=reason) as refused:
        ExportKeys.parse(settings, development=False)
    assert DEVELOPMENT_KEY not in str(refused.value)


def test_only_the_local_profile_falls_back_to_the_public_development_key() -> None:
    local = ExportKeys.parse(ExportSettings(export_keys=""), development=True)
    assert local.current == DEVELOPMENT_KEY_ID


@pytest.mark.parametrize("environment", [Environment.TEST, Environment.PRODUCTION])
def test_a_service_without_export_keys_refuses_to_start(
    environment: Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RAPPORT_EXPORT_KEYS", raising=False)

    settings = RapportSettings(
        environment=environment,
        auth_jwks=token_keys().auth_jwks,
        suppression_pepper=SecretStr("a-pepper-for-this-test-only"),
    )
    with pytest.raises(ValueError, match="RAPPORT_EXPORT_KEYS is not set"):
        service_app(settings, title="t", routers=[], run=no_run)


def test_a_sealed_export_opens_only_with_its_context() -> None:
    sealer = keys({"k1": new_key()})
    sealed = sealer.seal(b"jo@example.com", b"request-1/loyalty")
    assert b"jo@example.com" not in sealed.ciphertext
    assert sealer.open(sealed, b"request-1/loyalty") == b"jo@example.com"
    with pytest.raises(InvalidTag):
        sealer.open(sealed, b"request-2/loyalty")


def test_a_rotated_key_still_opens_what_the_old_one_sealed() -> None:
    old, new = new_key(), new_key()
    sealed = keys({"2026-11": old}).seal(b"part", b"ctx")
    rotated = keys({"2026-11": old, "2026-12": new}, "2026-12")
    assert rotated.open(sealed, b"ctx") == b"part"
    assert rotated.seal(b"part", b"ctx").key_id == "2026-12"
    with pytest.raises(UnknownKey):
        keys({"2026-12": new}).open(sealed, b"ctx")
