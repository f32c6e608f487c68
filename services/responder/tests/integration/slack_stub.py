"""A stub of Slack's incoming webhooks, served over real HTTP by ``stub_platform.serving``:
``POST /hooks/{hook}`` answers 200 ``ok`` and keeps the body, unless a test planned other
answers for the hook (``plan``): 429 with ``Retry-After``, 500, 404 ``no_service``..."""

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

Answer = tuple[int, str, dict[str, str]]
RATE_LIMITED: Answer = (429, "rate_limited", {"Retry-After": "1"})
SERVER_ERROR: Answer = (500, "internal_error", {})
NO_SERVICE: Answer = (404, "no_service", {})


@dataclass
class SlackStub:
    planned: dict[str, list[Answer]] = field(default_factory=dict)
    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Per hook, the bodies it answered ``ok`` to."""
    calls: dict[str, int] = field(default_factory=dict)

    def plan(self, hook: str, *answers: Answer) -> None:
        self.planned.setdefault(hook, []).extend(answers)

    def texts(self, hook: str) -> list[str]:
        return [body["text"] for body in self.received.get(hook, [])]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hooks/{hook}")
        async def post(hook: str, request: Request) -> PlainTextResponse:
            body = await request.json()
            self.calls[hook] = self.calls.get(hook, 0) + 1
            planned = self.planned.get(hook)
            if planned:
                status, text, headers = planned.pop(0)
                return PlainTextResponse(text, status_code=status, headers=headers)
            self.received.setdefault(hook, []).append(body)
            return PlainTextResponse("ok")

        return app
