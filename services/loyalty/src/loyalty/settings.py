from pydantic import Field

from rapport.settings import RapportSettings


class LoyaltySettings(RapportSettings):
    service_name: str = "loyalty"
    points_per_positive_mention: int = Field(default=10, gt=0)
