"""Kafka client settings: incoherent combinations are refused; the rest become aiokafka options."""

import ssl
from pathlib import Path
from typing import Any

import certifi
import pytest
from pydantic import ValidationError

from rapport.kafka.connection import client_security
from rapport.settings import KafkaSettings, KafkaTopicSettings

CA = Path(certifi.where())  # any valid CA bundle
SASL: dict[str, Any] = {
    "kafka_security_protocol": "SASL_SSL",
    "kafka_sasl_mechanism": "SCRAM-SHA-512",
    "kafka_username": "rapport",
    "kafka_password": "s3cret",
}


def test_plaintext_is_the_default_and_adds_no_tls_or_sasl() -> None:
    assert client_security(KafkaSettings()) == {"security_protocol": "PLAINTEXT"}


def test_sasl_ssl_becomes_a_verifying_tls_context_and_scram_credentials() -> None:
    settings = KafkaSettings(**SASL, kafka_ssl_cafile=CA)

    options = client_security(settings)

    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("rapport", "s3cret")
    assert options["ssl_context"].verify_mode is ssl.CERT_REQUIRED
    assert options["ssl_context"].check_hostname


def test_the_password_is_a_secret() -> None:
    settings = KafkaSettings(**SASL)

    assert "s3cret" not in repr(settings)


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SASL.items():
        monkeypatch.setenv(f"RAPPORT_{name.upper()}", value)

    assert client_security(KafkaSettings())["sasl_plain_username"] == "rapport"


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({**SASL, "kafka_username": ""}, "RAPPORT_KAFKA_USERNAME and RAPPORT_KAFKA_PASSWORD"),
        ({**SASL, "kafka_password": ""}, "RAPPORT_KAFKA_USERNAME and RAPPORT_KAFKA_PASSWORD"),
        ({**SASL, "kafka_sasl_mechanism": None}, "RAPPORT_KAFKA_SASL_MECHANISM is required"),
        ({**SASL, "kafka_sasl_mechanism": "GSSAPI"}, "kafka_sasl_mechanism"),
        ({**SASL, "kafka_security_protocol": "SSL"}, "SASL settings are given"),
        ({"kafka_security_protocol": "TLS"}, "kafka_security_protocol"),
        ({"kafka_ssl_cafile": CA}, "TLS files are given"),
        ({**SASL, "kafka_ssl_cafile": "/nonexistent/ca.pem"}, "kafka_ssl_cafile"),
        ({**SASL, "kafka_ssl_keyfile": CA}, "RAPPORT_KAFKA_SSL_CERTFILE"),
    ],
)
def test_incoherent_settings_are_refused(settings: dict[str, object], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        KafkaSettings(**settings)  # type: ignore[arg-type]


def test_min_insync_replicas_above_the_replication_factor_is_refused() -> None:
    with pytest.raises(ValidationError, match="cannot exceed"):
        KafkaTopicSettings(kafka_replication_factor=1, kafka_min_insync_replicas=2)
