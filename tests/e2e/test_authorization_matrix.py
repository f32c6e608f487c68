"""Every route of every service (read from each real app's routing table, included routers and
mounts too) × every kind of caller → refused (401/403) or let through, as the route declares.

A route's expected scopes are the ones its ``require(...)`` dependency declares, so a route
added tomorrow is checked without touching this file. A route that admits a customer's own token
(``require_member_or``) lets in the member of the profile its path names, and refuses (403) the
member of another profile, like every route that admits no member at all. A bearer token of any
kind changes nothing on a signature-checked route (webhooks) nor on an open one (probes, docs,
console files).
"""

import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.security import HTTPBearer
from pymongo import AsyncMongoClient

from ingest.main import create_app as ingest_app
from ingest.settings import IngestSettings
from loyalty.main import create_app as loyalty_app
from loyalty.settings import LoyaltySettings
from profiles.main import create_app as profiles_app
from profiles.settings import ProfilesSettings
from rapport.api import OPEN_PATHS, declared_scopes, dependency_calls, is_signed, member_path
from rapport.auth import Scope, issue_token
from rapport.kafka.admin import ensure_topics
from rapport.keys import SigningKey
from rapport.revocations import revoke
from rapport.routes import RouteEntry, routing_table
from rapport.settings import Environment, KafkaSettings, RapportSettings
from rapport.testing import UNTHROTTLED, eventually, token_keys, unique
from responder.main import create_app as responder_app
from responder.settings import ResponderSettings

WEBHOOK_SECRETS: dict[str, Any] = {
    "x_consumer_secret": "x-consumer",
    "meta_app_secret": "meta-app",
    "meta_verify_token": "verify-me",
    "webhook_secrets": {"forum": "forum-k"},
}
SERVICES: dict[str, tuple[Callable[[Any], FastAPI], type[RapportSettings], dict[str, Any]]] = {
    "ingest": (ingest_app, IngestSettings, {"role": "api", **WEBHOOK_SECRETS}),
    "profiles": (profiles_app, ProfilesSettings, {}),
    "responder": (responder_app, ResponderSettings, {}),
    "loyalty": (loyalty_app, LoyaltySettings, {}),
}
pytestmark = pytest.mark.e2e
STRANGER = SigningKey.of(Ed25519PrivateKey.generate())
OWN_PROFILE = "5f0c4c43-7d1e-4c53-9f4e-3b2a1d0e9c8b"
"""The member callers' profile: the id every member route's path names here."""


@dataclass
class Platform:
    apps: dict[str, FastAPI]
    revoked: str
    """An admin token for every service, revoked through the real Kafka topic."""


@pytest.fixture(scope="module")
async def platform(kafka_bootstrap: str, mongo_url: str) -> AsyncIterator[Platform]:
    """The four services' real apps (HTTP only: no consumers, no relays) on the test MongoDB
    and Kafka, each reading a revocation topic of this module's own."""
    topic = unique("auth-revocations")
    await ensure_topics(kafka_bootstrap, [(topic, 1, 3_600_000, "compact,delete")])
    databases = {name: unique(f"matrix_{name}").replace("-", "_") for name in SERVICES}
    apps = {
        name: create_app(
            settings(
                service_name=name,
                environment=Environment.TEST,
                kafka_bootstrap=kafka_bootstrap,
                mongo_url=mongo_url,
                mongo_db=databases[name],
                auth_jwks=token_keys().auth_jwks,
                auth_revocations_topic=topic,
                consume_events=False,
                relay_outbox=False,
                **UNTHROTTLED,  # hundreds of callers from one address
                **extra,
            )
        )
        for name, (create_app, settings, extra) in SERVICES.items()
    }
    async with AsyncExitStack() as running:
        for app in apps.values():
            await running.enter_async_context(app.router.lifespan_context(app))
        revoked = token_keys().token("admin", audience=list(SERVICES))
        token_id = jwt.decode(revoked, options={"verify_signature": False})["jti"]
        kafka = KafkaSettings(kafka_bootstrap=kafka_bootstrap)
        await revoke(token_id, datetime.now(UTC) + timedelta(hours=1), topic=topic, kafka=kafka)
        await eventually(
            lambda: all(token_id in app.state.verifier.revocations for app in apps.values()),
            timeout_s=60,
        )
        yield Platform(apps, revoked)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    for database in databases.values():
        await client.drop_database(database)
    await client.close()


Caller = Callable[[Platform, str], dict[str, str]]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


REFUSED: dict[str, Caller] = {
    "no token": lambda platform, service: {},
    "not a JWT": lambda platform, service: _bearer("rp1.e30.c2ln"),
    "expired": lambda platform, service: _bearer(
        token_keys().token("admin", audience=[service], ttl_s=60, now=time.time() - 120)
    ),
    "wrong audience": lambda platform, service: _bearer(
        token_keys().token("admin", audience=[s for s in SERVICES if s != service])
    ),
    "wrong issuer": lambda platform, service: _bearer(
        token_keys().token("admin", audience=[service], issuer="someone-else")
    ),
    "unknown kid": lambda platform, service: _bearer(
        issue_token(STRANGER, "x", ["admin"], audience=[service])
    ),
    "revoked": lambda platform, service: _bearer(platform.revoked),
}


def _scoped(scope: str) -> Caller:
    return lambda platform, service: _bearer(token_keys().token(scope, audience=[service]))


def _member(profile_id: str) -> Caller:
    return lambda platform, service: _bearer(
        token_keys().token("member", subject=profile_id, audience=[service])
    )


MEMBERS: dict[str, Caller] = {
    "member": _member(OWN_PROFILE),
    "member of another profile": _member(str(uuid.uuid4())),
}
CALLERS: dict[str, Caller] = (
    REFUSED | {scope.value: _scoped(scope.value) for scope in Scope if scope != Scope.MEMBER}
) | MEMBERS


def _concrete(route: RouteEntry) -> str:
    own = member_path(route.dependant)
    path = route.path.replace(f"{{{own}}}", OWN_PROFILE) if own else route.path
    return re.sub(r"\{[^}]+\}", "x", path)


async def _status(app: FastAPI, route: RouteEntry, method: str, headers: dict[str, str]) -> int:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        response = await http.request(method, _concrete(route), headers=headers, **body)
        return response.status_code


def _expected(route: RouteEntry, caller: str) -> str:
    scopes = declared_scopes(route.dependant)
    if scopes is None:
        return "as without a token"  # open or signature-checked: a token changes nothing
    if caller in REFUSED:
        return "401"
    if caller in MEMBERS:
        own = caller == "member" and member_path(route.dependant) is not None
        return "let through" if own else "403"
    if Scope.ADMIN.value == caller or caller in scopes:
        return "let through"
    return "403"


def _verdict(status: int) -> str:
    return str(status) if status in (401, 403) else "let through"


async def test_the_matrix_covers_every_route_of_the_real_routing_table(
    platform: Platform,
) -> None:
    for service, app in platform.apps.items():
        table = routing_table(app)
        scoped = [route for route in table if declared_scopes(route.dependant) is not None]
        assert len(scoped) >= 5, f"{service}: too few scoped routes found: {table}"
        unaccounted = [
            route.path
            for route in table
            if declared_scopes(route.dependant) is None
            and not is_signed(route.dependant)
            and not route.open
            and route.path not in OPEN_PATHS
        ]
        assert unaccounted == [], service


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("service", list(SERVICES))
async def test_each_route_answers_each_caller_as_it_declares(
    platform: Platform, service: str, caller: str
) -> None:
    app = platform.apps[service]
    headers = CALLERS[caller](platform, service)
    wrong = []
    for route in routing_table(app):
        for method in sorted(route.methods):
            expected = _expected(route, caller)
            status = await _status(app, route, method, headers)
            if expected == "as without a token":
                anonymous = await _status(app, route, method, {})
                ok = _verdict(status) == _verdict(anonymous)
            else:
                ok = _verdict(status) == expected
            if not ok:
                wrong.append(f"{method} {route.path}: {status}, expected {expected}")
    assert wrong == []


def test_every_route_checks_the_token_before_anything_else(platform: Platform) -> None:
    """FastAPI runs a route's dependencies in order (the route's ``dependencies=`` first, then
    its parameters'): nothing (app state, the database, the body) may come before the check."""
    late = []
    for service, app in platform.apps.items():
        for route in routing_table(app):
            if declared_scopes(route.dependant) is None:
                continue
            calls = dependency_calls(route.dependant)  # FastAPI's order; a check's bearer after it
            first = next(call for call in calls if not isinstance(call, HTTPBearer))
            if not hasattr(first, "__rapport_scopes__"):
                late.append(f"{service} {route.path}: {getattr(first, '__qualname__', first)}")
    assert late == [], "\n".join(late)
