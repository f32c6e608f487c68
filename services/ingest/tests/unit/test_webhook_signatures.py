"""HMAC signatures as X, Meta and the generic webhook send them."""

import base64
import hashlib
import hmac

import pytest

from ingest.signatures import InvalidSignature, check_timestamp, same, sign, verify

BODY = b'{"hello": "world"}'


def test_hex_signature_matches_rfc_4231_test_case_2() -> None:
    digest = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert sign("Jefe", b"what do ya want for nothing?", "hex") == f"sha256={digest}"


def test_base64_signature_is_x_style() -> None:
    expected = base64.b64encode(hmac.new(b"s", BODY, hashlib.sha256).digest()).decode()
    assert sign("s", BODY, "base64") == f"sha256={expected}"


@pytest.mark.parametrize("encoding", ["hex", "base64"])
def test_a_good_signature_verifies(encoding: str) -> None:
    header = sign("secret", BODY, encoding)  # type: ignore[arg-type]
    verify(header, name="sig", secret="secret", message=BODY, encoding=encoding)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing sig header"),
        ("", "missing sig header"),
        ("md5=abc", "sig must be 'sha256=<hex digest>'"),
        ("sha256=not-hex", "sig must be 'sha256=<hex digest>'"),
        (sign("other-secret", BODY, "hex"), "sig does not match the body"),
        (sign("secret", BODY + b" ", "hex"), "sig does not match the body"),
        (sign("secret", BODY, "hex")[:-2], "sig must be 'sha256=<hex digest>'"),
        # bytes.fromhex skips whitespace: one signature spelled twice would pass the replay guard
        (sign("secret", BODY, "hex").replace("=", "= "), "sig must be 'sha256=<hex digest>'"),
        (sign("secret", BODY, "hex")[:20] + " " + sign("secret", BODY, "hex")[20:], "sig must"),
        ("sha256=ünïcode", "sig must be 'sha256=<hex digest>'"),
    ],
)
def test_bad_signatures_are_refused_with_a_reason(header: str | None, reason: str) -> None:
    with pytest.raises(InvalidSignature, match=reason):
        verify(header, name="sig", secret="secret", message=BODY, encoding="hex")


def test_base64_digest_must_be_base64() -> None:
    with pytest.raises(InvalidSignature, match="base64"):
        verify("sha256=%%%", name="sig", secret="secret", message=BODY, encoding="base64")


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_timestamps_within_the_window_pass(offset: int) -> None:
    now = 1_800_000_000
    ts = str(now + offset)
    assert check_timestamp(ts, name="ts", now=now, window_s=300) == now + offset


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing ts"),
        ("1799999699", "outside the 300 s replay window"),
        ("1800000301", "outside the 300 s replay window"),
        ("1.8e9", "unix seconds"),
        ("-5", "unix seconds"),
        ("١٢٣", "unix seconds"),
        ("9" * 5000, "unix seconds"),  # past int()'s 4,300 digits: once a 500
    ],
)
def test_timestamps_outside_the_window_or_malformed_are_refused(
    header: str | None, reason: str
) -> None:
    with pytest.raises(InvalidSignature, match=reason):
        check_timestamp(header, name="ts", now=1_800_000_000, window_s=300)


def test_tokens_compare_exactly() -> None:
    assert same("token", "token")
    assert not same("token", "token ")
    assert not same("tökén", "token")
