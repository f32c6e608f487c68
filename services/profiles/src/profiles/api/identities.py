"""Verified identity links: one at a time, or a CSV file of them from the CRM."""

import csv
import io
from typing import Annotated, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from profiles.api.deps import Services, ServicesDep
from profiles.api.models import ProfileView
from profiles.api.profiles import answer
from profiles.domain.identities import InvalidIdentity, identity
from profiles.domain.model import Identity, IdentityKind, Profile
from profiles.domain.recording import add_identity
from profiles.errors import IdentityTaken
from profiles.ports import Applied, Change, profile_id_for
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


async def link(
    services: Services, profile_id: UUID, new: Identity, source: str
) -> tuple[Applied, UUID | None]:
    _, resolved_from = await services.live(profile_id)
    announcer = services.announcer(str(uuid4()))

    def decide(before: Profile | None) -> Change | None:
        assert before is not None
        return announcer.change(before, add_identity(before, new))

    applied = await services.profiles.link(profile_id, new.key, new.kind, decide)
    return applied, resolved_from


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
    applied, resolved_from = await link(services, profile_id, new, "api")
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
            outcome = await link_row(services, row)
        except (InvalidIdentity, IdentityTaken) as error:
            result.rejected += 1
            result.errors.append(LinkError(row=number, reason=str(error)))
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


Outcome = Literal["linked", "created", "unchanged"]


async def link_row(services: Services, row: dict[str, str | None]) -> Outcome:
    """Validate the whole row first, so a bad row changes nothing."""
    now = services.clock()
    value = {k: (v or "").strip() for k, v in row.items() if k}
    crm = identity("crm", value["crm_customer_id"], at=now, source="import")
    wanted = [crm]
    for kind in ("email", "phone"):
        if value.get(kind):
            wanted.append(identity(kind, value[kind], at=now, source="import"))
    if value.get("platform") or value.get("author_id"):
        wanted.append(
            identity(
                "social",
                value.get("author_id", ""),
                at=now,
                source="import",
                platform=value.get("platform"),
                handle=value.get("handle") or None,
            )
        )
    for new in wanted:
        owner = await services.queries.by_identity(new.key)
        if owner is not None and owner.identity(crm.key) is None:
            raise IdentityTaken(new.kind, owner.id)
    profile_id = profile_id_for(crm.key)
    outcome: Outcome = "unchanged"
    if await services.queries.by_identity(crm.key) is None:
        new_profile = Profile(id=profile_id, identities=[crm], created_at=now)
        await services.profiles.create(services.announcer("api").change(None, new_profile))
        services.relay_now()
        outcome = "created"
    owner = await services.queries.by_identity(crm.key)
    assert owner is not None
    for new in wanted[1:]:
        applied, _ = await link(services, owner.id, new, "import")
        await answer(services, applied)
        if applied.first_time and outcome == "unchanged":
            outcome = "linked"
    return outcome
