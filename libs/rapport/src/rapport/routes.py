"""An app's whole routing table, flat. FastAPI keeps each router added with ``include_router``
behind one entry of ``app.routes``; this sees through them (and into mounted apps):

- ``routing_table``: every route with its full path, methods and dependencies, for audits (which
  routes declare no scope, the authorization matrix);
- ``find``: the route a request reaches, by method and path, for naming requests in metrics and
  traces and authenticating before the body is read.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute, Mount, Route, compile_path
from starlette.staticfiles import StaticFiles

from rapport.docs import PAGES as DOCS_PAGES


@dataclass(frozen=True)
class RouteEntry:
    path: str
    methods: frozenset[str]
    dependant: Dependant | None
    open: bool = False
    """Needs no credentials by design: the docs pages and static files."""


def routing_table(app: FastAPI) -> list[RouteEntry]:
    docs = {
        app.openapi_url,
        app.docs_url,
        app.redoc_url,
        app.swagger_ui_oauth2_redirect_url,
        *DOCS_PAGES,
    }
    return list(_entries(app.router.routes, "", docs))


def _entries(
    routes: Sequence[BaseRoute], prefix: str, docs: set[str | None]
) -> Iterator[RouteEntry]:
    for route in iter_route_contexts(routes):
        original = route.original_route
        if isinstance(original, Mount):
            yield from _mounted(original, prefix, docs)
            continue
        path = prefix + (route.path or "")
        methods = frozenset(route.methods or ()) - {"HEAD"}
        dependant = getattr(route, "dependant", None)
        plain = isinstance(original, Route) and dependant is None
        yield RouteEntry(path, methods, dependant, open=plain and path in docs)


def _mounted(mount: Mount, prefix: str, docs: set[str | None]) -> Iterator[RouteEntry]:
    path = prefix + mount.path
    if isinstance(mount.app, StaticFiles):
        yield RouteEntry(path + "/{file}", frozenset({"GET"}), None, open=True)
    elif mount.routes:
        yield from _entries(mount.routes, path, set())
    else:
        yield RouteEntry(path + "/{rest}", frozenset({"GET"}), None)


@dataclass(frozen=True)
class Endpoint:
    template: str
    """``/v1/profiles/{profile_id}``: what metrics and traces name a request by."""
    methods: frozenset[str] | None
    """None: any method (a mount)."""
    pattern: re.Pattern[str]
    api_route: APIRoute | None


def endpoints(app: Any) -> list[Endpoint]:
    """Every route of ``app``, in the order the router tries them (computed once per app)."""
    found: list[Endpoint] | None = getattr(app.state, "flat_routes", None)
    if found is None:
        found = [_endpoint(context) for context in iter_route_contexts(app.routes)]
        app.state.flat_routes = found
    return found


def _endpoint(context: Any) -> Endpoint:
    route = context.original_route
    if isinstance(route, Mount):
        return Endpoint(route.path, None, route.path_regex, None)
    pattern, template, _ = compile_path(context.path)
    methods = frozenset(context.methods) if context.methods else None
    return Endpoint(template, methods, pattern, route if isinstance(route, APIRoute) else None)


def find(app: Any, method: str, path: str) -> Endpoint | None:
    """The route that answers ``method path``: one that fits both, else one that fits the path
    (it answers 405), else None (404)."""
    if not hasattr(app, "state"):
        return None
    by_path = [e for e in endpoints(app) if e.pattern.match(path)]
    exact = [e for e in by_path if e.methods is None or method in e.methods]
    return next(iter(exact or by_path), None)
