"""`make run` passes the caller's RAPPORT_* settings to the services it starts; the stack's own
values apply only where the caller set none, and the per-service ones are always the stack's."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "local"))

from local_profile import PROFILES  # noqa: E402
from local_services import service_env  # noqa: E402

RUN = PROFILES["run"]
SECRET = "stack-secret-0123456789"


def test_a_caller_setting_the_stack_does_not_set_reaches_the_service() -> None:
    env = service_env(
        RUN, "ingest", auth_secret=SECRET, environ={"RAPPORT_SENTIMENT_ENGINE": "lexicon"}
    )
    assert env["RAPPORT_SENTIMENT_ENGINE"] == "lexicon"


def test_the_stack_fills_in_what_the_caller_did_not_set() -> None:
    env = service_env(RUN, "loyalty", auth_secret=SECRET, environ={"HOME": "/root"})
    assert env["RAPPORT_KAFKA_BOOTSTRAP"] == RUN.kafka_bootstrap
    assert env["RAPPORT_MONGO_URL"] == RUN.mongo_url
    assert env["RAPPORT_AUTH_SECRET"] == SECRET
    assert env["RAPPORT_LOG_LEVEL"] == "INFO"
    assert "HOME" not in env


def test_the_caller_wins_over_the_stacks_values() -> None:
    caller = {
        "RAPPORT_LOG_LEVEL": "DEBUG",
        "RAPPORT_KAFKA_BOOTSTRAP": "kafka.example:9092",
        "RAPPORT_AUTH_SECRET": "callers-own-secret-0123456789",
    }
    env = service_env(RUN, "responder", auth_secret=SECRET, environ=caller)
    assert {key: env[key] for key in caller} == caller


def test_per_service_settings_and_the_test_harness_variables_stay_the_stacks() -> None:
    caller = {
        "RAPPORT_SERVICE_NAME": "ingest",
        "RAPPORT_MONGO_DB": "one_for_all",
        "RAPPORT_TRACE_FILE": "/tmp/all.jsonl",
        "RAPPORT_TEST_PORT_OFFSET": "800",
    }
    env = service_env(RUN, "profiles", auth_secret=SECRET, environ=caller)
    assert env["RAPPORT_SERVICE_NAME"] == "profiles"
    assert "RAPPORT_MONGO_DB" not in env  # each service keeps its own database
    assert env["RAPPORT_TRACE_FILE"] == str(RUN.logs_dir / "profiles.traces.jsonl")
    assert "RAPPORT_TEST_PORT_OFFSET" not in env


def test_explicit_extras_override_everything() -> None:
    env = service_env(
        RUN,
        "ingest",
        auth_secret=SECRET,
        environ={"RAPPORT_LOG_LEVEL": "DEBUG"},
        RAPPORT_LOG_LEVEL="WARNING",
    )
    assert env["RAPPORT_LOG_LEVEL"] == "WARNING"
