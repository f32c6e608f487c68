"""Settings every service shares, read from ``RAPPORT_*`` environment variables."""

from enum import StrEnum
from typing import Annotated, Self

from limits import parse_many
from pydantic import AfterValidator, Field, FilePath, IPvAnyNetwork, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rapport.exports.keys import ExportSettings
from rapport.topics import REVOCATIONS

LOCAL_PEPPER = "local-suppression-pepper"
"""The suppression list's key outside production: a placeholder, refused in production."""


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class TraceExporter(StrEnum):
    NONE = "none"
    FILE = "file"
    OTLP = "otlp"


class KafkaSecurityProtocol(StrEnum):
    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"

    @property
    def uses_tls(self) -> bool:
        return self in (KafkaSecurityProtocol.SSL, KafkaSecurityProtocol.SASL_SSL)

    @property
    def uses_sasl(self) -> bool:
        return self.startswith("SASL_")


class KafkaSaslMechanism(StrEnum):
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    SCRAM_SHA_512 = "SCRAM-SHA-512"
    PLAIN = "PLAIN"


class KafkaSettings(BaseSettings):
    """How every Kafka client (producer, consumer, admin) reaches and authenticates to Kafka."""

    model_config = SettingsConfigDict(env_prefix="RAPPORT_", extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_security_protocol: KafkaSecurityProtocol = KafkaSecurityProtocol.PLAINTEXT
    kafka_sasl_mechanism: KafkaSaslMechanism | None = None
    kafka_username: str = ""
    kafka_password: SecretStr | None = None
    kafka_ssl_cafile: FilePath | None = None
    """CA bundle the brokers' certificates are checked against (default: the system's)."""
    kafka_ssl_certfile: FilePath | None = None
    """Client certificate (PEM) for mutual TLS; its key is in the same file or the keyfile."""
    kafka_ssl_keyfile: FilePath | None = None
    kafka_ssl_key_password: SecretStr | None = None

    @model_validator(mode="after")
    def _refuse_incoherent_kafka_security(self) -> Self:
        protocol = self.kafka_security_protocol
        if protocol.uses_sasl:
            if self.kafka_sasl_mechanism is None:
                raise ValueError(f"RAPPORT_KAFKA_SASL_MECHANISM is required with {protocol}")
            if not self.kafka_username or not self.kafka_password:
                missing = "RAPPORT_KAFKA_USERNAME and RAPPORT_KAFKA_PASSWORD"
                raise ValueError(f"{missing} are required with {protocol}")
        elif self.kafka_sasl_mechanism or self.kafka_username or self.kafka_password:
            raise ValueError(
                f"SASL settings are given but RAPPORT_KAFKA_SECURITY_PROTOCOL is {protocol}"
            )
        tls_files = (self.kafka_ssl_cafile, self.kafka_ssl_certfile, self.kafka_ssl_keyfile)
        if not protocol.uses_tls and any(tls_files):
            raise ValueError(
                f"TLS files are given but RAPPORT_KAFKA_SECURITY_PROTOCOL is {protocol}"
            )
        if self.kafka_ssl_certfile is None and (
            self.kafka_ssl_keyfile or self.kafka_ssl_key_password
        ):
            raise ValueError("a client key needs its certificate: set RAPPORT_KAFKA_SSL_CERTFILE")
        return self


class KafkaTopicSettings(KafkaSettings):
    """How the topics job replicates the catalogue's topics."""

    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_min_insync_replicas: int | None = Field(default=None, ge=1)
    """Replicas that must have a write before it is acknowledged; default: each topic's RF - 1."""

    @model_validator(mode="after")
    def _refuse_unreachable_min_isr(self) -> Self:
        min_isr = self.kafka_min_insync_replicas
        if min_isr is not None and min_isr > self.kafka_replication_factor:
            raise ValueError(
                "RAPPORT_KAFKA_MIN_INSYNC_REPLICAS cannot exceed RAPPORT_KAFKA_REPLICATION_FACTOR"
            )
        return self


def _rate_limits(value: str) -> str:
    parse_many(value)  # ValueError names what it cannot read
    return value


RateLimits = Annotated[str, AfterValidator(_rate_limits)]
"""One or more limits, ``;``-separated, each ``<count>/<period>`` or ``<count> per <n>
<period>`` (second, minute, hour, day): ``"100/second;3000/minute"``."""


class RapportSettings(KafkaSettings, ExportSettings):
    model_config = SettingsConfigDict(env_prefix="RAPPORT_", extra="ignore")

    service_name: str = "rapport"
    environment: Environment = Environment.DEVELOPMENT
    mongo_url: SecretStr = SecretStr("mongodb://127.0.0.1:27017/?replicaSet=rapport")
    mongo_db: str = ""
    auth_jwks: str = ""
    """The token issuer's public keys: a JWKS file (re-read when it changes) or its URL. There is
    no default key: a service refuses to start without one (``rapport token keygen`` makes one)."""
    auth_jwks_cache_s: float = Field(default=300.0, gt=0)
    """How long keys fetched from a JWKS URL are used before fetching them again."""
    auth_issuer: str = "rapport"
    auth_revocations_topic: str = REVOCATIONS.name
    log_level: str = "INFO"
    trace_exporter: TraceExporter = TraceExporter.NONE
    trace_file: str = ""
    max_body_bytes: int = 1_048_576
    consume_events: bool = True
    """False runs the HTTP API alone (an API-only replica; tests that drive handlers directly)."""
    relay_outbox: bool = True
    """False leaves this database's outbox to another relay (tests run their own). Any number
    of replicas may relay: one at a time holds the relay's lease."""
    # Rate limits (rapport.ratelimit), per process: N replicas let a caller make N times these.
    rate_limit_address: RateLimits = "12000/minute"
    """Every request from one source address, token or not (probes excepted)."""
    rate_limit_tokenless: RateLimits = "600/minute"
    """Requests from one address without a valid token: docs, console files, refused tokens."""
    rate_limit_reads: RateLimits = "1200/minute"
    """GET requests with one token subject's tokens."""
    rate_limit_writes: RateLimits = "1200/minute"
    """Other requests with one token subject's tokens."""
    rate_limit_imports: RateLimits = "60/hour"
    """File uploads (``POST /v1/imports``) with one token subject's tokens."""
    rate_limit_webhooks: RateLimits = "6000/minute"
    """Deliveries to one webhook (X, Meta, each generic source)."""
    trusted_proxies: list[IPvAnyNetwork] = []
    """Proxies (addresses or networks) whose ``X-Forwarded-For`` names the client; any other
    peer is the client itself, whatever it sends."""
    suppression_pepper: SecretStr = SecretStr(LOCAL_PEPPER)
    """The key of the erasure suppression list's hashes (``rapport.suppression``); required in
    production. Changing it forgets who was erased."""

    @model_validator(mode="after")
    def _refuse_the_local_pepper_in_production(self) -> Self:
        pepper = self.suppression_pepper.get_secret_value()
        if self.environment == Environment.PRODUCTION and pepper in ("", LOCAL_PEPPER):
            raise ValueError("set RAPPORT_SUPPRESSION_PEPPER (a long random secret) in production")
        return self

    @model_validator(mode="after")
    def _name_the_database(self) -> Self:
        if not self.mongo_db:
            self.mongo_db = f"rapport_{self.service_name}"
        return self
