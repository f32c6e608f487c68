"""A casual commenter becomes a fan, then an evangelist, through mentions posted to ingest;
the stage changes arrive on ``crm.profiles`` in order."""

from datetime import timedelta
from typing import Any

import httpx
import pytest

from rapport.events import ProfileChanged, utcnow
from rapport.events.codec import decode
from rapport.testing import read_topic, reference, unique
from tests.support import WAIT_S, Platform, mention, profile_id

pytestmark = pytest.mark.e2e

JOURNEY = [
    (timedelta(days=4), "Saw a Brightloop machine at a friend's place today. Ref {}"),
    (timedelta(days=3), "Love my Brightloop, the espresso is amazing, thanks! Batch {}"),
    (timedelta(days=2), "The milk frother makes perfect foam every morning, so happy. Note {}"),
    (timedelta(days=1), "Third week with my Brightloop and every cup is wonderful. Cup {}"),
    (timedelta(hours=5), "Honestly I recommend the Brightloop to everyone, great coffee. Ref {}"),
    (timedelta(hours=1), "You should get one, the Brightloop is great and support is lovely. {}"),
]


async def post(http: httpx.AsyncClient, platform: Platform, body: dict[str, Any]) -> None:
    response = await http.post(
        f"{platform.url('ingest')}/v1/mentions", json=body, headers=platform.token("integration")
    )
    assert response.status_code == 202, response.text


def stage_changes(records: list[Any], key: bytes) -> list[tuple[str, str]]:
    events = [decode(r.value, (ProfileChanged,)) for r in records if r.key == key]
    return [
        (str(e.payload.previous_stage), str(e.payload.profile.stage))
        for e in events
        if isinstance(e, ProfileChanged) and e.payload.change == "stage_changed"
    ]


async def test_a_casual_commenter_becomes_a_fan_then_an_evangelist(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    author = unique("journey")
    now = utcnow()
    for ago, text in JOURNEY:
        created_at = (now - ago).isoformat()
        await post(
            http,
            platform,
            mention(unique("m"), author, text.format(reference()), created_at=created_at),
        )
    key = str(profile_id(author)).encode()
    records = await read_topic(
        platform.kafka,
        "crm.profiles",
        until=lambda rs: len(stage_changes(rs, key)) >= 2,
        timeout_s=WAIT_S,
    )
    assert stage_changes(records, key) == [
        ("casual_commenter", "fan"),
        ("fan", "evangelist"),
    ]
    response = await http.get(
        f"{platform.url('profiles')}/v1/profiles/{profile_id(author)}",
        headers=platform.token("agent"),
    )
    profile = response.json()
    assert profile["stage"] == "evangelist"
    assert profile["mention_count"] == len(JOURNEY)
    assert profile["scores"]["advocacy"] > 0
