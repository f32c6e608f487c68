"""The brand's accounts in MongoDB, one document per platform and handle. Tokens are stored
Fernet-encrypted (AES-128-CBC with an HMAC) under the settings' ``account_token_key``; a token
given by reference is read from the settings' ``connector_tokens`` each time."""

import json
from collections.abc import Mapping
from datetime import datetime

from cryptography.fernet import Fernet
from pydantic import SecretStr
from pymongo import ASCENDING, DESCENDING, IndexModel

from rapport.mongo import Database
from responder.domain.accounts import Account, Tokens

INDEXES = {"accounts": [IndexModel([("platform", ASCENDING), ("default", DESCENDING)])]}


class MongoAccounts:
    def __init__(self, db: Database, key: SecretStr, by_ref: Mapping[str, SecretStr]) -> None:
        self._accounts = db["accounts"]
        self._fernet = Fernet(key.get_secret_value())
        self._by_ref = by_ref

    async def put(self, account: Account, tokens: Tokens | None) -> Account:
        if account.default:
            await self._accounts.update_many(
                {"platform": account.platform, "default": True}, {"$set": {"default": False}}
            )
        document = {**account.model_dump(), "tokens": self._sealed(tokens)}
        await self._accounts.replace_one({"_id": _key(account)}, document, upsert=True)
        return account

    async def get(self, platform: str, handle: str) -> Account | None:
        found = await self._accounts.find_one({"_id": f"{platform}:{handle}"})
        return None if found is None else Account.model_validate(found)

    async def all(self) -> list[Account]:
        cursor = self._accounts.find().sort([("platform", 1), ("handle", 1)])
        return [Account.model_validate(doc) for doc in await cursor.to_list()]

    async def delete(self, platform: str, handle: str) -> bool:
        deleted = await self._accounts.delete_one({"_id": f"{platform}:{handle}"})
        return deleted.deleted_count == 1

    async def answering(self, platform: str, handle: str | None) -> Account | None:
        if handle is not None:
            return await self.get(platform, handle)
        found = await self._accounts.find({"platform": platform}).sort("default", -1).to_list(2)
        if len(found) == 1 or (found and found[0]["default"]):
            return Account.model_validate(found[0])
        return None

    async def tokens(self, account: Account) -> Tokens | None:
        if account.token_ref is not None:
            token = self._by_ref.get(account.token_ref)
            return None if token is None else Tokens(token.get_secret_value())
        found = await self._accounts.find_one({"_id": _key(account)}, {"tokens": 1})
        if found is None or found.get("tokens") is None:
            return None
        sealed = json.loads(self._fernet.decrypt(found["tokens"]))
        expires = sealed["expires_at"]
        return Tokens(
            sealed["access_token"],
            sealed["refresh_token"],
            None if expires is None else datetime.fromisoformat(expires),
        )

    async def refreshed(self, account: Account, tokens: Tokens) -> None:
        await self._accounts.update_one(
            {"_id": _key(account)},
            {"$set": {"tokens": self._sealed(tokens), "expires_at": tokens.expires_at}},
        )

    def _sealed(self, tokens: Tokens | None) -> bytes | None:
        if tokens is None:
            return None
        plain = {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": None if tokens.expires_at is None else tokens.expires_at.isoformat(),
        }
        return self._fernet.encrypt(json.dumps(plain).encode())


def _key(account: Account) -> str:
    return f"{account.platform}:{account.handle}"
