"""Settings every service shares, read from ``RAPPORT_*`` environment variables."""

from enum import StrEnum
from typing import Self

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-change-me"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class TraceExporter(StrEnum):
    NONE = "none"
    FILE = "file"
    OTLP = "otlp"


class RapportSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAPPORT_", extra="ignore")

    service_name: str = "rapport"
    environment: Environment = Environment.DEVELOPMENT
    kafka_bootstrap: str = "127.0.0.1:9092"
    mongo_url: SecretStr = SecretStr("mongodb://127.0.0.1:27017/?replicaSet=rapport")
    mongo_db: str = ""
    auth_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    log_level: str = "INFO"
    trace_exporter: TraceExporter = TraceExporter.NONE
    trace_file: str = ""
    max_body_bytes: int = 1_048_576

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        placeholder = self.auth_secret.get_secret_value() == DEVELOPMENT_SECRET
        if placeholder and self.environment is Environment.PRODUCTION:
            raise ValueError("RAPPORT_AUTH_SECRET must be set to a real secret in production")
        if len(self.auth_secret.get_secret_value()) < 16:
            raise ValueError("RAPPORT_AUTH_SECRET must be at least 16 characters")
        if not self.mongo_db:
            self.mongo_db = f"rapport_{self.service_name}"
        return self
