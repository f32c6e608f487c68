"""What a request leaves behind outside the API: spans name the route template, never the query
string or ids; metrics keep a bounded set of labels whatever methods callers make up; the docs
page loads nothing from another origin."""

import re
import secrets
from uuid import uuid4

import httpx
import pytest

from rapport.testing import eventually
from tests.support import WAIT_S, WEBHOOK_SECRETS, Platform

pytestmark = pytest.mark.e2e
HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}


async def test_spans_carry_the_route_template_not_the_query_or_ids(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
    trace_id = "0x" + traceparent.split("-")[1]
    handshake = {
        "hub.mode": "subscribe",
        "hub.verify_token": WEBHOOK_SECRETS["RAPPORT_META_VERIFY_TOKEN"],
        "hub.challenge": "4242",
    }
    meta = await http.get(
        f"{platform.url('ingest')}/v1/webhooks/meta",
        params=handshake,
        headers={"traceparent": traceparent},
    )
    assert meta.text == "4242"
    profile_id = str(uuid4())
    profile = await http.get(
        f"{platform.url('profiles')}/v1/profiles/{profile_id}",
        params={"handle": "ann_secret"},
        headers={**platform.token("agent"), "traceparent": traceparent},
    )
    assert profile.status_code == 404

    def server_spans(service: str) -> list[dict[str, object]]:
        return [
            span
            for span in platform.traces(service)
            if span["context"]["trace_id"] == trace_id and span["kind"] == "SpanKind.SERVER"
        ]

    ingest = await eventually(lambda: server_spans("ingest"), timeout_s=WAIT_S)
    profiles = await eventually(lambda: server_spans("profiles"), timeout_s=WAIT_S)
    assert [s["name"] for s in ingest] == ["GET /v1/webhooks/meta"]
    assert [s["name"] for s in profiles] == ["GET /v1/profiles/{profile_id}"]
    assert profiles[0]["attributes"]["http.route"] == "/v1/profiles/{profile_id}"
    recorded = repr(ingest + profiles)
    for secret in (handshake["hub.verify_token"], "hub.", "4242", profile_id, "ann_secret"):
        assert secret not in recorded


async def test_made_up_methods_share_one_metric_label(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    url = platform.url("loyalty")
    made_up = [f"X{secrets.token_hex(4).upper()}" for _ in range(25)]
    for method in made_up:
        assert (await http.request(method, f"{url}/v1/members/{uuid4()}")).status_code < 500
        assert (await http.request(method, f"{url}/{secrets.token_hex(6)}")).status_code < 500
    metrics = (await http.get(f"{url}/metrics")).text
    labels = re.findall(r"^rapport_http_requests_total\{(.*)\}", metrics, re.MULTILINE)
    methods = {re.search(r'method="([^"]*)"', label)[1] for label in labels}  # type: ignore[index]
    routes = {re.search(r'route="([^"]*)"', label)[1] for label in labels}  # type: ignore[index]
    assert "_OTHER" in methods
    assert methods <= HTTP_METHODS | {"_OTHER"}
    templates = set((await http.get(f"{url}/openapi.json")).json()["paths"])
    probes = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/redoc"}
    assert "unmatched" in routes
    assert routes <= templates | probes | {"/docs/assets", "unmatched"}
    assert not any(m in metrics for m in made_up)


@pytest.mark.parametrize("service", ["ingest", "profiles", "responder", "loyalty"])
async def test_the_docs_load_everything_from_the_service(
    http: httpx.AsyncClient, platform: Platform, service: str
) -> None:
    for page in ("/docs", "/redoc"):
        html = (await http.get(platform.url(service) + page)).text
        loaded = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert loaded, html
        assert [url for url in loaded if not url.startswith("/")] == []
        for url in loaded:
            assert (await http.get(platform.url(service) + url)).status_code == 200, url
