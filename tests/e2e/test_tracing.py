"""One trace follows a mention from ingest's HTTP request through all three downstream services."""

import secrets

import httpx
import pytest

from rapport.testing import eventually, unique
from tests.support import WAIT_S, Platform, mention, negative, positive

pytestmark = pytest.mark.e2e


async def test_one_trace_id_covers_the_request_and_every_service(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    trace_id = secrets.token_hex(16)
    traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"
    author = unique("traced")
    response = await http.post(
        f"{platform.url('ingest')}/v1/mentions",
        json={
            "mentions": [
                mention(unique("m"), author, positive()),
                mention(unique("m"), author, negative()),
            ]
        },
        headers={**platform.token("integration"), "traceparent": traceparent},
    )
    assert response.status_code == 202

    def spans_named(service: str) -> set[str]:
        return {
            span["name"]
            for span in platform.traces(service)
            if span["context"]["trace_id"] == f"0x{trace_id}"
        }

    expected = {
        "ingest": {"POST /v1/mentions", "publish social.mentions"},
        "profiles": {"process social.mentions", "publish social.mentions.enriched"},
        "responder": {"process social.mentions.enriched", "publish care.cases"},
        "loyalty": {"process social.mentions.enriched", "publish loyalty.events"},
    }
    for service, names in expected.items():
        await eventually(
            lambda s=service, n=names: n <= spans_named(s),  # type: ignore[misc]
            timeout_s=WAIT_S,
        )
