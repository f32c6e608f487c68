"""The brand's accounts that answer customers on X, Facebook and Instagram: set by supervisors,
their tokens stored encrypted and never answered back."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status

from rapport.api import JsonBody
from responder.api.deps import SUPERVISE, AccountsDep
from responder.domain.accounts import Account, AccountIn, AccountPlatform, account_of

router = APIRouter(prefix="/v1", tags=["accounts"])
HandlePath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.]{1,64}$")]


@router.put("/accounts/{platform}/{handle}", dependencies=[*SUPERVISE, JsonBody])
async def put_account(
    accounts: AccountsDep, platform: AccountPlatform, handle: HandlePath, body: AccountIn
) -> Account:
    """Create or replace a brand account and its token (or a reference to one)."""
    account, tokens = account_of(platform, handle, body)
    return await accounts.put(account, tokens)


@router.get("/accounts", dependencies=SUPERVISE)
async def list_accounts(accounts: AccountsDep) -> list[Account]:
    """Every brand account, without its tokens."""
    return await accounts.all()


@router.get("/accounts/{platform}/{handle}", dependencies=SUPERVISE)
async def get_account(
    accounts: AccountsDep, platform: AccountPlatform, handle: HandlePath
) -> Account:
    """One brand account, without its tokens."""
    found = await accounts.get(platform, handle)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such account")
    return found


@router.delete(
    "/accounts/{platform}/{handle}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=SUPERVISE,
)
async def delete_account(
    accounts: AccountsDep, platform: AccountPlatform, handle: HandlePath
) -> None:
    """Remove a brand account and its token; its platform's replies go to the webhook, if any."""
    if not await accounts.delete(platform, handle):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such account")
