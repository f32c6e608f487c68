"""Bulk imports of CSV and JSONL files, as resources with progress."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from pydantic import BaseModel

from ingest.api.deps import ImportsDep, IntakeDep
from ingest.imports.formats import CONTENT_TYPES, Format, parse
from ingest.imports.rows import ImportRefused
from ingest.ports import ImportStore, State
from ingest.use_cases import import_file
from rapport.api import require
from rapport.auth import Scope
from rapport.events import Platform
from rapport.openapi import file_body, refused

router = APIRouter(prefix="/v1/imports", tags=["imports"])
ImportId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class RowError(BaseModel):
    row: int
    line: int
    reason: str


class ImportProgress(BaseModel):
    id: str
    format: Format
    platform: Platform | None
    state: State
    reason: str | None
    read: int
    accepted: int
    duplicate: int
    suppressed: int = 0
    """Rows an erased author posted before their erasure: dropped, stored nowhere."""
    rejected: int
    processed: int = 0
    """Accepted rows analysed and handed to the outbox: the import is done when this reaches
    ``accepted`` (and ``state`` is no longer running)."""
    unanalysed: int = 0
    """Processed rows whose analysis failed: published with neutral defaults."""
    errors: list[RowError]
    """The first rejected rows (up to 1000); ``rejected`` counts them all."""
    created_at: datetime
    updated_at: datetime


def _content_type(request: Request, format: Format) -> None:
    sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if sent not in CONTENT_TYPES[format]:
        wanted = " or ".join(CONTENT_TYPES[format])
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, f"send a {format} file as {wanted}"
        )


async def _progress(store: ImportStore, import_id: str) -> ImportProgress:
    found = await store.get(import_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such import")
    return ImportProgress.model_validate({**found, "id": found["_id"]})


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Scope.INTEGRATION)],
    responses=refused(413, 415, 422),
    openapi_extra=file_body(*sorted({t for types in CONTENT_TYPES.values() for t in types})),
)
async def post_import(
    request: Request,
    response: Response,
    intake: IntakeDep,
    store: ImportsDep,
    format: Format,
    platform: Platform | None = None,
) -> ImportProgress:
    """Import a file streamed as the body; 201 once every good row is durable, with the counts
    (``processed`` follows as rows are analysed)."""
    _content_type(request, format)
    try:
        rows = await import_file.start(parse(format, request.stream(), platform))
    except ImportRefused as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    import_id = await store.create(format.value, platform.value if platform else None)
    await import_file.run(import_id, rows, intake=intake, store=store)
    response.headers["Location"] = f"{router.prefix}/{import_id}"
    return await _progress(store, import_id)


@router.get("/{import_id}", dependencies=[require(Scope.INTEGRATION)])
async def get_import(store: ImportsDep, import_id: ImportId) -> ImportProgress:
    """An import's state and counts, with the first row-level errors."""
    return await _progress(store, import_id)
