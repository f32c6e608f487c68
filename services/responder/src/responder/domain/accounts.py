"""The brand's own accounts on the platforms, which answer its customers: an X user (OAuth 2.0
user-context tokens, refreshed before they expire) or a Facebook page (a page access token; an
Instagram business account answers through its page). Tokens are given whole or as a reference
to one in the settings, stored encrypted, and never shown."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, SecretStr, model_validator

from rapport.errors import Unprocessable
from rapport.models import StrictModel

AccountPlatform = Literal["x", "facebook", "instagram"]
Handle = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.]{1,64}$")]
PlatformId = Annotated[str, Field(pattern=r"^[0-9A-Za-z_]{1,64}$")]
TokenRef = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
Token = Annotated[SecretStr, Field(min_length=8, max_length=2048)]


EARLIEST = datetime(2006, 1, 1, tzinfo=UTC)
LATEST_EXPIRY = datetime(9000, 1, 1, tzinfo=UTC)


def _plausible_expiry(value: datetime) -> datetime:
    # Compared as aware datetimes (which never overflows): year 1 would, once shifted or
    # moved back by the refresh margin.
    if not EARLIEST <= value <= LATEST_EXPIRY:
        raise ValueError("expires_at must lie between 2006 and 9000")
    return value


class AccountIn(StrictModel):
    account_id: PlatformId
    """The brand's id there: the X user id, or the Facebook page id (Instagram's too)."""
    default: bool = False
    """Answers the platform's cases when a reply names no account."""
    access_token: Token | None = None
    refresh_token: Token | None = None
    """X only: exchanged for a new access token before ``expires_at``."""
    expires_at: Annotated[AwareDatetime, AfterValidator(_plausible_expiry)] | None = None
    token_ref: TokenRef | None = None
    """Instead of a token: the name of one in the ``RAPPORT_CONNECTOR_TOKENS`` secret."""

    @model_validator(mode="after")
    def _one_token(self) -> "AccountIn":
        if (self.access_token is None) == (self.token_ref is None):
            raise ValueError("give exactly one of access_token and token_ref")
        if self.refresh_token is not None and self.access_token is None:
            raise ValueError("a refresh_token goes with an access_token")
        return self


class Account(BaseModel):
    """An account as shown: everything but its tokens."""

    platform: AccountPlatform
    handle: Handle
    account_id: PlatformId
    default: bool = False
    token_ref: str | None = None
    expires_at: datetime | None = None
    refreshable: bool = False


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None

    def expiring(self, now: datetime, margin: timedelta) -> bool:
        return self.expires_at is not None and self.expires_at - margin <= now


def account_of(
    platform: AccountPlatform, handle: str, given: AccountIn
) -> tuple[Account, Tokens | None]:
    """The account to store and its tokens (None when they are a reference)."""
    if given.refresh_token is not None and platform != "x":
        raise Unprocessable("only X accounts have refresh tokens; Meta page tokens do not expire")
    account = Account(
        platform=platform,
        handle=handle,
        account_id=given.account_id,
        default=given.default,
        token_ref=given.token_ref,
        expires_at=given.expires_at,
        refreshable=given.refresh_token is not None,
    )
    if given.access_token is None:
        return account, None
    refresh = given.refresh_token.get_secret_value() if given.refresh_token else None
    return account, Tokens(given.access_token.get_secret_value(), refresh, given.expires_at)
