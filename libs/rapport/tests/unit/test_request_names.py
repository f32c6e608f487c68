"""What a request is known by outside the API (span, metrics, OpenAPI): the route template and
a bounded method, never its ids or query string; and a token is checked before the body."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import uuid4

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY

from rapport import asgi
from rapport.api import JsonBody, StrictModel, require
from rapport.auth import Scope
from rapport.service import Runtime, service_app
from rapport.settings import RapportSettings
from rapport.testing import token_keys

SERVICE = "names"
router = APIRouter(prefix="/v1/notes")


class Note(StrictModel):
    text: str


@router.get("/{note_id}", dependencies=[require(Scope.AGENT)])
async def get_note(note_id: str) -> dict[str, str]:
    return {"id": note_id}


@router.post("", dependencies=[require(Scope.AGENT), JsonBody], status_code=201)
async def post_note(note: Note) -> Note:
    return note


@asynccontextmanager
async def nothing(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    yield


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    settings = RapportSettings(
        service_name=SERVICE, auth_jwks=token_keys().auth_jwks, max_body_bytes=100
    )
    app = service_app(settings, title="names", routers=[router], run=nothing)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


def agent() -> dict[str, str]:
    return token_keys().bearer(Scope.AGENT, subject="ann", audience=[SERVICE])


def requests(method: str, route: str, status: int) -> float:
    labels = {"service": SERVICE, "method": method, "route": route, "status": str(status)}
    return REGISTRY.get_sample_value("rapport_http_requests_total", labels) or 0.0


async def test_a_span_is_named_by_the_route_template(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    note_id = str(uuid4())
    response = await client.get(f"/v1/notes/{note_id}?handle=ann_secret", headers=agent())
    assert response.status_code == 200
    [span] = [s for s in spans.get_finished_spans() if s.kind.name == "SERVER"]
    assert span.name == "GET /v1/notes/{note_id}"
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "http.route": "/v1/notes/{note_id}",
        "http.response.status_code": 200,
    }


async def test_made_up_methods_and_unknown_paths_share_a_label(
    client: httpx.AsyncClient,
) -> None:
    before = requests("_OTHER", "unmatched", 404), requests("_OTHER", "/v1/notes/{note_id}", 401)
    for method in ("BREW", "WHEN", "XYZZY"):
        assert (await client.request(method, f"/{uuid4()}")).status_code == 404
        assert (await client.request(method, f"/v1/notes/{uuid4()}")).status_code == 401
    after = requests("_OTHER", "unmatched", 404), requests("_OTHER", "/v1/notes/{note_id}", 401)
    assert (after[0] - before[0], after[1] - before[1]) == (3, 3)
    assert (
        REGISTRY.get_sample_value(
            "rapport_http_requests_total",
            {"service": SERVICE, "method": "BREW", "route": "unmatched", "status": "404"},
        )
        is None
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"{" * 50, "application/json"), (b"x" * 1000, "application/json"), (b"a", "text/csv")],
    ids=["malformed", "over-the-limit", "not-json"],
)
async def test_a_caller_without_the_scope_is_refused_before_the_body(
    client: httpx.AsyncClient, body: bytes, content_type: str
) -> None:
    headers = {"content-type": content_type}
    assert (await client.post("/v1/notes", content=body, headers=headers)).status_code == 401
    other = token_keys().bearer(Scope.INTEGRATION, subject="etl", audience=[SERVICE])
    refused = await client.post("/v1/notes", content=body, headers={**headers, **other})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "this route needs the agent scope"


async def test_the_openapi_document_names_every_refusal(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    post = document["paths"]["/v1/notes"]["post"]
    get = document["paths"]["/v1/notes/{note_id}"]["get"]
    assert set(post["responses"]) == {"201", "401", "403", "413", "415", "422", "429"}
    assert set(get["responses"]) == {"200", "401", "403", "404", "422", "429"}
    assert post["x-rapport-scopes"] == ["admin", "agent"]
    refusal = post["responses"]["401"]["content"]["application/json"]["schema"]
    assert refusal == {"$ref": "#/components/schemas/Refusal"}


async def test_a_request_walks_the_routing_table_once(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    walks: list[str] = []
    real = asgi.find  # type: ignore[attr-defined]  # the name asgi calls

    def counted(app: object, method: str, path: str) -> object:
        walks.append(path)
        return real(app, method, path)

    monkeypatch.setattr(asgi, "find", counted)
    path = f"/v1/notes/{uuid4()}"
    assert (await client.get(path, headers=agent())).status_code == 200
    assert walks == [path]
