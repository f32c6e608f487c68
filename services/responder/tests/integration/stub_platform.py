"""A stub of the platform APIs responder's connectors call, served over real HTTP: X API v2
(``/2/tweets``, ``/2/dm_conversations/with/:id/messages``, ``/2/users/:id/tweets``,
``/2/oauth2/token``) and Meta's Graph API (``/v21.0/{comment-id}/comments``,
``/{ig-comment-id}/replies``, ``/{page-id}/messages``), with their documented bodies, status
codes, rate-limit headers and error bodies. A test plans failures per endpoint (``fail``)
and reads what was posted (``posts``).

``python stub_platform.py PORT`` serves it alone (``make run``'s demo account points at it)."""

import itertools
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import parse_qs

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

GRAPH = "/v21.0"
Failure = Literal["rate_limited", "server_error", "posted_then_server_error"]
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
DELETED = "You attempted to reply to a Tweet that is deleted or not visible to you."


@dataclass
class Post:
    endpoint: str
    id: str
    author: str
    text: str
    parent: str | None


@dataclass
class StubPlatform:
    tokens: dict[str, str] = field(default_factory=dict)
    """Valid access token -> the X user or Facebook page it acts as."""
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    usernames: dict[str, str] = field(default_factory=dict)
    """An Instagram account's username, by the page it acts through."""
    deleted: set[str] = field(default_factory=set)
    posts: list[Post] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    """``METHOD endpoint`` of every authorised call, in order."""
    planned: dict[str, list[Failure]] = field(default_factory=dict)
    reset_at: int = 0
    """The ``x-rate-limit-reset`` (epoch s) X answers; Meta's wait is ``regain_minutes``."""
    regain_minutes: int = 0
    remaining: int = 100

    def fail(self, endpoint: str, *failures: Failure) -> None:
        self.planned.setdefault(endpoint, []).extend(failures)

    def posted(self, endpoint: str) -> list[Post]:
        return [post for post in self.posts if post.endpoint == endpoint]

    def app(self) -> FastAPI:
        app = FastAPI()
        ids = itertools.count(1_000_000_000_000_000_001)

        async def authorised(request: Request, endpoint: str) -> str | JSONResponse:
            header = request.headers.get("authorization", "")
            token = header.removeprefix("Bearer ") or request.query_params.get("access_token")
            who = self.tokens.get(token or "")
            x = not endpoint.startswith("graph")
            if who is None:
                return _x_problem(401, "Unauthorized") if x else _graph_expired()
            self.calls.append(f"{request.method} {endpoint}")
            return who

        def planned(endpoint: str) -> Failure | None:
            queue = self.planned.get(endpoint, [])
            return queue.pop(0) if queue else None

        def x_headers() -> dict[str, str]:
            return {
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": str(self.remaining),
                "x-rate-limit-reset": str(self.reset_at or int(time.time()) + 900),
            }

        def x_failure(failure: Failure | None) -> JSONResponse | None:
            if failure == "rate_limited":
                problem = _x_problem(429, "Too Many Requests")
                problem.headers.update({**x_headers(), "x-rate-limit-remaining": "0"})
                return problem
            if failure is not None and failure != "posted_then_server_error":
                return _x_problem(503, "Service Unavailable")
            return None

        @app.post("/2/tweets")
        async def create_tweet(request: Request) -> JSONResponse:
            who = await authorised(request, "tweets")
            if isinstance(who, JSONResponse):
                return who
            failure = planned("tweets")
            if (refused := x_failure(failure)) is not None:
                return refused
            body = await request.json()
            text, reply = body.get("text"), body.get("reply") or {}
            if not isinstance(text, str) or set(body) - {"text", "reply"}:
                return _x_problem(400, "One or more parameters to your request was invalid.")
            parent = reply.get("in_reply_to_tweet_id")
            if parent in self.deleted:
                return _x_problem(403, DELETED)
            if any(p.text == text and p.author == who for p in self.posted("tweets")):
                return _x_problem(403, DUPLICATE)
            tweet = Post("tweets", str(next(ids)), who, text, parent)
            self.posts.append(tweet)
            if failure == "posted_then_server_error":
                return _x_problem(503, "Service Unavailable")
            data = {"id": tweet.id, "text": text, "edit_history_tweet_ids": [tweet.id]}
            return JSONResponse({"data": data}, status_code=201, headers=x_headers())

        @app.post("/2/dm_conversations/with/{participant_id}/messages")
        async def send_dm(participant_id: str, request: Request) -> JSONResponse:
            who = await authorised(request, "dm")
            if isinstance(who, JSONResponse):
                return who
            if (refused := x_failure(planned("dm"))) is not None:
                return refused
            text = (await request.json()).get("text")
            event = Post("dm", str(next(ids)), who, text, participant_id)
            self.posts.append(event)
            data = {"dm_conversation_id": f"{participant_id}-{who}", "dm_event_id": event.id}
            return JSONResponse({"data": data}, status_code=201, headers=x_headers())

        @app.get("/2/users/{user_id}/tweets")
        async def timeline(user_id: str, request: Request) -> JSONResponse:
            who = await authorised(request, "timeline")
            if isinstance(who, JSONResponse):
                return who
            mine = [p for p in reversed(self.posted("tweets")) if p.author == user_id]
            data = [
                {
                    "id": p.id,
                    "text": p.text,
                    "edit_history_tweet_ids": [p.id],
                    **(
                        {"referenced_tweets": [{"type": "replied_to", "id": p.parent}]}
                        if p.parent
                        else {}
                    ),
                }
                for p in mine
            ]
            meta: dict[str, Any] = {"result_count": len(data)}
            if data:
                meta |= {"newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}
                return JSONResponse({"data": data, "meta": meta}, headers=x_headers())
            return JSONResponse({"meta": meta}, headers=x_headers())

        @app.post("/2/oauth2/token")
        async def token(request: Request) -> JSONResponse:
            form = await _form(request)
            who = self.refresh_tokens.pop(str(form.get("refresh_token")), None)
            if form.get("grant_type") != "refresh_token" or who is None:
                description = "Value passed for the token was invalid."
                body = {"error": "invalid_request", "error_description": description}
                return JSONResponse(body, status_code=400)
            access, refresh = f"access-{next(ids)}", f"refresh-{next(ids)}"
            self.tokens[access], self.refresh_tokens[refresh] = who, who
            self.calls.append("POST token")
            answer = {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": access,
                "scope": "tweet.read tweet.write users.read dm.write offline.access",
                "refresh_token": refresh,
            }
            return JSONResponse(answer)

        def graph_failure(failure: Failure | None) -> JSONResponse | None:
            if failure == "rate_limited":
                usage = {"1": [{"type": "pages", "estimated_time_to_regain_access": 0}]}
                usage["1"][0]["estimated_time_to_regain_access"] = self.regain_minutes
                headers = {"x-business-use-case-usage": json.dumps(usage)}
                return _graph_error(400, 32, "Page request limit reached", headers=headers)
            if failure is not None and failure != "posted_then_server_error":
                return _graph_server_error()
            return None

        async def graph_comment(object_id: str, edge: str, request: Request) -> JSONResponse:
            who = await authorised(request, f"graph {edge}")
            if isinstance(who, JSONResponse):
                return who
            failure = planned(edge)
            if (refused := graph_failure(failure)) is not None:
                return refused
            if object_id in self.deleted:
                message = (
                    f"Unsupported post request. Object with ID '{object_id}' does not exist, "
                    "cannot be loaded due to missing permissions, or does not support this "
                    "operation."
                )
                return _graph_error(400, 100, message, subcode=33, kind="GraphMethodException")
            text = (await _params(request)).get("message")
            if not isinstance(text, str) or not text:
                return _graph_error(400, 100, "(#100) The parameter message is required")
            post = Post(edge, f"{object_id}_{next(ids)}", who, text, object_id)
            self.posts.append(post)
            if failure == "posted_then_server_error":
                return _graph_server_error()
            return JSONResponse({"id": post.id})

        @app.post(GRAPH + "/{object_id}/comments")
        async def facebook_comment(object_id: str, request: Request) -> JSONResponse:
            return await graph_comment(object_id, "comments", request)

        @app.post(GRAPH + "/{object_id}/replies")
        async def instagram_reply(object_id: str, request: Request) -> JSONResponse:
            return await graph_comment(object_id, "replies", request)

        @app.get(GRAPH + "/{object_id}/{edge}")
        async def list_comments(object_id: str, edge: str, request: Request) -> JSONResponse:
            who = await authorised(request, f"graph list {edge}")
            if isinstance(who, JSONResponse):
                return who
            found = [p for p in self.posted(edge) if p.parent == object_id]
            data: list[dict[str, Any]]
            if edge == "comments":
                data = [{"id": p.id, "message": p.text, "from": {"id": p.author}} for p in found]
            else:
                data = [
                    {"id": p.id, "text": p.text, "username": self.usernames.get(p.author)}
                    for p in found
                ]
            return JSONResponse({"data": data})

        @app.post(GRAPH + "/{page_id}/messages")
        async def send_message(page_id: str, request: Request) -> JSONResponse:
            who = await authorised(request, "graph messages")
            if isinstance(who, JSONResponse):
                return who
            if (refused := graph_failure(planned("messages"))) is not None:
                return refused
            body = await request.json()
            recipient = (body.get("recipient") or {}).get("id")
            text = (body.get("message") or {}).get("text")
            if who != page_id or not recipient or not isinstance(text, str):
                return _graph_error(400, 100, "(#100) Invalid parameter")
            post = Post("messages", f"m_{next(ids)}", page_id, text, recipient)
            self.posts.append(post)
            return JSONResponse({"recipient_id": recipient, "message_id": post.id})

        return app


async def _params(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        found = await request.json()
        return found if isinstance(found, dict) else {}
    return await _form(request)


async def _form(request: Request) -> dict[str, Any]:
    """An ``application/x-www-form-urlencoded`` body's fields."""
    return {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}


def _x_problem(status: int, detail: str) -> JSONResponse:
    titles = {400: "Invalid Request", 401: "Unauthorized", 403: "Forbidden"}
    title = titles.get(status, detail)
    body = {"title": title, "detail": detail, "type": "about:blank", "status": status}
    return JSONResponse(body, status_code=status)


def _graph_error(
    status: int,
    code: int,
    message: str,
    *,
    subcode: int | None = None,
    kind: str = "OAuthException",
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "AbCdEfGhIjK"
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def _graph_expired() -> JSONResponse:
    message = "Error validating access token: Session has expired."
    return _graph_error(400, 190, message, subcode=463)


def _graph_server_error() -> JSONResponse:
    body = {
        "error": {
            "message": "An unexpected error has occurred. Please retry your request later.",
            "type": "OAuthException",
            "is_transient": True,
            "code": 2,
            "fbtrace_id": "AbCdEfGhIjK",
        }
    }
    return JSONResponse(body, status_code=500)


class Servable(Protocol):
    def app(self) -> FastAPI: ...


@contextmanager
def serving(stub: Servable, port: int = 0) -> Iterator[str]:
    """A stub (this one, or any with an ``app()``) on 127.0.0.1 (a free port by default) in a
    thread; its base URL."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    config = uvicorn.Config(stub.app(), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the stub platform did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


if __name__ == "__main__":
    demo = StubPlatform(tokens={"demo-x-token": "1001", "demo-page-token": "2002"})
    with serving(demo, int(sys.argv[1])) as url:
        print(f"stub platform on {url}", flush=True)
        threading.Event().wait()
