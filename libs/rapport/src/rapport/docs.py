"""``/docs`` (Swagger UI) and ``/redoc``, served with their scripts and styles from this service:
the pinned ``fastapi-offline`` package's static files, so the docs page loads nothing from a
CDN."""

from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

STATIC = Path(fastapi_offline.__file__).parent / "static"
ASSETS = "/docs/assets"
PAGES = ("/docs", "/redoc")


def serve_docs(app: FastAPI) -> None:
    """Add the docs pages (not in the OpenAPI document, no token needed: they hold no data)."""
    app.mount(ASSETS, StaticFiles(directory=STATIC), name="docs-assets")
    common: dict[str, Any] = {"openapi_url": "/openapi.json", "title": f"{app.title} API"}
    icon = f"{ASSETS}/favicon.png"
    swagger, redoc = PAGES
    pages = {
        swagger: partial(
            get_swagger_ui_html,
            **common,
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=icon,
        ),
        redoc: partial(
            get_redoc_html,
            **common,
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=icon,
            with_google_fonts=False,
        ),
    }
    for path, render in pages.items():
        app.add_route(path, _page(render), include_in_schema=False)


def _page(render: Callable[[], HTMLResponse]) -> Callable[[Request], Awaitable[Response]]:
    async def page(request: Request) -> Response:
        return render()

    return page
