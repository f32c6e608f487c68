"""The in-memory revocation list: a revoked token id until its token would have expired."""

from rapport.revocations import Revocations


def test_a_revocation_lasts_until_the_token_expires() -> None:
    now = [1000.0]
    revoked = Revocations(clock=lambda: now[0])
    revoked.add("jti-1", expires_at=1060.0)
    assert "jti-1" in revoked
    assert "jti-2" not in revoked
    now[0] = 1060.0
    assert "jti-1" not in revoked


def test_the_later_expiry_wins() -> None:
    now = [1000.0]
    revoked = Revocations(clock=lambda: now[0])
    revoked.add("jti-1", expires_at=2000.0)
    revoked.add("jti-1", expires_at=1500.0)
    now[0] = 1700.0
    assert "jti-1" in revoked
