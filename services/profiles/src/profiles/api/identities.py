"""Verified identity links: one at a time, or a CSV file of them from the CRM."""

import csv
import io
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from profiles.api.deps import ServicesDep
from profiles.api.models import ProfileView
from profiles.api.profiles import answer
from profiles.domain.identities import InvalidIdentity, identity
from profiles.domain.model import IdentityKind
from profiles.errors import IdentityTaken
from profiles.use_cases.identity_links import import_link_row
from profiles.use_cases.identity_links import link_identity as linked
from rapport.api import JsonBody, StrictModel, require
from rapport.auth import Scope
from rapport.openapi import file_body, refused

router = APIRouter(prefix="/v1/profiles", tags=["identities"])
LINK_COLUMNS = ("crm_customer_id", "email", "phone", "platform", "author_id", "handle")


class NewIdentity(StrictModel):
    kind: IdentityKind
    value: Annotated[str, Field(min_length=1, max_length=254)]
    """The author id (social), CRM customer id, email address or phone number."""
    platform: Annotated[str, Field(max_length=32)] | None = None
    handle: Annotated[str, Field(max_length=64)] | None = None


class LinkError(BaseModel):
    row: int
    reason: str


class LinkImport(BaseModel):
    rows: int
    linked: int
    created: int
    unchanged: int
    rejected: int
    errors: list[LinkError]


@router.post(
    "/{profile_id}/identities",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Scope.INTEGRATION), JsonBody],
)
async def link_identity(
    profile_id: UUID, body: NewIdentity, services: ServicesDep, response: Response
) -> ProfileView:
    """Link a verified identity (the CRM vouches for it); 409 if another profile holds it."""
    new = identity(
        body.kind,
        body.value,
        at=services.clock(),
        source="api",
        platform=body.platform,
        handle=body.handle,
    )
    applied, resolved_from = await linked(services, profile_id, new)
    if not applied.first_time:
        response.status_code = status.HTTP_200_OK
    return await answer(services, applied, resolved_from)


@router.post(
    "/links",
    status_code=status.HTTP_200_OK,
    dependencies=[require(Scope.INTEGRATION)],
    responses=refused(413, 415, 422),
    openapi_extra=file_body("text/csv"),
)
async def import_links(request: Request, services: ServicesDep) -> LinkImport:
    """CSV (text/csv) with a header of crm_customer_id and any of email, phone, platform,
    author_id, handle: each row's identities are linked to the CRM customer's profile
    (created when new). Rows that fail are reported and change nothing."""
    sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if sent != "text/csv":
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "send the file as text/csv")
    try:
        text = (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "the file is not UTF-8"
        ) from error
    reader = csv.DictReader(io.StringIO(text))
    header = set(reader.fieldnames or ())
    if "crm_customer_id" not in header or not header <= set(LINK_COLUMNS):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "the header must have crm_customer_id and only these columns: "
            + ", ".join(LINK_COLUMNS),
        )
    result = LinkImport(rows=0, linked=0, created=0, unchanged=0, rejected=0, errors=[])
    for number, row in enumerate(reader, start=1):
        result.rows += 1
        if result.rows > services.link_import_max_rows:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE,
                f"at most {services.link_import_max_rows} rows per file",
            )
        try:
            outcome = await import_link_row(services, row)
        except (InvalidIdentity, IdentityTaken) as error:
            result.rejected += 1
            result.errors.append(LinkError(row=number, reason=str(error)))
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result
