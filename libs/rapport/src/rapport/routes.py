"""An app's whole routing table as requests reach it: routes of included routers (FastAPI keeps
them behind its own included-router entries) and of mounted apps, with their full paths."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles


@dataclass(frozen=True)
class RouteEntry:
    path: str
    methods: frozenset[str]
    dependant: Dependant | None
    open: bool = False
    """Needs no credentials by design: the docs pages and static files."""


def routing_table(app: FastAPI) -> list[RouteEntry]:
    docs = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
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
