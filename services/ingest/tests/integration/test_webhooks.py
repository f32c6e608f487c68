"""Webhooks in-process against the real database: verified deliveries are archived, brand
replies recognised, copy-paste floods flagged; bad requests are refused and change nothing."""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest.adapters.flood_store import MongoFloodSightings
from ingest.adapters.replay_store import Replayed, ReplayGuard
from ingest.domain.floods import FloodRule
from ingest.domain.normalize import MentionIn
from ingest.settings import IngestSettings
from ingest.signatures import sign
from ingest.use_cases.flag_floods import Floods
from ingest.use_cases.intake import BrandAccounts, provisional
from rapport.events import Intent, Source
from rapport.mongo import Database
from rapport.testing import unique
from services.ingest.tests.integration.analysis_stage import analysed as archived

pytestmark = pytest.mark.integration
FIXTURES = Path(__file__).parents[1] / "fixtures" / "webhooks"
X_SECRET, META_SECRET, META_TOKEN, FORUM_SECRET = "x-consumer", "meta-app", "verify-me", "forum-k"
SECRETS: dict[str, Any] = {
    "x_consumer_secret": X_SECRET,
    "meta_app_secret": META_SECRET,
    "meta_verify_token": META_TOKEN,
    "webhook_secrets": {"forum": FORUM_SECRET},
}
COLLECTIONS = ("mentions", "outbox", "webhook_signatures", "flood_fingerprints")


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {**settings, "max_body_bytes": 64 * 1024}


@pytest.fixture
async def client(settings: dict[str, Any], serve: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(IngestSettings(**settings, **SECRETS)) as http:
        yield http


async def counts(db: Database) -> dict[str, int]:
    return {name: await db[name].count_documents({}) for name in COLLECTIONS}


NOTHING = dict.fromkeys(COLLECTIONS, 0)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def x_post(body: bytes, signature: str | None = None) -> dict[str, Any]:
    signature = signature or sign(X_SECRET, body, "base64")
    headers = {"content-type": "application/json", "x-twitter-webhooks-signature": signature}
    return {"content": body, "headers": headers}


def meta_post(body: bytes, signature: str | None = None) -> dict[str, Any]:
    signature = signature or sign(META_SECRET, body, "hex")
    headers = {"content-type": "application/json", "X-Hub-Signature-256": signature}
    return {"content": body, "headers": headers}


def generic_post(body: Any, *, at: float | None = None, secret: str = FORUM_SECRET) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    timestamp = str(int(time.time() if at is None else at))
    headers = {
        "content-type": "application/json",
        "X-Rapport-Timestamp": timestamp,
        "X-Rapport-Signature": sign(secret, f"{timestamp}.".encode() + raw, "hex"),
    }
    return {"content": raw, "headers": headers}


class TestX:
    async def test_the_crc_answer_is_the_hmac_of_the_token(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/webhooks/x", params={"crc_token": "challenge-123"})
        assert response.status_code == 200
        assert response.json() == {"response_token": sign(X_SECRET, b"challenge-123", "base64")}

    async def test_a_delivery_is_archived_with_brand_replies_recognised(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        response = await client.post(
            "/v1/webhooks/x", **x_post(fixture("x_tweet_create_events.json"))
        )
        assert response.status_code == 200
        assert response.json() == {"accepted": 3, "duplicates": 0, "ignored": 2}
        mention = await archived(mongo_db, "x:1851000000000000001")
        assert mention["source"] == "webhook"
        assert mention["from_brand"] is False
        assert mention["author"]["handle"] == "annlee"
        reply = await archived(mongo_db, "x:1851000000000000002")
        assert (reply["from_brand"], reply["in_reply_to"]) == (True, "1851000000000000001")
        quote = await archived(mongo_db, "x:1851000000000000003")
        assert (quote["from_brand"], quote["quote_of"]) == (False, "1851000000000000002")

        again = await client.post("/v1/webhooks/x", **x_post(fixture("x_tweet_create_events.json")))
        assert again.json() == {"accepted": 0, "duplicates": 3, "ignored": 2}
        assert (await counts(mongo_db))["mentions"] == 3

    @pytest.mark.parametrize(
        ("signature", "reason"),
        [
            ("", "missing x-twitter-webhooks-signature header"),
            ("sha256=AAAA", "x-twitter-webhooks-signature does not match the body"),
            (sign("not-the-secret", b"{}", "base64"), "does not match the body"),
        ],
    )
    async def test_a_badly_signed_delivery_is_refused(
        self, client: httpx.AsyncClient, mongo_db: Database, signature: str, reason: str
    ) -> None:
        body = fixture("x_tweet_create_events.json")
        request = x_post(body)
        if signature:
            request["headers"]["x-twitter-webhooks-signature"] = signature
        else:
            del request["headers"]["x-twitter-webhooks-signature"]
        response = await client.post("/v1/webhooks/x", **request)
        assert response.status_code == 401
        assert reason in response.json()["detail"]
        assert await counts(mongo_db) == NOTHING

    async def test_a_tampered_body_is_refused(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        body = fixture("x_tweet_create_events.json")
        request = x_post(body)
        request["content"] = body.replace(b"Not happy", b"Very happy")
        assert (await client.post("/v1/webhooks/x", **request)).status_code == 401
        assert await counts(mongo_db) == NOTHING

    async def test_malformed_deliveries_get_422_with_the_reason(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        broken = await client.post("/v1/webhooks/x", **x_post(b'{"tweet_create_events": ['))
        assert broken.status_code == 422
        assert broken.json()["detail"][0]["type"] == "json_invalid"
        payload = json.loads(fixture("x_tweet_create_events.json"))
        del payload["tweet_create_events"][2]["user"]
        missing = await client.post("/v1/webhooks/x", **x_post(json.dumps(payload).encode()))
        assert missing.status_code == 422
        assert missing.json()["detail"][0]["loc"] == ["body", "tweet_create_events", 2, "user"]
        assert await counts(mongo_db) == NOTHING

    async def test_wrong_content_type_and_oversize_bodies_are_refused(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        request = x_post(b"tweet_create_events=1")
        request["headers"]["content-type"] = "application/x-www-form-urlencoded"
        assert (await client.post("/v1/webhooks/x", **request)).status_code == 415
        huge = json.dumps({"tweet_create_events": [], "pad": "x" * 70_000}).encode()
        assert (await client.post("/v1/webhooks/x", **x_post(huge))).status_code == 413
        assert await counts(mongo_db) == NOTHING


class TestMeta:
    async def test_the_subscription_handshake_echoes_the_challenge(
        self, client: httpx.AsyncClient
    ) -> None:
        params = {"hub.mode": "subscribe", "hub.verify_token": META_TOKEN, "hub.challenge": "1158"}
        response = await client.get("/v1/webhooks/meta", params=params)
        assert (response.status_code, response.text) == (200, "1158")
        assert response.headers["content-type"].startswith("text/plain")
        wrong = await client.get("/v1/webhooks/meta", params={**params, "hub.verify_token": "no"})
        assert wrong.status_code == 403
        unsubscribe = await client.get("/v1/webhooks/meta", params={**params, "hub.mode": "x"})
        assert unsubscribe.status_code == 403

    async def test_page_and_instagram_deliveries_are_archived(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        page = await client.post("/v1/webhooks/meta", **meta_post(fixture("meta_page_feed.json")))
        assert page.json() == {"accepted": 4, "duplicates": 0, "ignored": 1}
        insta = await client.post("/v1/webhooks/meta", **meta_post(fixture("meta_instagram.json")))
        assert insta.json() == {"accepted": 1, "duplicates": 0, "ignored": 1}
        page_reply = await archived(mongo_db, "facebook:2201_8802")
        assert page_reply["from_brand"] is True
        assert (await archived(mongo_db, "facebook:2201_8801"))["from_brand"] is False
        comment = await archived(mongo_db, "instagram:17860000000000001")
        assert comment["language"] == "ko"

    async def test_a_badly_signed_delivery_is_refused(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        body = fixture("meta_page_feed.json")
        forged = meta_post(body, signature=sign("guess", body, "hex"))
        response = await client.post("/v1/webhooks/meta", **forged)
        assert response.status_code == 401
        assert response.json()["detail"] == "X-Hub-Signature-256 does not match the body"
        assert await counts(mongo_db) == NOTHING


class TestGeneric:
    def review(self, **fields: Any) -> dict[str, Any]:
        return {
            "platform": "forum",
            "external_id": unique("post"),
            "author": {"id": "u-1", "handle": "dana"},
            "text": "The pump on my Brightloop rattles after descaling",
            "created_at": "2026-11-20T09:00:00Z",
            **fields,
        }

    async def test_a_signed_post_is_accepted_once(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        request = generic_post({"mentions": [self.review(), self.review()]})
        response = await client.post("/v1/webhooks/generic/forum", **request)
        assert response.status_code == 202
        assert response.json() == {"accepted": 2, "duplicates": 0, "ignored": 0}
        replayed = await client.post("/v1/webhooks/generic/forum", **request)
        assert replayed.status_code == 409
        assert (await counts(mongo_db))["mentions"] == 2

    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            ({"at": time.time() - 301}, "X-Rapport-Timestamp is outside the 300 s replay window"),
            ({"at": time.time() + 3600}, "outside the 300 s replay window"),
            ({"secret": "guessed"}, "X-Rapport-Signature does not match the body"),
        ],
    )
    async def test_stale_or_forged_requests_get_401(
        self, client: httpx.AsyncClient, mongo_db: Database, change: dict[str, Any], reason: str
    ) -> None:
        response = await client.post(
            "/v1/webhooks/generic/forum", **generic_post(self.review(), **change)
        )
        assert response.status_code == 401
        assert reason in response.json()["detail"]
        assert await counts(mongo_db) == NOTHING

    async def test_a_missing_timestamp_gets_401(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        request = generic_post(self.review())
        del request["headers"]["X-Rapport-Timestamp"]
        response = await client.post("/v1/webhooks/generic/forum", **request)
        assert (response.status_code, response.json()["detail"]) == (
            401,
            "missing X-Rapport-Timestamp header",
        )
        assert await counts(mongo_db) == NOTHING

    async def test_an_unknown_source_is_404(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        response = await client.post("/v1/webhooks/generic/yelp", **generic_post(self.review()))
        assert response.status_code == 404
        assert response.json()["detail"] == "no webhook is configured for 'yelp'"
        assert await counts(mongo_db) == NOTHING

    @pytest.mark.parametrize(
        ("body", "loc"),
        [
            ({"stars": 3}, ["body", "one", "stars"]),
            ({"platform": "x"}, ["body", "one", "platform"]),
            ({"created_at": "yesterday"}, ["body", "one", "created_at"]),
        ],
    )
    async def test_bad_bodies_get_422_with_the_reason(
        self,
        client: httpx.AsyncClient,
        mongo_db: Database,
        body: dict[str, Any],
        loc: list[Any],
    ) -> None:
        response = await client.post(
            "/v1/webhooks/generic/forum", **generic_post(self.review(**body))
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == loc
        assert await counts(mongo_db) == NOTHING


class TestNotConfigured:
    async def test_unset_secrets_get_503_with_the_setting_to_set(
        self, settings: dict[str, Any], serve: Any, mongo_db: Database
    ) -> None:
        async with serve(IngestSettings(**settings)) as http:
            crc = await http.get("/v1/webhooks/x", params={"crc_token": "t"})
            assert crc.status_code == 503
            assert "RAPPORT_X_CONSUMER_SECRET" in crc.json()["detail"]
            body = fixture("meta_page_feed.json")
            meta = await http.post("/v1/webhooks/meta", **meta_post(body))
            assert meta.status_code == 503
            assert "RAPPORT_META_APP_SECRET" in meta.json()["detail"]
            params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
            assert (await http.get("/v1/webhooks/meta", params=params)).status_code == 503
        assert await counts(mongo_db) == NOTHING


class TestFloods:
    def post(self, author: str, text: str, minute: int = 0) -> dict[str, Any]:
        return {
            "platform": "forum",
            "external_id": unique("p"),
            "author": {"id": author},
            "text": text,
            "created_at": f"2026-11-20T09:{minute:02d}:00Z",
        }

    async def intents(self, db: Database, post: dict[str, Any]) -> list[str]:
        return list((await archived(db, f"forum:{post['external_id']}"))["intents"])

    async def send(self, client: httpx.AsyncClient, *posts: dict[str, Any]) -> None:
        response = await client.post(
            "/v1/webhooks/generic/forum", **generic_post({"mentions": list(posts)})
        )
        assert response.status_code == 202, response.text

    async def test_the_third_author_posting_the_same_text_is_spam(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        # ordinary texts, so that only the flood (not the intent classifier) can mark them spam
        text = "The Brightloop grinder has a new espresso setting, see http://b.example/{}"
        first, second = self.post("a", text.format(1)), self.post("b", text.format(2), 4)
        again = self.post("a", "the BRIGHTLOOP grinder has a new espresso setting!!", 5)
        third = self.post("c", text.format(3) + " @brightloop", 9)
        for post in (first, second, again, third):
            await self.send(client, post)
        assert "spam" not in await self.intents(mongo_db, first)
        assert "spam" not in await self.intents(mongo_db, second)
        assert "spam" not in await self.intents(mongo_db, again)  # still only two authors
        assert "spam" in await self.intents(mongo_db, third)

    async def test_copies_outside_the_window_or_too_short_are_not(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        text = "My Brightloop makes a lovely flat white every morning"
        old = self.post("a", text, 0)
        later = [self.post("b", text, 11), self.post("c", text, 12)]
        thanks = [self.post(author, "Thank you so much!", 1) for author in "def"]
        await self.send(client, old, *later, *thanks)
        assert "spam" not in await self.intents(mongo_db, old)
        assert ["spam" in await self.intents(mongo_db, p) for p in later] == [False, False]
        assert not any(["spam" in await self.intents(mongo_db, p) for p in thanks])

    async def test_a_batch_reaching_the_threshold_is_flagged_whole(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        text = "Just made my first latte with the Brightloop and it tastes great"
        posts = [self.post(author, text, 30) for author in "xyz"]
        await self.send(client, *posts)
        assert all(["spam" in await self.intents(mongo_db, p) for p in posts])

    async def test_brand_replies_are_never_counted(
        self, settings: dict[str, Any], serve: Any, mongo_db: Database
    ) -> None:
        brand = ["forum:brightloop-care", "forum:brightloop-team"]
        text = "Sorry to hear that, please send us a direct message with your order number"
        posts = [self.post("brightloop-care", text, 40), self.post("brightloop-team", text, 41)]
        customer = self.post("c", text, 42)
        async with serve(IngestSettings(**settings, **SECRETS, brand_accounts=brand)) as http:
            await self.send(http, *posts)
            await self.send(http, customer)
            assert "spam" not in await self.intents(mongo_db, customer)
            assert (await archived(mongo_db, f"forum:{posts[0]['external_id']}"))["from_brand"]


class TestSharedState:
    async def test_replay_claims_and_flood_marks_expire_by_ttl(
        self, client: httpx.AsyncClient, mongo_db: Database
    ) -> None:
        for collection in ("webhook_signatures", "flood_fingerprints"):
            indexes = await mongo_db[collection].index_information()
            assert indexes["expires_at_1"]["expireAfterSeconds"] == 0

    async def test_a_claim_is_released_when_processing_fails(self, mongo_db: Database) -> None:
        guard = ReplayGuard(mongo_db)
        expires_at = time.time() + 60
        with pytest.raises(RuntimeError):
            async with guard.first_use("forum:sig", expires_at=expires_at):
                raise RuntimeError("the database went away")
        async with guard.first_use("forum:sig", expires_at=expires_at):
            pass
        with pytest.raises(Replayed):
            async with guard.first_use("forum:sig", expires_at=expires_at):
                pass

    async def test_replicas_share_the_flood_count(self, mongo_db: Database) -> None:
        rule = FloodRule()
        replicas = [Floods(MongoFloodSightings(mongo_db, keep=rule.window), rule) for _ in range(3)]
        text = "The Brightloop store on Main Street opens at nine tomorrow"
        mentions = [
            provisional(
                MentionIn.model_validate(
                    {
                        "platform": "forum",
                        "external_id": f"flood-{author}",
                        "author": {"id": author},
                        "text": text,
                        "created_at": "2026-11-20T10:00:00Z",
                    }
                ),
                brand=BrandAccounts([]),
                source=Source.API,
            )
            for author in "abc"
        ]
        assert not any(Intent.SPAM in m.intents for m in mentions)  # only a flood can make it so
        flagged = await asyncio.gather(
            *(replica.flag([m]) for replica, m in zip(replicas, mentions, strict=True))
        )
        assert any(Intent.SPAM in result[0].intents for result in flagged)
        assert await mongo_db["flood_fingerprints"].count_documents({}) == 3
