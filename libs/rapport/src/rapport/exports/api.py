"""``GET /v1/privacy/exports/{request_id}``: this service's part of an export, decrypted, for
the ``privacy`` scope; every fetch is recorded (who, when) in ``export_fetches``.

Each service serves its own part, so personal data leaves a service only for the privacy
officer: no service-to-service call, no copy of everyone's data in profiles, and a service that
is down does not keep the others' parts from the officer. The router's lifespan opens the
service's database for the store and runs the sweeper that deletes expired exports.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status

from rapport.api import require
from rapport.auth import Principal, Scope
from rapport.exports.keys import UnknownKey
from rapport.exports.store import Export, ExportExpired, ExportStore, NoExport, export_store
from rapport.mongo import connect
from rapport.openapi import refused
from rapport.settings import RapportSettings
from rapport.workers import Repeat

PREFIX = "/v1/privacy/exports"


def export_path(request_id: UUID) -> str:
    """Where a service serves its part of ``request_id`` (on its own base URL)."""
    return f"{PREFIX}/{request_id}"


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: RapportSettings = app.state.settings
    mongo = connect(settings)
    store = export_store(mongo[settings.mongo_db], settings)
    app.state.export_store = store
    sweeper = Repeat(settings.export_sweep_s, store.sweep)
    sweeping = asyncio.create_task(sweeper.run(), name="export-sweeper")
    try:
        yield
    finally:
        sweeper.stop()
        await sweeping
        await mongo.close()


router = APIRouter(prefix=PREFIX, tags=["privacy"], lifespan=lifespan)
Officer = Annotated[Principal, require(Scope.PRIVACY)]


def stored_exports(request: Request) -> ExportStore:
    store: ExportStore = request.app.state.export_store
    return store


@router.get("/{request_id}", responses=refused(410))
async def fetch_export(
    who: Officer, request_id: UUID, store: Annotated[ExportStore, Depends(stored_exports)]
) -> Export:
    """This service's part of an export request, decrypted; the fetch is audited."""
    try:
        found = await store.fetch(request_id, by=who.subject)
    except NoExport as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    except (ExportExpired, UnknownKey) as error:
        raise HTTPException(status.HTTP_410_GONE, str(error)) from error
    return found
