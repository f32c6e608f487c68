"""The TLS and SASL options every Kafka client is built with, from ``RAPPORT_KAFKA_*`` settings."""

import ssl
from typing import TypedDict

from aiokafka.helpers import create_ssl_context

from rapport.settings import KafkaSettings


class ClientSecurity(TypedDict, total=False):
    """Keyword arguments shared by aiokafka's producer, consumer and admin client."""

    security_protocol: str
    ssl_context: ssl.SSLContext
    sasl_mechanism: str
    sasl_plain_username: str
    sasl_plain_password: str


def client_security(settings: KafkaSettings) -> ClientSecurity:
    """The security options of ``settings`` (already checked for coherence by the settings)."""
    protocol = settings.kafka_security_protocol
    options = ClientSecurity(security_protocol=protocol.value)
    if protocol.uses_tls:
        key_password = settings.kafka_ssl_key_password
        options["ssl_context"] = create_ssl_context(
            cafile=settings.kafka_ssl_cafile,
            certfile=settings.kafka_ssl_certfile,
            keyfile=settings.kafka_ssl_keyfile,
            password=key_password.get_secret_value() if key_password else None,
        )
    if protocol.uses_sasl:
        assert settings.kafka_sasl_mechanism is not None
        assert settings.kafka_password is not None
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism.value
        options["sasl_plain_username"] = settings.kafka_username
        options["sasl_plain_password"] = settings.kafka_password.get_secret_value()
    return options
