"""`make run` passes the caller's RAPPORT_* settings to the services it starts; the stack's own
values apply only where the caller set none, and the per-service ones are always the stack's."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "local"))

from local_profile import PROFILES  # noqa: E402
from local_services import service_env  # noqa: E402

RUN = PROFILES["run"]
JWKS = "/keys/jwks.json"


def test_a_caller_setting_the_stack_does_not_set_reaches_the_service() -> None:
    env = service_env(
        RUN, "ingest", auth_jwks=JWKS, environ={"RAPPORT_SENTIMENT_ENGINE": "lexicon"}
    )
    assert env["RAPPORT_SENTIMENT_ENGINE"] == "lexicon"


def test_the_stack_fills_in_what_the_caller_did_not_set() -> None:
    env = service_env(RUN, "loyalty", auth_jwks=JWKS, environ={"HOME": "/root"})
    assert env["RAPPORT_KAFKA_BOOTSTRAP"] == RUN.kafka_bootstrap
    assert env["RAPPORT_MONGO_URL"] == RUN.mongo_url
    assert env["RAPPORT_AUTH_JWKS"] == JWKS
    assert env["RAPPORT_LOG_LEVEL"] == "INFO"
    assert "HOME" not in env


def test_the_caller_wins_over_the_stacks_values() -> None:
    caller = {
        "RAPPORT_LOG_LEVEL": "DEBUG",
        "RAPPORT_KAFKA_BOOTSTRAP": "kafka.example:9092",
        "RAPPORT_AUTH_JWKS": "https://issuer.example/jwks.json",
    }
    env = service_env(RUN, "responder", auth_jwks=JWKS, environ=caller)
    assert {key: env[key] for key in caller} == caller


def test_the_issuers_private_key_never_reaches_a_service() -> None:
    caller = {"RAPPORT_AUTH_PRIVATE_KEY": "/keys/private.pem", "RAPPORT_LOG_LEVEL": "DEBUG"}
    env = service_env(RUN, "ingest", auth_jwks=JWKS, environ=caller)
    assert "RAPPORT_AUTH_PRIVATE_KEY" not in env
    assert env["RAPPORT_LOG_LEVEL"] == "DEBUG"


def test_per_service_settings_and_the_test_harness_variables_stay_the_stacks() -> None:
    caller = {
        "RAPPORT_SERVICE_NAME": "ingest",
        "RAPPORT_MONGO_DB": "one_for_all",
        "RAPPORT_TRACE_FILE": "/tmp/all.jsonl",
        "RAPPORT_TEST_PORT_OFFSET": "800",
    }
    env = service_env(RUN, "profiles", auth_jwks=JWKS, environ=caller)
    assert env["RAPPORT_SERVICE_NAME"] == "profiles"
    assert "RAPPORT_MONGO_DB" not in env  # each service keeps its own database
    assert env["RAPPORT_TRACE_FILE"] == str(RUN.logs_dir / "profiles.traces.jsonl")
    assert "RAPPORT_TEST_PORT_OFFSET" not in env


def test_explicit_extras_override_everything() -> None:
    env = service_env(
        RUN,
        "ingest",
        auth_jwks=JWKS,
        environ={"RAPPORT_LOG_LEVEL": "DEBUG"},
        RAPPORT_LOG_LEVEL="WARNING",
    )
    assert env["RAPPORT_LOG_LEVEL"] == "WARNING"
