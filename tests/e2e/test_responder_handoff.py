"""A twcs-shaped history imported through ingest: customers' tweets open cases in responder,
the brand's replies stop the first-response clock, and the handoff metrics are exactly the
ones computed by hand for the fixture (tests/e2e/fixtures/twcs_handoff.csv).

Every first-response target is set to 60 minutes first, so "within SLA" does not depend on
how priority is scored. Times are the tweets' created_at (3 Nov 2025), not processing time.

| customer | opens (intent)           | queue   | first brand answer in thread  | s    | ≤60m |
|----------|--------------------------|---------|-------------------------------|------|------|
| 880001   | 9101 09:00 complaint     | support | 9102 09:10 (9103, 9104 follow)|  600 | yes  |
| 880002   | 9201 10:00 question      | support | 9202 10:30                    | 1800 | yes  |
| 880003   | 9301 11:00 complaint     | support | 9302 13:00                    | 7200 | no   |
| 880004   | 9401 12:00 complaint     | support | 9402 12:05                    |  300 | yes  |
| 880005   | 9501 14:00 question, buy | sales   | 9502 15:30                    | 5400 | no   |
| 880006   | 9601 15:00 complaint     | support | none (due 16:00, long past)   |    — | no   |
| 880007   | 9701 16:00 praise        | no case | (9702 answers no case)        |      |      |
| 880008   | 9801 17:00 question      | support | 9803 19:00 (9802 16:50 is not |      |      |
|          |                          |         | in its thread)                | 7200 | no   |
| 880009   | 9901 18:00 complaint     | support | 9902 18:20                    | 1200 | yes  |

overall: 8 cases; answered 7: 300 600 1200 1800 5400 7200 7200 → median 1800, p90 (7th of 7)
7200; within SLA 4 of 8 = 0.5; backlog 0 and breaches 0 (history, older than responder's live
window, is never active nor scanned).
support: 7 cases; 300 600 1200 1800 7200 7200 → median (1200+1800)/2 = 1500, p90 (6th of 6)
7200; within 4 of 7. sales: 1 case; 5400; within 0 of 1.
"""

from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from rapport.events import Priority
from rapport.testing import eventually
from tests.support import WAIT_S, Platform, caught_up, profile_id

pytestmark = pytest.mark.e2e
FIXTURE = Path(__file__).parent / "fixtures" / "twcs_handoff.csv"
CUSTOMERS = [f"88000{n}" for n in range(1, 10)]
RANGE = {"since": "2025-11-03T00:00:00Z", "until": "2025-11-04T00:00:00Z"}


async def cases_of(http: httpx.AsyncClient, platform: Platform, author: str) -> list[Any]:
    response = await http.get(
        f"{platform.url('responder')}/v1/cases",
        params={"profile_id": str(profile_id(author))},
        headers=platform.token("agent"),
    )
    assert response.status_code == 200, response.text
    cases: list[Any] = response.json()
    return cases


async def test_imported_history_gives_the_hand_computed_handoff_metrics(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    responder = platform.url("responder")
    for priority in Priority:
        policy = {"first_response": 60, "next_response": 120, "resolution": 1440}
        response = await http.put(
            f"{responder}/v1/sla-policies/{priority.value}",
            json=policy,
            headers=platform.token("supervisor"),
        )
        assert response.status_code == 200, response.text

    imported = await http.post(
        f"{platform.url('ingest')}/v1/imports",
        params={"format": "twcs"},
        content=FIXTURE.read_bytes(),
        headers={**platform.token("integration"), "content-type": "text/csv"},
    )
    assert imported.status_code == 201, imported.text
    assert (imported.json()["accepted"], imported.json()["rejected"]) == (20, 0)

    answered_at = {
        "880001": "2025-11-03T09:10:00Z",
        "880002": "2025-11-03T10:30:00Z",
        "880003": "2025-11-03T13:00:00Z",
        "880004": "2025-11-03T12:05:00Z",
        "880005": "2025-11-03T15:30:00Z",
        "880008": "2025-11-03T19:00:00Z",
        "880009": "2025-11-03T18:20:00Z",
    }

    async def settled() -> dict[str, Any] | None:
        cases = {c: await cases_of(http, platform, c) for c in CUSTOMERS}
        first = {c: found[0]["first_response_at"] for c, found in cases.items() if found}
        answered = {c: t.replace("+00:00", "Z") for c, t in first.items() if t}
        complete = len(cases["880001"]) == 1 and len(cases["880001"][0]["mention_ids"]) == 2
        opened = all(cases[c] for c in CUSTOMERS if c != "880007")
        return cases if answered == answered_at and complete and opened else None

    await eventually(settled, timeout_s=WAIT_S)
    # Everything imported has been consumed: what has no case now never gets one.
    await eventually(
        partial(caught_up, platform.kafka, "responder", "social.mentions.enriched"),
        timeout_s=WAIT_S,
    )
    cases = await settled()
    assert cases is not None
    assert cases["880007"] == []
    assert cases["880006"][0]["first_response_at"] is None
    assert {c: found[0]["queue"] for c, found in cases.items() if found} == {
        **{c: "support" for c in CUSTOMERS if c not in ("880005", "880007")},
        "880005": "sales",
    }
    assert all(found[0]["historical"] for found in cases.values() if found)

    response = await http.get(
        f"{responder}/v1/handoff", params=RANGE, headers=platform.token("supervisor")
    )
    assert response.status_code == 200, response.text
    metrics = response.json()
    assert metrics["overall"] == {
        "cases": 8,
        "first_response": {"count": 7, "median_s": 1800.0, "p90_s": 7200.0},
        "resolution": {"count": 0, "median_s": None, "p90_s": None},
        "within_sla": 0.5,
        "backlog": 0,  # history is never live work
        "breaches": 0,
    }
    support, sales = metrics["queues"]["support"], metrics["queues"]["sales"]
    assert (support["cases"], support["within_sla"]) == (7, round(4 / 7, 4))
    assert support["first_response"] == {"count": 6, "median_s": 1500.0, "p90_s": 7200.0}
    assert (sales["cases"], sales["within_sla"]) == (1, 0.0)
    assert sales["first_response"] == {"count": 1, "median_s": 5400.0, "p90_s": 5400.0}
    assert metrics["agents"] == {}

    detail = await http.get(
        f"{responder}/v1/cases/{cases['880001'][0]['case_id']}", headers=platform.token("agent")
    )
    thread = [(m["kind"], m["external_id"]) for m in detail.json()["messages"]]
    assert thread == [
        ("customer", "9101"),
        ("brand", "9102"),
        ("customer", "9103"),
        ("brand", "9104"),
    ]
