"""What routes are given: the ports (stores, code sender, rules, clock, relay) and the API's
own settings."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from profiles.ports import Ports


@dataclass(frozen=True)
class Services(Ports):
    privacy_services: tuple[str, ...] = ()
    """The services a privacy request asks."""
    link_import_max_rows: int = 10_000


def get_services(request: Request) -> Services:
    found: Services | None = getattr(request.app.state, "services", None)
    if found is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "profiles is starting")
    return found


ServicesDep = Annotated[Services, Depends(get_services)]
