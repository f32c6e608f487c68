"""What rate limiting adds to a request, in microseconds (no Kafka or MongoDB needed).

    .venv/bin/python -m benchmarks.rate_limits [--requests 20000] [--callers 20000]

- ``RateLimit`` alone (around an app that answers nothing) for a bearer route with a valid token
  (the address's window, the token's verification, the subject's window) and without one;
- one window hit, for one caller and for ``--callers`` distinct ones, with limits' own memory
  storage (it sweeps every key on every hit) and with ``SweptMemoryStorage`` (once a second).
The event loop runs between hits, as between a server's requests, so the sweeps cost what they do.
"""

import argparse
import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from limits.aio.storage import MemoryStorage
from starlette.types import Message, Receive, Scope, Send

from rapport.api import require
from rapport.auth import Scope as TokenScope
from rapport.ratelimit import Limit, Limiter, RateLimit, SweptMemoryStorage, parsed
from rapport.service import Runtime, service_app
from rapport.settings import RapportSettings
from rapport.testing import UNTHROTTLED, token_keys

router = APIRouter()


@router.get("/notes", dependencies=[require(TokenScope.AGENT)])
async def notes() -> None:
    """A bearer route for the middleware to classify."""


@asynccontextmanager
async def nothing(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    yield


async def answer_nothing(scope: Scope, receive: Receive, send: Send) -> None:
    return None


async def middleware_us(requests: int, token: str | None) -> float:
    settings = RapportSettings(auth_jwks=token_keys().auth_jwks, **UNTHROTTLED)
    app = service_app(settings, title="bench", routers=[router], run=nothing)
    middleware = RateLimit(
        answer_nothing,
        limiter=app.state.limiter,
        verifier=app.state.verifier,
        trusted_proxies=[],
        service="bench",
    )
    headers = [(b"authorization", f"Bearer {token}".encode())] if token else []
    scope = {"type": "http", "method": "GET", "path": "/notes", "app": app}
    scope |= {"headers": headers, "client": ("198.51.100.1", 40000)}

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        return None

    started = time.perf_counter()
    for _ in range(requests):
        await middleware(dict(scope), receive, send)
        await asyncio.sleep(0)
    return (time.perf_counter() - started) / requests * 1e6


async def hit_us(storage: MemoryStorage, requests: int, callers: int) -> float:
    limiter = Limiter({limit: parsed("1000000/minute") for limit in Limit}, storage)
    started = time.perf_counter()
    for n in range(requests):
        await limiter.hit(Limit.ADDRESS, f"caller-{n % callers}")
        await asyncio.sleep(0)
    return (time.perf_counter() - started) / requests * 1e6


async def main(n: argparse.Namespace) -> None:
    token = token_keys().token("agent", subject="bench")
    print(f"RateLimit, valid token:  {await middleware_us(n.requests, token):8.1f} us a request")
    print(f"RateLimit, no token:     {await middleware_us(n.requests, None):8.1f} us a request")
    for name, storage in (("limits' own", MemoryStorage), ("swept", SweptMemoryStorage)):
        for callers in (1, n.callers):
            took = await hit_us(storage(), n.requests, callers)
            print(f"hit, {name} storage, {callers:>6} callers: {took:8.1f} us")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--callers", type=int, default=20_000)
    asyncio.run(main(parser.parse_args()))
