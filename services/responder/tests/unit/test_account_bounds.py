"""A token's expiry outside any plausible range is refused at the edge, with its reason: year 1
would overflow once the refresh margin is taken off it."""

import pytest
from pydantic import ValidationError

from responder.domain.accounts import AccountIn


@pytest.mark.parametrize(
    "expires_at", ["0001-01-01T00:00:00Z", "0001-01-01T00:04:00+14:00", "9999-12-31T23:59:59Z"]
)
def test_an_implausible_expiry_is_refused(expires_at: str) -> None:
    with pytest.raises(ValidationError, match="expires_at must lie between 2006 and 9000"):
        AccountIn.model_validate(
            {"account_id": "1001", "access_token": "a-token-123", "expires_at": expires_at}
        )


def test_a_plausible_expiry_is_kept() -> None:
    given = {
        "account_id": "1001",
        "access_token": "a-token-123",
        "expires_at": "2027-01-01T00:00:00Z",
    }
    assert AccountIn.model_validate(given).expires_at is not None
