"""The path `make run` takes for a real service: the caller's RAPPORT_* settings reach it, a live
one is reused, and a change of settings restarts it."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from rapport.testing import token_keys, unique

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "local"))

from local_heal import repair  # noqa: E402
from local_procs import running_pid, stop_pid_file, wait_ready  # noqa: E402
from local_profile import Profile  # noqa: E402
from local_services import managed_service, service_env  # noqa: E402

pytestmark = pytest.mark.integration

OFFSET = int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))


@pytest.fixture
def database(mongo_url: str) -> Iterator[str]:
    name = unique("test").replace("-", "_")
    yield name
    client: MongoClient[dict[str, Any]]
    with MongoClient(mongo_url) as client:
        client.drop_database(name)


@pytest.fixture
def profile() -> Iterator[Profile]:
    """The test profile's Kafka and MongoDB, its services on ports set aside for tests."""
    profile = Profile(
        "test-stack-service",
        kafka_port=19092 + OFFSET,
        controller_port=19093 + OFFSET,
        mongo_port=27117 + OFFSET,
        first_service_port=19092 + OFFSET + 60,
        runs_services=True,
    )
    try:
        yield profile
    finally:
        stop_pid_file(profile.pid_file("ingest"))


def test_the_callers_settings_reach_the_service_and_a_change_restarts_it(
    profile: Profile, database: str
) -> None:
    caller = {"RAPPORT_MAX_BODY_BYTES": "200", "RAPPORT_SENTIMENT_ENGINE": "lexicon"}
    env = service_env(
        profile,
        "ingest",
        auth_jwks=token_keys().auth_jwks,
        environ=caller,
        RAPPORT_MONGO_DB=database,
    )
    url = profile.service_url("ingest")

    assert repair(managed_service(profile, "ingest", env)) == "started"
    wait_ready(url + "/readyz", 90, pid=running_pid(profile.pid_file("ingest")))
    headers = {"Authorization": f"Bearer {token_keys().token('integration', subject='test')}"}
    big = httpx.post(url + "/v1/mentions", content=b"x" * 500, headers=headers, timeout=10)
    assert big.status_code == 413, "the caller's RAPPORT_MAX_BODY_BYTES did not reach ingest"

    first = running_pid(profile.pid_file("ingest"))
    assert repair(managed_service(profile, "ingest", env)) == "reused"

    env["RAPPORT_MAX_BODY_BYTES"] = "1000"
    assert repair(managed_service(profile, "ingest", env)) == (
        "restarted (started with other settings)"
    )
    wait_ready(url + "/readyz", 90, pid=running_pid(profile.pid_file("ingest")))
    assert running_pid(profile.pid_file("ingest")) != first
    same = httpx.post(url + "/v1/mentions", content=b"x" * 500, headers=headers, timeout=10)
    assert same.status_code != 413
