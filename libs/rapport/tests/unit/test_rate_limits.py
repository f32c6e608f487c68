"""Rate limits per token, per address and per webhook source: 429 with Retry-After, on a real
app built by ``service_app`` (the limiter's own in-memory windows) and a frozen clock."""

import logging
import math
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from ipaddress import ip_network
from typing import Any

import httpx
import pytest
import time_machine
from fastapi import APIRouter, FastAPI, Header, HTTPException, Request
from prometheus_client import REGISTRY

from rapport.api import JsonBody, require, signed
from rapport.auth import Scope
from rapport.ratelimit import Limit, Limiter, SweptMemoryStorage, client_address, parsed
from rapport.service import Runtime, service_app
from rapport.settings import RapportSettings
from rapport.testing import UNTHROTTLED, eventually, token_keys

PEER = "203.0.113.9"
PROXY = "10.0.0.2"
router = APIRouter()


async def signature(x_signature: str = Header()) -> None:
    if x_signature != "good":
        raise HTTPException(401, "bad signature")


@router.get("/notes", dependencies=[require(Scope.AGENT)])
async def read_notes() -> list[str]:
    return []


@router.post("/notes", dependencies=[require(Scope.AGENT), JsonBody], status_code=201)
async def post_note() -> dict[str, str]:
    return {"ok": "yes"}


@router.post("/uploads", dependencies=[require(Scope.INTEGRATION)], status_code=202)
async def upload(request: Request) -> dict[str, int]:
    return {"bytes": len(await request.body())}


@router.post("/hooks/{source}", dependencies=[signed(signature)], status_code=202)
async def hook(source: str) -> dict[str, str]:
    return {"source": source}


@asynccontextmanager
async def nothing(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    yield


Client = Callable[..., httpx.AsyncClient]


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """Frozen 10 s into a minute, so a minute's window has 50 s left."""
    start = (math.floor(time.time() / 60) + 1) * 60 + 10
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client(clock: time_machine.Traveller) -> Client:
    """``client(peer, rate_limit_reads="3/minute", ...)``: a client of a fresh app (fresh
    windows) with those limits; every limit not given is one no test reaches."""
    apps: dict[str, FastAPI] = {}

    def make(peer: str = PEER, **limits: Any) -> httpx.AsyncClient:
        key = repr(sorted(limits.items()))
        if key not in apps:
            settings = RapportSettings(auth_jwks=token_keys().auth_jwks, **(UNTHROTTLED | limits))
            apps[key] = service_app(settings, title="t", routers=[router], run=nothing)
            apps[key].state.streamed_bodies = {"/uploads": 1000}
        transport = httpx.ASGITransport(app=apps[key], client=(peer, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://t")

    return make


def bearer(scope: str, subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_keys().token(scope, subject=subject)}"}


def refusals(route: str, limit: str) -> float:
    labels = {"service": "rapport", "route": route, "limit": limit}
    return REGISTRY.get_sample_value("rapport_rate_limited_total", labels) or 0.0


async def test_a_token_that_used_its_reads_is_refused_and_another_token_is_not(
    client: Client,
) -> None:
    http = client(rate_limit_reads="3/minute")
    alice, bob = bearer("agent", "alice"), bearer("agent", "bob")
    assert [(await http.get("/notes", headers=alice)).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    assert (await http.get("/notes", headers=bob)).status_code == 200
    assert (await http.post("/notes", json={}, headers=alice)).status_code == 201  # writes


async def test_the_address_limit_holds_whatever_the_token(client: Client) -> None:
    http = client(rate_limit_address="4/minute", rate_limit_reads="3/minute")
    statuses = [
        (await http.get("/notes", headers=bearer("agent", f"agent-{n}"))).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    other = client("198.51.100.20", rate_limit_address="4/minute", rate_limit_reads="3/minute")
    assert (await other.get("/notes", headers=bearer("agent", "agent-9"))).status_code == 200


async def test_requests_without_a_valid_token_are_limited_by_address_before_the_check(
    client: Client,
) -> None:
    http = client(rate_limit_tokenless="3/minute")
    forged = {"Authorization": "Bearer not-a-token"}
    statuses = [(await http.get("/notes", headers=forged)).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    assert (await http.get("/notes")).status_code == 429
    assert (await http.post("/notes", content=b"x" * 10_000)).status_code == 429
    assert (await http.get("/notes", headers=bearer("agent", "alice"))).status_code == 200
    other = client("198.51.100.20", rate_limit_tokenless="3/minute")
    assert (await other.get("/notes")).status_code == 401


async def test_a_refusal_says_which_limit_and_when_to_retry_and_is_counted_and_logged(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    http = client(rate_limit_writes="2 per 1 minute")
    alice = bearer("agent", "alice")
    before = refusals("/notes", "writes")
    for _ in range(2):
        assert (await http.post("/notes", json={}, headers=alice)).status_code == 201
    with caplog.at_level(logging.WARNING, logger="rapport.ratelimit"):
        refused = await http.post("/notes", json={}, headers=alice)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "51"  # the window ends in 50 s; one more gets in after
    detail = refused.json()["detail"]
    assert "the writes limit per token is 2 per 1 minute" in detail
    assert "retry after 51 s" in detail
    assert refusals("/notes", "writes") == before + 1
    assert "rate limited: /notes by the writes limit" in caplog.messages
    assert "alice" not in caplog.text
    assert PEER not in caplog.text


async def test_the_window_lets_a_caller_in_again_once_retry_after_has_passed(
    client: Client, clock: time_machine.Traveller
) -> None:
    http = client(rate_limit_reads="2/minute")
    alice = bearer("agent", "alice")
    for _ in range(2):
        assert (await http.get("/notes", headers=alice)).status_code == 200
    retry_after = int((await http.get("/notes", headers=alice)).headers["Retry-After"])
    clock.shift(retry_after - 1)
    assert (await http.get("/notes", headers=alice)).status_code == 429
    clock.shift(1)
    assert (await http.get("/notes", headers=alice)).status_code == 200


async def test_uploads_count_against_the_imports_limit(client: Client) -> None:
    http = client(rate_limit_imports="1/minute")
    crm = bearer("integration", "crm")
    assert (await http.post("/uploads", content=b"a,b\n", headers=crm)).status_code == 202
    refused = await http.post("/uploads", content=b"a,b\n", headers=crm)
    assert refused.status_code == 429
    assert "imports limit" in refused.json()["detail"]


async def test_webhooks_are_limited_by_source_and_by_address(client: Client) -> None:
    limits = {"rate_limit_webhooks": "2/minute", "rate_limit_address": "5/minute"}
    http = client(**limits)
    signed_by = {"X-Signature": "good"}
    forum = [(await http.post("/hooks/forum", headers=signed_by)).status_code for _ in range(3)]
    assert forum == [202, 202, 429]
    unsigned = await client("198.51.100.20", **limits).post("/hooks/forum")
    assert unsigned.status_code == 429  # the source's limit, whoever sends
    assert (await http.post("/hooks/reviews", headers=signed_by)).status_code == 202
    assert (await http.post("/hooks/shop", headers=signed_by)).status_code == 202
    refused = await http.post("/hooks/blog", headers=signed_by)
    assert refused.status_code == 429
    assert "address limit" in refused.json()["detail"]


async def test_probes_are_never_limited(client: Client) -> None:
    http = client(rate_limit_address="1/minute", rate_limit_tokenless="1/minute")
    for _ in range(10):
        for probe in ("/healthz", "/readyz", "/metrics"):
            assert (await http.get(probe)).status_code == 200
    assert (await http.get("/openapi.json")).status_code == 200
    assert (await http.get("/openapi.json")).status_code == 429


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(client: Client) -> None:
    limits = {"rate_limit_tokenless": "2/minute", "trusted_proxies": ["10.0.0.0/8"]}
    http = client(**limits)
    spoofed = [
        (await http.get("/notes", headers={"X-Forwarded-For": f"198.51.100.{n}"})).status_code
        for n in range(3)
    ]
    assert spoofed == [401, 401, 429]


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(
    client: Client,
) -> None:
    limits = {"rate_limit_tokenless": "2/minute", "trusted_proxies": ["10.0.0.0/8"]}
    proxy = client(PROXY, **limits)

    async def status(forwarded_for: str) -> int:
        response = await proxy.get("/notes", headers={"X-Forwarded-For": forwarded_for})
        return response.status_code

    assert [await status("198.51.100.1") for _ in range(3)] == [401, 401, 429]
    # What the client wrote before the proxy appended its address changes nothing.
    assert await status("192.0.2.77, 198.51.100.1") == 429
    assert await status("198.51.100.2") == 401
    # Through a second trusted proxy, the first untrusted hop from the right is the client.
    assert await status("198.51.100.1, 10.0.0.9") == 429


async def test_every_operation_documents_429_with_retry_after_and_its_limits(
    client: Client,
) -> None:
    http = client(rate_limit_reads="3/minute", rate_limit_address="100/second;5000/minute")
    document = (await http.get("/openapi.json")).json()
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert operations
    for operation in operations:
        throttled = operation["responses"]["429"]
        assert "Retry-After" in throttled["headers"]
        assert (
            "100 per 1 second and 5000 per 1 minute per source address"
            in (throttled["description"])
        )
    reads = document["paths"]["/notes"]["get"]["responses"]["429"]["description"]
    assert "3 per 1 minute per token (reads)" in reads
    hooks = document["paths"]["/hooks/{source}"]["post"]["responses"]["429"]["description"]
    assert "per webhook source (webhooks)" in hooks


def test_a_malformed_limit_stops_the_service_at_start_up() -> None:
    with pytest.raises(ValueError, match="rate_limit_reads"):
        RapportSettings(auth_jwks=token_keys().auth_jwks, rate_limit_reads="lots/minute")


async def test_windows_of_callers_gone_quiet_are_swept_out_of_memory(
    clock: time_machine.Traveller,
) -> None:
    storage = SweptMemoryStorage(sweep_every_s=0)
    limiter = Limiter({limit: parsed("5/minute") for limit in Limit}, storage)
    for n in range(50):
        await limiter.hit(Limit.ADDRESS, f"198.51.100.{n}")
    assert len(storage.storage) == 50
    clock.shift(121)  # a count weighs on the next window too, then expires
    await limiter.hit(Limit.ADDRESS, "192.0.2.1")
    await eventually(lambda: len(storage.storage) == 1)
    assert next(iter(storage.storage)).startswith("LIMITER/address/192.0.2.1/")


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        (PEER, "198.51.100.1", PEER),  # an untrusted peer's header is ignored
        (PROXY, "198.51.100.1", "198.51.100.1"),
        (PROXY, "192.0.2.7, 198.51.100.1", "198.51.100.1"),  # what the client wrote is left
        (PROXY, "198.51.100.1, 10.0.0.9", "198.51.100.1"),  # through two trusted proxies
        (PROXY, "198.51.100.1, not-an-address", PROXY),  # a hop that is no address ends the walk
        (PROXY, "", PROXY),
        (PROXY, "10.0.0.7", "10.0.0.7"),  # nothing but proxies: the farthest one
    ],
)
def test_the_client_address(peer: str, forwarded_for: str, client: str) -> None:
    headers = [(b"x-forwarded-for", forwarded_for.encode())] if forwarded_for else []
    scope = {"type": "http", "client": (peer, 40000), "headers": headers}
    assert client_address(scope, [ip_network("10.0.0.0/8")]) == client
