"""Configuration the domain validates: unknown fields are an error, not silently dropped (as
``rapport.api.StrictModel``, without importing the API layer)."""

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
