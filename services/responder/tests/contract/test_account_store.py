"""Brand accounts on the fake and on MongoDB: which account answers, tokens kept and refreshed."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from pydantic import SecretStr

from rapport.events.factories import BASE_TIME
from rapport.mongo import Database
from responder.adapters.account_store import MongoAccounts
from responder.domain.accounts import Account, Tokens
from responder.fakes import FakeAccounts
from responder.ports import AccountStore
from responder.settings import LOCAL_ACCOUNT_TOKEN_KEY

pytestmark = pytest.mark.integration


@pytest.fixture(params=["fake", "mongo"])
async def accounts(
    request: pytest.FixtureRequest, mongo_db: Database
) -> AsyncIterator[AccountStore]:
    if request.param == "fake":
        yield FakeAccounts({"vault-x": "from-the-secret"})
    else:
        key = SecretStr(LOCAL_ACCOUNT_TOKEN_KEY)
        yield MongoAccounts(mongo_db, key, {"vault-x": SecretStr("from-the-secret")})


def account(handle: str, *, default: bool = False, **fields: object) -> Account:
    return Account.model_validate(
        {"platform": "x", "handle": handle, "account_id": "1", "default": default, **fields}
    )


async def test_the_named_account_or_the_platforms_default_answers(accounts: AccountStore) -> None:
    assert await accounts.answering("x", None) is None
    await accounts.put(account("acme"), Tokens("t-acme"))
    assert (await accounts.answering("x", None)) == account("acme")  # the only one
    await accounts.put(account("acme_care"), Tokens("t-care"))
    assert await accounts.answering("x", None) is None  # two, no default
    await accounts.put(account("acme_care", default=True), Tokens("t-care"))
    await accounts.put(account("acme", default=True), Tokens("t-acme"))
    assert (await accounts.answering("x", None)) == account("acme", default=True)
    assert (await accounts.answering("x", "acme_care")) == account("acme_care")
    assert await accounts.answering("facebook", None) is None


async def test_tokens_are_kept_given_by_reference_and_refreshed(accounts: AccountStore) -> None:
    acme = await accounts.put(account("acme"), Tokens("t-1", "r-1", BASE_TIME))
    vault = await accounts.put(account("vault", token_ref="vault-x"), None)
    assert await accounts.tokens(acme) == Tokens("t-1", "r-1", BASE_TIME)
    assert await accounts.tokens(vault) == Tokens("from-the-secret")
    later = BASE_TIME + timedelta(hours=2)
    await accounts.refreshed(acme, Tokens("t-2", "r-2", later))
    assert await accounts.tokens(acme) == Tokens("t-2", "r-2", later)
    shown = await accounts.get("x", "acme")
    assert shown is not None
    assert shown.expires_at == later


async def test_a_deleted_account_is_gone(accounts: AccountStore) -> None:
    await accounts.put(account("acme"), Tokens("t-1"))
    assert await accounts.delete("x", "acme")
    assert not await accounts.delete("x", "acme")
    assert await accounts.all() == []
