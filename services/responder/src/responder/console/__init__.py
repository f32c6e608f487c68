"""The agents' console and the brand-health dashboard: static HTML, CSS and JavaScript served at
``/console``. The files are open (they hold no data); everything they show comes from the API,
called with the bearer token the user pastes. The Content-Security-Policy keeps every request
the page makes on this origin."""

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).parent / "static"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class ConsoleFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(HEADERS)
        return response


def mount(app: FastAPI) -> None:
    """Outside the API routers on purpose: static files need no scope (see the module doc)."""
    app.mount("/console", ConsoleFiles(directory=STATIC, html=True), name="console")
