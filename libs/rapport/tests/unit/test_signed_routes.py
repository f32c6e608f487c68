"""Webhook routes declare their auth by signature instead of a bearer scope."""

from fastapi import FastAPI, HTTPException, Request

from rapport.api import signed, unscoped_routes


async def signature_checked(request: Request) -> None:
    if request.headers.get("x-signature") != "good":
        raise HTTPException(401, "bad signature")


def test_a_signed_route_declares_its_auth_and_an_unmarked_one_does_not() -> None:
    app = FastAPI()

    @app.post("/hook", dependencies=[signed(signature_checked)])
    async def hook() -> None: ...

    @app.post("/unsigned-hook")
    async def unsigned_hook(request: Request) -> None:
        await signature_checked(request)  # checks, but declares nothing the audit can see

    assert unscoped_routes(app) == ["['POST'] /unsigned-hook"]
