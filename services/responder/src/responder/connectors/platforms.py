"""Which connector sends a reply: the platform's own API from the brand account that answers
(the one the reply names, else the platform's default), else the generic webhook."""

from collections.abc import Mapping
from typing import Protocol

from responder.domain.accounts import Account
from responder.domain.replies import Reply
from responder.ports import AccountStore, Connector, DeliveryFailed


class AccountConnector(Protocol):
    async def deliver(self, reply: Reply, account: Account) -> str: ...


class PlatformConnectors:
    def __init__(
        self,
        accounts: AccountStore,
        by_platform: Mapping[str, AccountConnector],
        webhook: Connector,
    ) -> None:
        self._accounts = accounts
        self._by_platform = by_platform
        self._webhook = webhook

    async def deliver(self, reply: Reply) -> str | None:
        connector = self._by_platform.get(reply.platform)
        if connector is None:
            return await self._webhook.deliver(reply)
        account = await self._accounts.answering(reply.platform, reply.account)
        if account is not None:
            return await connector.deliver(reply, account)
        if reply.account is not None:
            raise DeliveryFailed(f"no {reply.platform} account @{reply.account}", permanent=True)
        return await self._webhook.deliver(reply)
