"""The platform stub of ``make run``: responder's test stub of X API v2 and Meta's Graph API
(``services/responder/tests/integration/stub_platform.py``) on 127.0.0.1, with a demo X account
and a demo Facebook page, so an agent's reply in the console is really posted somewhere. Its
log says nothing of what was posted; ``GET /2/users/1001/tweets`` with the demo token does."""

import sys

import httpx
from local_heal import Managed
from local_procs import StartupError, port_in_use, spawn
from local_profile import REPO, Profile

NAME = "platform-stub"
PORT = 8026
URL = f"http://127.0.0.1:{PORT}"
STUB = REPO / "services" / "responder" / "tests" / "integration" / "stub_platform.py"
PLATFORM_ENV = {"RAPPORT_X_API_URL": URL, "RAPPORT_GRAPH_API_URL": f"{URL}/v21.0"}
"""The settings that send responder's platform calls to the stub."""
DEMO_ACCOUNTS = {
    "x/acme_coffee": {"account_id": "1001", "access_token": "demo-x-token", "default": True},
    "facebook/acme_coffee": {"account_id": "2002", "access_token": "demo-page-token"},
    "instagram/acme_coffee": {"account_id": "2002", "access_token": "demo-page-token"},
}
"""The stub's demo tokens (its ``__main__``): the brand's accounts of the demo."""


def managed_platform_stub(profile: Profile) -> Managed:
    def listening() -> str | None:
        return None if port_in_use(PORT) else f"not listening on port {PORT}"

    def start() -> None:
        if port_in_use(PORT):
            raise StartupError(f"port {PORT} for the platform stub is taken by another process")
        cmd = [sys.executable, str(STUB), str(PORT)]
        spawn(cmd, log_path=profile.log_file(NAME), pid_path=profile.pid_file(NAME), cwd=REPO)

    return Managed(NAME, profile.pid_file(NAME), listening, start, startup_s=30)


def configure_demo_accounts(profile: Profile, token: str) -> None:
    """The brand's demo accounts in responder, answering through the stub."""
    for path, account in DEMO_ACCOUNTS.items():
        response = httpx.put(
            profile.service_url("responder") + f"/v1/accounts/{path}",
            json=account,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        if response.status_code != 200:
            raise StartupError(f"responder refused the demo account {path}: {response.text[:300]}")
    print(f"demo accounts: {', '.join(DEMO_ACCOUNTS)} answer through the stub on {URL}")
