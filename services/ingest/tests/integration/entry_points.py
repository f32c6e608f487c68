"""Every way a mention enters ingest, each fed the same flat description of a mention.

A ``Spec`` names a mention's fields once; each ``EntryPoint`` writes specs in its own format
(API JSON, X and Meta deliveries, the generic webhook, CSV, JSON Lines, TWCS) and says under
which name an error about a field shows up in that format.
"""

import calendar
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingest.signatures import sign
from rapport.testing import reference, unique

X_SECRET, META_SECRET, FORUM_SECRET = "x-consumer", "meta-app", "forum-k"
SECRETS: dict[str, Any] = {
    "x_consumer_secret": X_SECRET,
    "meta_app_secret": META_SECRET,
    "meta_verify_token": "verify-me",
    "webhook_secrets": {"forum": FORUM_SECRET},
}
Spec = dict[str, Any]
Request = dict[str, Any]
JSON_TYPE = {"content-type": "application/json"}
CSV_TYPE = {"content-type": "text/csv"}


def spec(**fields: Any) -> Spec:
    """A good mention, with ``fields`` replaced."""
    return {
        "external_id": unique("m"),
        "author_id": unique("u"),
        "display_name": "Ann Lee",
        "followers": 1520,
        "likes": 5,
        "shares": 2,
        "text": f"My Brightloop grinder broke again {reference()}",
        "created_at": "2026-11-20T09:00:00Z",
        **fields,
    }


BAD_BYTES = "@bad-bytes@"
"""In a spec's text, becomes bytes that are not UTF-8 in a JSON body."""


def _json(document: Any) -> bytes:
    raw = json.dumps(document, ensure_ascii=True).encode()  # keeps lone surrogates escaped
    return raw.replace(BAD_BYTES.encode(), b"\xff\xfe")


def mention_in(s: Spec, platform: str) -> dict[str, Any]:
    return {
        "platform": platform,
        "external_id": s["external_id"],
        "author": {
            "id": s["author_id"],
            "display_name": s["display_name"],
            "followers": s["followers"],
        },
        "text": s["text"],
        "created_at": s["created_at"],
        "engagement": {"likes": s["likes"], "shares": s["shares"]},
    }


def _api_one(specs: list[Spec]) -> Request:
    (one,) = specs
    return _post("/v1/mentions", _json(mention_in(one, "x")), JSON_TYPE)


def _api_batch(specs: list[Spec]) -> Request:
    body = {"mentions": [mention_in(s, "x") for s in specs]}
    return _post("/v1/mentions", _json(body), JSON_TYPE)


def _x(specs: list[Spec]) -> Request:
    tweets = [
        {
            "id_str": s["external_id"],
            "created_at": s["created_at"],
            "user": {
                "id_str": s["author_id"],
                "screen_name": "annlee",
                "name": s["display_name"],
                "followers_count": s["followers"],
            },
            "text": s["text"],
            "favorite_count": s["likes"],
            "retweet_count": s["shares"],
        }
        for s in specs
    ]
    body = _json({"for_user_id": "3001", "tweet_create_events": tweets})
    headers = {"x-twitter-webhooks-signature": sign(X_SECRET, body, "base64")}
    return _post("/v1/webhooks/x", body, headers | JSON_TYPE)


def _meta(specs: list[Spec]) -> Request:
    changes = [
        {
            "field": "feed",
            "value": {
                "from": {"id": s["author_id"], "name": s["display_name"]},
                "message": s["text"],
                "post_id": "1093_2201",
                "comment_id": s["external_id"],
                "created_time": s["created_at"],
                "item": "comment",
                "verb": "add",
            },
        }
        for s in specs
    ]
    body = _json({"object": "page", "entry": [{"id": "1093", "changes": changes}]})
    headers = {"X-Hub-Signature-256": sign(META_SECRET, body, "hex")}
    return _post("/v1/webhooks/meta", body, headers | JSON_TYPE)


def _generic_request(body: bytes) -> Request:
    timestamp = str(int(time.time()))
    headers = JSON_TYPE | {
        "X-Rapport-Timestamp": timestamp,
        "X-Rapport-Signature": sign(FORUM_SECRET, f"{timestamp}.".encode() + body, "hex"),
    }
    return _post("/v1/webhooks/generic/forum", body, headers)


def _generic(specs: list[Spec]) -> Request:
    return _generic_request(_json({"mentions": [mention_in(s, "forum") for s in specs]}))


CSV_COLUMNS = {  # spec field -> the generic layout's column
    "external_id": "external_id",
    "author_id": "author_id",
    "display_name": "author_name",
    "followers": "followers",
    "text": "text",
    "created_at": "created_at",
    "likes": "likes",
    "shares": "shares",
}


def _cell(value: Any) -> bytes:
    text = "" if value is None else str(value)
    return b'"' + text.replace('"', '""').encode("utf-8", "surrogatepass") + b'"'


def _csv(specs: list[Spec]) -> Request:
    lines = [",".join(CSV_COLUMNS.values()).encode()]
    lines += [b",".join(_cell(s[field]) for field in CSV_COLUMNS) for s in specs]
    return _post("/v1/imports?format=csv&platform=x", b"\n".join(lines) + b"\n", CSV_TYPE)


def _jsonl(specs: list[Spec]) -> Request:
    body = b"\n".join(_json(mention_in(s, "x")) for s in specs) + b"\n"
    return _post("/v1/imports?format=jsonl", body, {"content-type": "application/x-ndjson"})


def x_time(iso: str) -> str:
    """``iso`` the way twcs.csv writes times, any year (strftime pads none below 1000)."""
    at = datetime.fromisoformat(iso)
    day, month = calendar.day_abbr[at.weekday()], calendar.month_abbr[at.month]
    zone = f" {at.strftime('%z')}" if at.tzinfo else ""
    return f"{day} {month} {at.day:02d} {at.strftime('%H:%M:%S')}{zone} {at.year:04d}"


def _twcs(specs: list[Spec]) -> Request:
    header = b"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
    fields: list[tuple[str, Callable[[str], str]]] = [
        ("external_id", str),
        ("author_id", str),
        ("created_at", x_time),
        ("text", str),
    ]
    rows = []
    for s in specs:
        tweet, author, created_at, text = (_cell(convert(s[k])) for k, convert in fields)
        rows.append(b",".join([tweet, author, b"True", created_at, text, b"", b""]))
    return _post("/v1/imports?format=twcs", b"\n".join([header, *rows]) + b"\n", CSV_TYPE)


def _post(url: str, content: bytes, headers: dict[str, str]) -> Request:
    return {"method": "POST", "url": url, "content": content, "headers": headers}


@dataclass(frozen=True)
class EntryPoint:
    name: str
    platform: str
    request: Callable[[list[Spec]], Request]
    names: dict[str, str]
    """A spec field -> the name errors about it carry (the field itself when absent)."""
    imports: bool = False
    """Rows: a bad one is rejected with its reason, its neighbours are accepted."""
    single: bool = False
    """Takes one mention a request."""

    def named(self, field: str) -> set[str]:
        return {field, self.names.get(field, field)}


ENTRY_POINTS = [
    EntryPoint("api-one", "x", _api_one, {}, single=True),
    EntryPoint("api-batch", "x", _api_batch, {}),
    EntryPoint(
        "x-webhook",
        "x",
        _x,
        {
            "external_id": "id_str",
            "display_name": "name",
            "followers": "followers_count",
            "likes": "favorite_count",
            "shares": "retweet_count",
        },
    ),
    EntryPoint(
        "meta-webhook",
        "facebook",
        _meta,
        {
            "external_id": "comment_id",
            "display_name": "name",
            "text": "message",
            "created_at": "created_time",
        },
    ),
    EntryPoint("generic-webhook", "forum", _generic, {}),
    EntryPoint("csv-import", "x", _csv, CSV_COLUMNS, imports=True),
    EntryPoint(
        "jsonl-import",
        "x",
        _jsonl,
        {
            "display_name": "author.display_name",
            "followers": "author.followers",
            "likes": "engagement.likes",
            "shares": "engagement.shares",
        },
        imports=True,
    ),
    EntryPoint("twcs-import", "x", _twcs, {"external_id": "tweet_id"}, imports=True),
]
CARRIES = {
    "meta-webhook": {"external_id", "author_id", "display_name", "text", "created_at"},
    "twcs-import": {"external_id", "author_id", "text", "created_at"},
}
"""The spec fields an entry point's format has at all (every field when not listed)."""


def carries(entry: EntryPoint, field: str) -> bool:
    return field in CARRIES.get(entry.name, {field})
