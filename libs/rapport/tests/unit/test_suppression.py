# mypy: disable-error-code="arg-type"
# (in-memory stand-ins for the suppression list and its database)
"""The suppression list's identities: one spelling each, whatever the case, width or spacing."""

import pytest
from pydantic import SecretStr, ValidationError

from rapport.settings import Environment, RapportSettings
from rapport.suppression import Identity, SuppressionList, normalised

PEPPER = SecretStr("unit-pepper")


@pytest.mark.parametrize(
    ("odd", "plain"),
    [
        (Identity("X", "JoDoe"), Identity("x", "jodoe")),
        (Identity(" x ", "\tjodoe\n"), Identity("x", "jodoe")),
        (Identity("x", "ｊｏｄｏｅ"), Identity("x", "jodoe")),  # fullwidth
        (Identity("x", "jo\u200bdoe\u200d"), Identity("x", "jodoe")),  # zero-width characters
        (Identity("x", "jo\u00a0doe"), Identity("x", "jodoe")),  # no-break space
        (Identity("email", "Jo.Doe@Example.COM "), Identity("email", "jo.doe@example.com")),
        (Identity("email", "STRASSE@example.com"), Identity("email", "straße@example.com")),
        (Identity("phone", "+44 (20) 7946-0000"), Identity("phone", "+442079460000")),
        (Identity("phone", "+４４２０７９４６００００"), Identity("phone", "+442079460000")),
        (Identity("x", "e\u0301"), Identity("x", "\u00e9")),  # decomposed and composed é
    ],
)
def test_odd_spellings_of_one_identity_normalise_and_hash_alike(
    odd: Identity, plain: Identity
) -> None:
    suppressions = SuppressionList({"suppressed": None}, PEPPER)

    assert normalised(odd) == normalised(plain)
    assert suppressions.digest(odd) == suppressions.digest(plain)


def test_different_identities_hash_apart() -> None:
    suppressions = SuppressionList({"suppressed": None}, PEPPER)
    identities = [
        Identity("x", "jodoe"),
        Identity("facebook", "jodoe"),
        Identity("x", "jodoe2"),
        Identity("email", "jodoe@example.com"),
        Identity("phone", "+442079460000"),
        Identity("phone", "+442079460001"),
    ]

    assert len({suppressions.digest(i) for i in identities}) == len(identities)


def test_a_digest_depends_on_the_pepper_and_shows_no_part_of_the_identity() -> None:
    one = SuppressionList({"suppressed": None}, PEPPER)
    other = SuppressionList({"suppressed": None}, SecretStr("another"))
    identity = Identity("email", "jodoe@example.com")

    digest = one.digest(identity)

    assert digest != other.digest(identity)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert "jodoe" not in digest
    assert "example" not in digest


def test_production_refuses_to_start_without_a_pepper_of_its_own() -> None:
    with pytest.raises(ValidationError, match="RAPPORT_SUPPRESSION_PEPPER"):
        RapportSettings(environment=Environment.PRODUCTION)
    with pytest.raises(ValidationError, match="RAPPORT_SUPPRESSION_PEPPER"):
        RapportSettings(environment=Environment.PRODUCTION, suppression_pepper=SecretStr(""))

    chosen = RapportSettings(environment=Environment.PRODUCTION, suppression_pepper=PEPPER)

    assert chosen.suppression_pepper == PEPPER
    assert RapportSettings(environment=Environment.TEST).suppression_pepper.get_secret_value()
