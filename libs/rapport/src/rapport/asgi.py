"""ASGI middleware: a server span per request, request metrics, authentication before the
body is read, and the body size limit."""

import json
import time

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from opentelemetry import trace
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rapport.api import authenticate_first
from rapport.routes import Endpoint, find
from rapport.telemetry import extract_context, tracer

REQUESTS = Counter(
    "rapport_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
LATENCY = Histogram(
    "rapport_http_request_seconds", "HTTP request latency", ["service", "method", "route"]
)


METHODS = frozenset(
    ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]
)
OTHER_METHOD = "_OTHER"
UNMATCHED = "unmatched"


MATCHED = "rapport.matched_route"
"""Where a request's scope keeps its matched route: the rate limiter, the span, the metrics and
``AuthenticateFirst`` each need it, and matching walks the routing table."""


def matched_route(scope: Scope) -> Endpoint | None:
    wanted = (str(scope["method"]), str(scope["path"]))
    kept = scope.get(MATCHED)
    if kept is not None and kept[0] == wanted:
        found: Endpoint | None = kept[1]
        return found
    found = find(scope.get("app"), *wanted)
    scope[MATCHED] = (wanted, found)
    return found


def route_label(scope: Scope) -> str:
    """The route's template (``/v1/profiles/{profile_id}``): never ids, nor the query string."""
    found = matched_route(scope)
    return found.template if found else UNMATCHED


def method_label(scope: Scope) -> str:
    """The request's method if HTTP defines it, else one label for all the made-up ones."""
    method = str(scope["method"])
    return method if method in METHODS else OTHER_METHOD


class TraceRequests:
    """A server span and the request metrics, labelled with the method and route template only
    (the path and query carry ids, handles and tokens; made-up methods would grow the metrics
    without bound)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = [(k.decode("latin-1"), v) for k, v in scope.get("headers", [])]
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        started = time.perf_counter()
        method, route = method_label(scope), route_label(scope)
        with tracer.start_as_current_span(
            f"{method} {route}",
            context=extract_context(headers),
            kind=trace.SpanKind.SERVER,
            attributes={"http.request.method": method, "http.route": route},
        ) as span:
            try:
                await self.app(scope, receive, send_status)
            finally:
                span.set_attribute("http.response.status_code", status)
                REQUESTS.labels(self.service, method, route, str(status)).inc()
                LATENCY.labels(self.service, method, route).observe(time.perf_counter() - started)


class AuthenticateFirst:
    """Refuses a request to a bearer-token route without the right token before anything reads
    its body: 401 or 403, never 413 or 422 for a caller who may not send one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = matched_route(scope) if scope["type"] == "http" else None
        if found and found.api_route:
            try:
                matched = found.pattern.match(str(scope["path"]))
                params = matched.groupdict() if matched else {}
                request = Request({**scope, "path_params": params})
                await authenticate_first(request, found.api_route)
            except HTTPException as refused:
                answer = JSONResponse(
                    {"detail": refused.detail}, refused.status_code, headers=refused.headers
                )
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyTooLarge(Exception):
    """Raised into a streaming route when its body passes the path's limit."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"request body is over {max_bytes} bytes")
        self.max_bytes = max_bytes


class BodySizeLimit:
    """413 for bodies over the limit, announced or streamed.

    Bodies are read whole (up to ``max_bytes``) before routing, so a route never sees part of
    one; except on the paths in ``app.state.streamed_bodies`` (``{path: max bytes}``), whose
    routes read the body as it arrives (file uploads): there the bytes are counted as the route
    reads them, and past the path's limit ``BodyTooLarge`` is raised into the route, then
    answered with 413 if the route has not answered yet.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        streamed = getattr(getattr(scope.get("app"), "state", None), "streamed_bodies", {})
        max_bytes = streamed.get(scope["path"], self.max_bytes)
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            await self._too_large(send, max_bytes)
        elif scope["path"] in streamed:
            await self._streamed(scope, receive, send, max_bytes)
        else:
            await self._buffered(scope, receive, send)

    async def _buffered(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._too_large(send, self.max_bytes)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        received = 0
        answered = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal answered
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if answered:
                raise
            await self._too_large(send, max_bytes)

    async def _too_large(self, send: Send, max_bytes: int) -> None:
        body = json.dumps({"detail": str(BodyTooLarge(max_bytes))}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})
