import pytest

from profiles.domain.identities import InvalidIdentity, normalise


@pytest.mark.parametrize(
    ("kind", "value", "platform", "key"),
    [
        ("social", "20457", "x", "x:20457"),
        ("crm", "C-1001", None, "crm:C-1001"),
        ("email", " Jo@Example.COM ", None, "email:jo@example.com"),
        ("phone", "+49 (170) 123-4567", None, "phone:+491701234567"),
    ],
)
def test_each_identity_has_one_normal_form(
    kind: str, value: str, platform: str | None, key: str
) -> None:
    assert normalise(kind, value, platform)[0] == key  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "value", "platform", "reason"),
    [
        ("social", "20457", "myspace", "platform must be one of"),
        ("social", "a b", "x", "author_id must be"),
        ("crm", "C 1001", None, "CRM customer id"),
        ("crm", "C-1", "x", "has no platform"),
        ("email", "jo@", None, "not an email"),
        ("email", "jo@example", None, "not an email"),
        ("phone", "0170 1234567", None, "international form"),
        ("phone", "+1234567", None, "international form"),
        ("phone", "+1234567890123456", None, "international form"),
    ],
)
def test_malformed_identities_are_refused_with_a_reason(
    kind: str, value: str, platform: str | None, reason: str
) -> None:
    with pytest.raises(InvalidIdentity, match=reason):
        normalise(kind, value, platform)  # type: ignore[arg-type]
