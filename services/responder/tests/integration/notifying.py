"""What the notification tests share: responder's settings pointing at the Slack stub and the
mailbox (fixtures in ``conftest``), and crisis alerts to raise."""

from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from rapport.events import CrisisAlert
from rapport.testing import Mailbox

PR_MAIL = "pr-desk@example.com"


def fast(mailbox: Mailbox, **overrides: Any) -> dict[str, Any]:
    """Settings that send at once, retry within a second and mail to ``mailbox``."""
    return {
        "notify_poll_s": 0.1,
        "notify_first_backoff_s": 0.05,
        "notify_max_backoff_s": 0.2,
        "smtp_host": "127.0.0.1",
        "smtp_port": mailbox.port,
        "scan_interval_s": 3600,
        **overrides,
    }


def crisis(at: datetime, status: str = "active", **fields: Any) -> CrisisAlert:
    return CrisisAlert.model_validate(
        {
            "alert_id": uuid4(),
            "kind": "negative_spike",
            "status": status,
            "subject": "battery",
            "observed": 14,
            "baseline": 2.5,
            "threshold": 9.0,
            "window_start": at - timedelta(minutes=15),
            "window_end": at,
            "changed_at": at,
            **fields,
        }
    )
