"""The OpenAPI document with every refusal a route can give, and its body.

FastAPI documents a route's success and, when it has parameters, 422. The answers Rapport's
shared parts give are added here from what each route declares: 401 and 403 for a bearer scope
(``require``), 401 and 503 for a signature (``signed``), 404 for an id in the path, 413 for a
body over the limit, 415 for a JSON body sent as something else, 429 (with ``Retry-After``
and the limits that apply, from ``rapport.ratelimit``) on every route. A route documents its own
domain refusals (409 and the like) with ``responses=refused(409)``. Each bearer route also
names the scopes that let a token in (``x-rapport-scopes``), and a route that lets a customer's
``member`` token in names the path parameter the token's ``sub`` must equal
(``x-rapport-member-of``).
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from rapport.api import dependency_calls, json_body, member_path
from rapport.ratelimit import Limit, Limiter, route_limit
from rapport.routes import Endpoint, endpoints

ERROR = "Refusal"
REASONS = {
    400: "The parameters do not go together (the detail says how to ask)",
    401: "No valid credentials: a missing, malformed or expired token, or a bad signature",
    403: "The token lacks the scope this route needs (or is a member token of another profile)",
    404: "Nothing has this id",
    409: "The request conflicts with the resource's state (the detail says how)",
    410: "It is gone for good: past its expiry (the detail says when)",
    413: "The request body is over the size limit",
    415: "The body is not sent as application/json",
    422: "The request is outside its bounds: which field and why (never the value)",
    429: "Too many requests: retry after the seconds in Retry-After",
    503: "This webhook's secret is not configured (the setting is named)",
}


def refused(*codes: int) -> dict[int | str, dict[str, Any]]:
    """A route's own refusals, for its ``responses=``: ``responses=refused(409)``."""
    return {code: _refusal(code) for code in codes}


def file_body(*content_types: str) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads its body as a file (CSV, JSONL), not a model."""
    schema = {"type": "string"}
    return {
        "requestBody": {
            "required": True,
            "content": {kind: {"schema": schema} for kind in content_types},
        }
    }


def _refusal(code: int) -> dict[str, Any]:
    schema = "HTTPValidationError" if code == 422 else ERROR
    return {
        "description": REASONS.get(code, "Refused: the detail says why"),
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def documented_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version, routes=app.routes)
        _error_bodies(document)
        for endpoint in endpoints(app):
            route = endpoint.api_route
            if route and route.include_in_schema:
                for method in route.methods or ():
                    operation = document["paths"][endpoint.template][method.lower()]
                    _document(operation, _refusals(route, operation))
                    _throttled(operation["responses"]["429"], app, endpoint, method)
                    if scopes := _scopes(route):
                        operation["x-rapport-scopes"] = scopes
                    if own := member_path(route.dependant):
                        operation["x-rapport-member-of"] = own
        app.openapi_schema = document
    return app.openapi_schema


def _refusals(route: APIRoute, operation: dict[str, Any]) -> set[int]:
    calls = list(dependency_calls(route.dependant))
    found: set[int] = {429}
    if any(hasattr(call, "__rapport_scopes__") for call in calls):
        found |= {401, 403}
    if any(hasattr(call, "__rapport_signed__") for call in calls):
        found |= {401, 503}
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        found |= {404, 422}
    if operation.get("parameters") or operation.get("requestBody"):
        found.add(422)
    if operation.get("requestBody") or json_body in calls:
        found |= {413, 422}
    if json_body in calls:
        found.add(415)
    return found


def _throttled(response: dict[str, Any], app: FastAPI, endpoint: Endpoint, method: str) -> None:
    limiter: Limiter = app.state.limiter
    streamed = endpoint.template in getattr(app.state, "streamed_bodies", {})
    applied = [Limit.ADDRESS, route_limit(endpoint, method, streamed)]
    if applied[-1] in (Limit.READS, Limit.WRITES, Limit.IMPORTS):
        applied.append(Limit.TOKENLESS)
    limits = "; ".join(limiter.describe(limit) for limit in applied)
    response["description"] = f"{REASONS[429]}. Limits, per service process: {limits}"
    response["headers"] = {
        "Retry-After": {
            "description": "Seconds until this limit lets the caller in again",
            "schema": {"type": "integer", "minimum": 1},
        }
    }


def _scopes(route: APIRoute) -> list[str]:
    """The scopes a token may hold to be let in (admin always is)."""
    for call in dependency_calls(route.dependant):
        if scopes := getattr(call, "__rapport_scopes__", None):
            return sorted({*map(str, scopes), "admin"})
    return []


def _document(operation: dict[str, Any], refusals: set[int]) -> None:
    responses = operation.setdefault("responses", {})
    for code in sorted(refusals):
        responses.setdefault(str(code), {}).update(
            {k: v for k, v in _refusal(code).items() if k not in responses[str(code)]}
        )


def _error_bodies(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    # A route's own 422s (HTTPException) say why in a sentence, the validator's in a list.
    schemas["HTTPValidationError"] = {
        "type": "object",
        "properties": {
            "detail": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}},
                ]
            }
        },
        "required": ["detail"],
    }
    schemas.setdefault(
        "ValidationError",
        {
            "type": "object",
            "properties": {
                "loc": {
                    "type": "array",
                    "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                },
                "msg": {"type": "string"},
                "type": {"type": "string"},
            },
            "required": ["loc", "msg", "type"],
        },
    )
