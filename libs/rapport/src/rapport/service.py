"""Builds a service's FastAPI app: lifespan, probes, metrics, tracing, limits and errors
(``rapport.errors``: every service's own errors answer with their status and detail).

Requests pass, in order: ``TraceRequests`` (span, metrics), ``RateLimit`` (429 before any
expensive work), ``AuthenticateFirst`` (401/403 before the body is read), ``BodySizeLimit``.

``/healthz`` (liveness) is 503 only when a worker died; while a worker waits for MongoDB or
Kafka it stays 200 with ``{"status": "degraded", "waiting": {...}}``, so the orchestrator does
not restart a process that recovers by itself. ``/readyz`` is 503 while degraded.

A service supplies its routers and a ``run`` context that connects its clients, stores what
its routes need on ``app.state`` and starts its workers; the workers are stopped before the
``run`` context closes the clients, and also when starting fails or shutting down raises.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from rapport.api import unparsable_body
from rapport.asgi import AuthenticateFirst, BodySizeLimit, TraceRequests
from rapport.dlq import api as dead_letters
from rapport.dlq import parked_api as parked_events
from rapport.docs import serve_docs
from rapport.errors import RapportError
from rapport.exports import api as exports
from rapport.exports.store import export_keys
from rapport.logs import setup_logging
from rapport.openapi import documented_openapi
from rapport.ratelimit import Limiter, RateLimit
from rapport.settings import RapportSettings
from rapport.telemetry import setup_tracing
from rapport.verifier import TokenVerifier
from rapport.workers import Workers

ReadinessCheck = Callable[[], Awaitable[bool]]


@dataclass
class Runtime:
    settings: RapportSettings
    workers: Workers = field(default_factory=Workers)
    readiness: list[ReadinessCheck] = field(default_factory=list)


Run = Callable[[FastAPI, Runtime], AbstractAsyncContextManager[None]]


def service_app(
    settings: RapportSettings, *, title: str, routers: Sequence[APIRouter], run: Run
) -> FastAPI:
    runtime = Runtime(settings)
    verifier = TokenVerifier.for_service(settings)
    export_keys(settings)  # refuses to start without usable export keys

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        setup_logging(settings.service_name, settings.log_level)
        setup_tracing(settings)
        verifier.start(runtime.workers, settings)
        runtime.readiness.append(verifier.revocations.ready)
        async with AsyncExitStack() as stack:
            stack.push_async_callback(runtime.workers.stop)  # if ``run`` fails to start
            await stack.enter_async_context(run(app, runtime))
            stack.push_async_callback(runtime.workers.stop)  # before ``run`` closes its clients
            yield

    app = FastAPI(
        title=title,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by rapport.docs, with no CDN
        redoc_url=None,
        # One server span per request, TraceRequests', named by route: FastAPI's own would
        # record the path and query string (ids, handles, Meta's verify token).
        telemetry={"tracing": False, "metrics": False, "operation_spans": False},
    )
    app.openapi = lambda: documented_openapi(app)  # type: ignore[method-assign]
    serve_docs(app)
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.verifier = verifier
    app.state.limiter = Limiter.of(settings)
    for router in routers:
        app.include_router(router)
    app.include_router(dead_letters.router)
    app.include_router(parked_events.router)
    app.include_router(exports.router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AuthenticateFirst)
    app.add_middleware(
        RateLimit,
        limiter=app.state.limiter,
        verifier=verifier,
        trusted_proxies=settings.trusted_proxies,
        service=settings.service_name,
    )
    app.add_middleware(TraceRequests, service=settings.service_name)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, unparsable_body)
    app.add_exception_handler(RapportError, _rapport_error)
    _add_probes(app, runtime)
    return app


def _add_probes(app: FastAPI, runtime: Runtime) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        """Alive unless a worker died; a worker waiting for a dependency is alive (degraded)."""
        workers = runtime.workers
        if not workers.healthy:
            return JSONResponse({"status": "failed", "workers": workers.failures}, 503)
        if workers.degraded:
            return JSONResponse({"status": "degraded", "waiting": _waiting(workers)})
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        results = [await check() for check in runtime.readiness]
        workers = runtime.workers
        ready = workers.healthy and not workers.degraded and all(results)
        body: dict[str, Any] = {"ready": ready}
        if workers.degraded:
            body["waiting"] = _waiting(workers)
        return JSONResponse(body, 200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _waiting(workers: Workers) -> dict[str, dict[str, str]]:
    return {name: waiting.as_json() for name, waiting in workers.waiting.items()}


async def _rapport_error(request: Request, error: Exception) -> JSONResponse:
    """Every service's own errors (``rapport.errors``): their status, their detail."""
    assert isinstance(error, RapportError)
    return JSONResponse({"detail": error.detail}, status_code=error.status_code)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    """422 naming where and what is wrong, without echoing the submitted values back."""
    assert isinstance(error, RequestValidationError)
    details: list[dict[str, Any]] = [
        {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()
    ]
    return JSONResponse({"detail": details}, status_code=422)
