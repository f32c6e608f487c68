"""Identity keys: one normal form per identity, so the same person is never two keys.

``x:20457`` (platform and author id), ``crm:C-1001``, ``email:jo@example.com`` (lower case),
``phone:+491701234567`` (E.164: the separators dropped, a leading + and 8 to 15 digits).
"""

import re
from datetime import datetime

from profiles.domain.model import Identity, IdentityKind, Profile
from rapport.errors import Unprocessable
from rapport.events import Platform, SocialIdentity

IDENTIFIER = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
PHONE_SEPARATORS = re.compile(r"[\s().-]")
PHONE = re.compile(r"^\+[1-9][0-9]{7,14}$")
PLATFORMS = {p.value for p in Platform}


class InvalidIdentity(Unprocessable, ValueError):
    """The identity is malformed; the message says how."""


def social_key(platform: str, author_id: str) -> str:
    return f"{platform}:{author_id}"


def normalise(kind: IdentityKind, value: str, platform: str | None = None) -> tuple[str, str]:
    """(key, value) of an identity, or InvalidIdentity naming what is wrong."""
    if kind == "social":
        if platform not in PLATFORMS:
            raise InvalidIdentity(f"platform must be one of {', '.join(sorted(PLATFORMS))}")
        if not IDENTIFIER.match(value):
            raise InvalidIdentity("author_id must be 1-128 letters, digits or _.:@-")
        return social_key(platform, value), value
    if platform is not None:
        raise InvalidIdentity(f"a {kind} identity has no platform")
    if kind == "crm":
        if not IDENTIFIER.match(value):
            raise InvalidIdentity("a CRM customer id must be 1-128 letters, digits or _.:@-")
        return f"crm:{value}", value
    if kind == "email":
        address = value.strip().lower()
        if len(address) > 254 or not EMAIL.match(address):
            raise InvalidIdentity("not an email address")
        return f"email:{address}", address
    number = PHONE_SEPARATORS.sub("", value)
    if not PHONE.match(number):
        raise InvalidIdentity("a phone number must be in international form, like +49 170 1234567")
    return f"phone:{number}", number


def identity(
    kind: IdentityKind,
    value: str,
    *,
    at: datetime,
    source: str,
    platform: str | None = None,
    handle: str | None = None,
    verified: bool = True,
) -> Identity:
    key, normal = normalise(kind, value, platform)
    return Identity(
        key=key,
        kind=kind,
        value=normal,
        platform=platform,
        handle=handle,
        verified=verified,
        source=source,
        linked_at=at,
    )


def social_identities(profile: Profile) -> list[SocialIdentity]:
    """The profile's social accounts, as a privacy request names them."""
    return [
        SocialIdentity(platform=i.platform, author_id=i.value)
        for i in profile.identities
        if i.kind == "social" and i.platform is not None
    ]
