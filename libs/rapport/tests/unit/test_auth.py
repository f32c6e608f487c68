import pytest

from rapport.auth import InvalidToken, Scope, issue_token, verify_token

SECRET = "unit-test-secret-0123456789"


def test_round_trip_keeps_subject_and_scopes() -> None:
    principal = verify_token(SECRET, issue_token(SECRET, "crm", ["agent", "integration"]))
    assert principal.subject == "crm"
    assert principal.scopes == {Scope.AGENT, Scope.INTEGRATION}


def test_other_secret_is_refused() -> None:
    with pytest.raises(InvalidToken, match="signature"):
        verify_token(SECRET, issue_token("another-secret-0123456789", "x", ["admin"]))


def test_tampered_claims_are_refused() -> None:
    token = issue_token(SECRET, "x", ["agent"])
    forged_claims = issue_token(SECRET, "x", ["admin"]).split(".")[1]
    prefix, _, signature = token.split(".")
    with pytest.raises(InvalidToken):
        verify_token(SECRET, f"{prefix}.{forged_claims}.{signature}")


@pytest.mark.parametrize("token", ["", "abc", "rp1.a", "rp2.a.b", "Bearer x.y.z"])
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        verify_token(SECRET, token)


def test_expired_token_is_refused() -> None:
    token = issue_token(SECRET, "x", ["agent"], ttl_s=60)
    verify_token(SECRET, token)
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(SECRET, token, now=10**12)


def test_unknown_scope_cannot_be_issued() -> None:
    with pytest.raises(ValueError, match="root"):
        issue_token(SECRET, "x", ["root"])


def test_admin_holds_every_scope_others_only_their_own() -> None:
    admin = verify_token(SECRET, issue_token(SECRET, "x", ["admin"]))
    agent = verify_token(SECRET, issue_token(SECRET, "x", ["agent"]))
    assert admin.has_any([Scope.PRIVACY])
    assert agent.has_any([Scope.PRIVACY, Scope.AGENT])
    assert not agent.has_any([Scope.PRIVACY, Scope.SUPERVISOR])
