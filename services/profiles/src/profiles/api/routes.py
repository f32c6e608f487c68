from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel

from profiles.repository import ProfileRepository
from rapport.api import require
from rapport.auth import Scope

router = APIRouter(prefix="/v1", tags=["profiles"])


class Identity(BaseModel):
    key: str
    handle: str | None
    verified: bool


class Profile(BaseModel):
    profile_id: UUID
    stage: str
    mention_count: int
    first_seen: datetime
    last_seen: datetime
    identities: list[Identity]


def _profile(doc: dict[str, Any]) -> Profile:
    return Profile(profile_id=doc["_id"], **{k: doc[k] for k in Profile.model_fields if k in doc})


@router.get("/profiles/{profile_id}", dependencies=[require(Scope.AGENT, Scope.INTEGRATION)])
async def get_profile(request: Request, profile_id: UUID) -> Profile:
    """One customer profile."""
    profiles: ProfileRepository = request.app.state.profiles
    doc = await profiles.get(profile_id)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such profile")
    return _profile(doc)
