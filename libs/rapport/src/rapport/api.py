"""What every HTTP route shares: scoped bearer auth, strict bodies, JSON-only requests held to
``rapport.bounds``."""

import json
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.dependencies.models import Dependant
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from rapport.auth import InvalidToken, Principal, Scope
from rapport.bounds import OutOfBounds, load_json
from rapport.models import StrictModel as StrictModel
from rapport.routes import routing_table
from rapport.verifier import KeysUnavailable, TokenVerifier

OPEN_PATHS = {"/healthz", "/readyz", "/metrics"}
_bearer = HTTPBearer(
    auto_error=False, description="A token from `rapport token mint --scopes ... --audience ...`"
)


def require(*scopes: Scope) -> Any:
    """A dependency admitting a bearer token that holds one of ``scopes`` (or admin)."""

    async def principal(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        found = await _authenticated(request, credentials)
        if not found.has_any(scopes):
            raise _forbidden(f"this route needs the {' or '.join(scopes)} scope")
        return found

    principal.__rapport_scopes__ = scopes  # type: ignore[attr-defined]
    return Depends(principal)


def require_member_or(*scopes: Scope, path_param: str = "profile_id") -> Any:
    """A dependency admitting a bearer token that holds one of ``scopes`` (or admin), or the
    ``member`` token of the profile the path names (its ``sub`` is ``path_param``'s id)."""

    async def principal(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        found = await _authenticated(request, credentials)
        if found.has_any(scopes) or found.is_member(request.path_params.get(path_param)):
            return found
        if Scope.MEMBER in found.scopes:
            raise _forbidden("a member token reaches only the member's own profile")
        raise _forbidden(f"this route needs the {' or '.join(scopes)} scope, or the member's own")

    principal.__rapport_scopes__ = (*scopes, Scope.MEMBER)  # type: ignore[attr-defined]
    principal.__rapport_member_path__ = path_param  # type: ignore[attr-defined]
    return Depends(principal)


async def _authenticated(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    verifier: TokenVerifier = request.app.state.verifier
    try:
        return await verifier.principal(credentials.credentials)
    except InvalidToken as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, str(error), headers={"WWW-Authenticate": "Bearer"}
        ) from error
    except KeysUnavailable as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error


def _forbidden(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, reason)


async def authenticate_first(request: Request, route: APIRoute) -> None:
    """Run ``route``'s ``require`` check before its body is read or parsed (by
    ``rapport.asgi.AuthenticateFirst``), so a request without the right token gets 401 or 403
    whatever its body; the route checks again as it runs."""
    for call in _calls(route.dependant):
        if hasattr(call, "__rapport_scopes__"):
            await call(request, await _bearer(request))


async def json_body(request: Request) -> None:
    """Refuse request bodies that are not JSON with 415, and JSON outside ``rapport.bounds``
    (not UTF-8, nested too deep, numbers too long) with 422, before a model reads them."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "send the body as application/json"
        )
    body = await request.body()
    if not body.strip():
        return  # the route's model says whether a body is required
    try:
        load_json(body)
    except json.JSONDecodeError as error:
        raise _refused((), f"not valid JSON: {error.msg}", "json_invalid") from None
    except OutOfBounds as error:
        raise _refused(error.loc, str(error), "out_of_bounds") from None


def _refused(loc: tuple[str | int, ...], reason: str, kind: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ["body", *loc], "msg": reason, "type": kind}])


async def unparsable_body(request: Request, error: Exception) -> Response:
    """FastAPI answers a JSON body its parser gives up on (bytes that are not UTF-8, a number
    past Python's 4,300 digits, nesting past the interpreter's limit) with a bare 400 before
    ``JsonBody`` runs: this answers 422 with the reason ``rapport.bounds`` finds instead."""
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == status.HTTP_400_BAD_REQUEST and error.__cause__ is not None:
        try:
            await json_body(request)
        except RequestValidationError as refused:
            return await request_validation_exception_handler(request, refused)
        except StarletteHTTPException:  # not JSON after all: the parser's own answer stands
            pass
    return await http_exception_handler(request, error)


JsonBody = Depends(json_body)


def signed(verify: Callable[..., Any]) -> Any:
    """A dependency for routes authenticated by a shared secret instead of a bearer token
    (webhooks): ``verify`` refuses a request that is not signed with it."""
    verify.__rapport_signed__ = True  # type: ignore[attr-defined]
    return Depends(verify)


def declared_scopes(dependant: Dependant | None) -> tuple[Scope, ...] | None:
    """The scopes a route's ``require(...)`` admits; None if it declares none."""
    for call in _calls(dependant):
        scopes: tuple[Scope, ...] | None = getattr(call, "__rapport_scopes__", None)
        if scopes is not None:
            return scopes
    return None


def member_path(dependant: Dependant | None) -> str | None:
    """The path parameter naming the profile whose member token a route admits, if any."""
    for call in _calls(dependant):
        found: str | None = getattr(call, "__rapport_member_path__", None)
        if found is not None:
            return found
    return None


def is_signed(dependant: Dependant | None) -> bool:
    return any(hasattr(call, "__rapport_signed__") for call in _calls(dependant))


def _calls(dependant: Dependant | None) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies if dependant is not None else ():
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every function a route's dependencies call, nested ones included."""
    return _calls(dependant)


def unscoped_routes(app: FastAPI) -> list[str]:
    """Routes of the app's whole routing table (included routers and mounted apps too) that
    declare no scope nor signature, apart from the open probes, the docs and static files."""
    return [
        f"{sorted(route.methods)} {route.path}"
        for route in routing_table(app)
        if not route.open
        and route.path not in OPEN_PATHS
        and declared_scopes(route.dependant) is None
        and not is_signed(route.dependant)
    ]
