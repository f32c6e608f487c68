from pydantic import Field

from rapport.settings import RapportSettings
from responder.domain.priority import Weights
from responder.domain.spikes import SpikeRule


class ResponderSettings(RapportSettings):
    service_name: str = "responder"
    priority_weights: Weights = Weights()
    reopen_window_s: float = Field(72 * 3600, ge=0)
    """A customer's mention this soon after resolution reopens the case."""
    scan_interval_s: float = Field(15.0, gt=0)
    """How often the scanner looks for breached SLAs and assigns waiting cases."""
    scan_batch: int = Field(200, ge=1)
    auto_assign: bool = True
    connector_endpoints: dict[str, str] = Field(default_factory=dict)
    """Per platform, the URL agents' replies are POSTed to: ``{"x": "https://..."}``."""
    connector_timeout_s: float = Field(10.0, gt=0)
    reply_max_attempts: int = Field(8, ge=1)
    reply_first_backoff_s: float = Field(2.0, gt=0)
    reply_max_backoff_s: float = Field(300.0, gt=0)
    reply_poll_s: float = Field(1.0, gt=0)
    reply_lease_s: float = Field(60.0, gt=0)
    """A reply being sent is not picked up again before this; then it is retried."""
    spikes: SpikeRule = SpikeRule()
