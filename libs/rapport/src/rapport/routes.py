"""The app's routing table, flat: FastAPI keeps each router added with ``include_router`` behind
one entry of ``app.routes``; this sees through them to every route's template, methods and
``APIRoute`` (with its dependencies)."""

import re
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, compile_path


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
