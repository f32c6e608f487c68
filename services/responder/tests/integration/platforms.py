"""What the platform connector tests share: the stub platform served over HTTP, brand accounts
on the test MongoDB, a held case on a platform, and a reply sender wired as ``main`` wires it."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
from pydantic import SecretStr

from responder.adapters.account_store import MongoAccounts
from responder.adapters.reply_store import MongoReplies
from responder.domain.accounts import Account, Tokens
from responder.domain.agents import AgentIn
from responder.domain.case import Case
from responder.domain.replies import Reply
from responder.domain.retries import Retries
from responder.main import connectors
from responder.ports import Ports
from responder.settings import LOCAL_ACCOUNT_TOKEN_KEY, ResponderSettings
from responder.use_cases import case_actions
from responder.use_cases.case_intake import take_mention
from responder.workers import ReplySender

from .conftest import BRAND_X, PAGE, PAGE_TOKEN, X_REFRESH, X_TOKEN, Clock, enriched
from .stub_platform import GRAPH

REPLY = UUID(int=77)


def stub_settings(url: str, **overrides: Any) -> dict[str, Any]:
    return {"x_api_url": url, "graph_api_url": url + GRAPH, "x_client_id": "rapport"} | overrides


def accounts_on(db: Any) -> MongoAccounts:
    return MongoAccounts(db, SecretStr(LOCAL_ACCOUNT_TOKEN_KEY), {})


async def x_account(accounts: MongoAccounts, **tokens: Any) -> Account:
    account = Account(platform="x", handle="acme", account_id=BRAND_X, default=True)
    given = {"access_token": X_TOKEN, "refresh_token": X_REFRESH} | tokens
    return await accounts.put(account, Tokens(**given))


async def page_account(accounts: MongoAccounts, platform: str, token: str = PAGE_TOKEN) -> Account:
    account = Account.model_validate({"platform": platform, "handle": "acme", "account_id": PAGE})
    return await accounts.put(account, Tokens(token))


async def held_case(ports: Ports, platform: str = "x") -> Case:
    case = await take_mention(ports, enriched(1, intents=["complaint"], platform=platform).payload)
    assert case is not None
    await ports.agents.put("ann", AgentIn(name="Ann", skills=["support"], capacity=5))
    return await case_actions.claim(ports, case.id, "ann")


def a_reply(case: Case, clock: Clock, **fields: Any) -> Reply:
    return Reply.model_validate(
        {
            "_id": REPLY,
            "case_id": case.id,
            "agent": "ann",
            "platform": case.platform,
            "in_reply_to": case.external_ids[-1],
            "text": "So sorry, we are on it",
            "recipient": case.author_id,
            "customer_at": case.customer_at[-1],
            "created_at": clock(),
            "next_attempt_at": clock(),
            **fields,
        }
    )


def sender(
    ports: Ports, replies: MongoReplies, accounts: MongoAccounts, url: str, http: httpx.AsyncClient
) -> ReplySender:
    settings = ResponderSettings(**stub_settings(url))
    return ReplySender(
        ports,
        replies,
        connectors(settings, accounts, http, ports.clock),
        Retries(max_attempts=5, first_backoff_s=2, max_backoff_s=60, lease=timedelta(seconds=30)),
        poll_s=0.1,
    )


async def stored(replies: MongoReplies) -> Reply:
    found = await replies.get(REPLY)
    assert found is not None
    return found


def epoch(at: datetime) -> int:
    return int(at.timestamp())
