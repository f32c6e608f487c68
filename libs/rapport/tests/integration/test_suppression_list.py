"""The suppression list on the real MongoDB: what it stores, that it outlives its process, and
which posts it refuses."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from pydantic import SecretStr

from rapport.events import PrivacyRequest, SocialIdentity
from rapport.mongo import Database, Document
from rapport.suppression import COLLECTION, Identity, Suppressing, SuppressionList
from rapport.testing import unique

pytestmark = pytest.mark.integration
PEPPER = SecretStr("integration-pepper")
ERASED_AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BEFORE, AFTER = ERASED_AT - timedelta(days=3), ERASED_AT + timedelta(seconds=1)


class Erased:
    """A service's personal data: records each erasure it was asked for."""

    def __init__(self) -> None:
        self.erased: list[PrivacyRequest] = []

    async def export(self, request: PrivacyRequest) -> dict[str, list[Document]]:
        return {}

    async def erase(self, request: PrivacyRequest) -> int:
        self.erased.append(request)
        return 1


def erasure(author: str, requested_at: datetime = ERASED_AT) -> PrivacyRequest:
    return PrivacyRequest(
        request_id=uuid4(),
        kind="erase",
        profile_id=uuid4(),
        identities=[SocialIdentity(platform="x", author_id=author)],
        requested_at=requested_at,
    )


async def known_email(request: PrivacyRequest) -> list[Identity]:
    return [Identity("email", f"{request.identities[0].author_id}@Example.com")]


async def test_an_erasure_lists_the_person_without_storing_any_identifier(
    mongo_db: Database,
) -> None:
    author, data = unique("Jo_Doe"), Erased()
    suppressing = Suppressing(data, SuppressionList(mongo_db, PEPPER), known_email)
    request = erasure(author)

    await suppressing.erase(request)

    entries = await mongo_db[COLLECTION].find().to_list()
    assert len(entries) == 3  # the author, the email, the profile id
    assert data.erased == [request]
    stored = repr(entries).casefold()
    for raw in (author.casefold(), "example", str(request.profile_id)):
        assert raw not in stored
    assert {frozenset(e) for e in entries} == {frozenset({"_id", "erased_at", "recorded_at"})}


async def test_the_list_outlives_its_process_and_refuses_only_posts_from_before_the_erasure(
    mongo_db: Database,
) -> None:
    author, bystander = unique("jo"), unique("sam")
    await Suppressing(Erased(), SuppressionList(mongo_db, PEPPER)).erase(erasure(author))
    restarted = SuppressionList(mongo_db, PEPPER)

    refused = await restarted.erased_before(
        [
            (Identity("x", author), BEFORE),
            (Identity("X", f" {author.upper()} "), BEFORE),
            (Identity("x", author), ERASED_AT),
            (Identity("x", author), AFTER),
            (Identity("facebook", author), BEFORE),
            (Identity("x", bystander), BEFORE),
        ]
    )

    assert refused == [True, True, True, False, False, False]


async def test_another_pepper_finds_nobody(mongo_db: Database) -> None:
    author = unique("jo")
    await Suppressing(Erased(), SuppressionList(mongo_db, PEPPER)).erase(erasure(author))

    other = SuppressionList(mongo_db, SecretStr("another-pepper"))

    assert await other.erased_before([(Identity("x", author), BEFORE)]) == [False]


async def test_the_erased_profile_id_is_listed_so_events_about_it_from_before_are_refused(
    mongo_db: Database,
) -> None:
    request = erasure(unique("jo"))
    await Suppressing(Erased(), SuppressionList(mongo_db, PEPPER)).erase(request)

    profile = Identity("profile", str(request.profile_id))
    refused = await SuppressionList(mongo_db, PEPPER).erased_before(
        [(profile, BEFORE), (profile, AFTER), (Identity("profile", str(uuid4())), BEFORE)]
    )

    assert refused == [True, False, False]


async def test_a_later_erasure_moves_the_line_and_an_earlier_one_does_not(
    mongo_db: Database,
) -> None:
    author = unique("jo")
    suppressing = Suppressing(Erased(), SuppressionList(mongo_db, PEPPER))
    later = ERASED_AT + timedelta(days=2)

    await suppressing.erase(erasure(author, later))
    await suppressing.erase(erasure(author, ERASED_AT))  # a redelivered older request

    posts = [(Identity("x", author), AFTER), (Identity("x", author), later + timedelta(1))]
    assert await SuppressionList(mongo_db, PEPPER).erased_before(posts) == [True, False]
