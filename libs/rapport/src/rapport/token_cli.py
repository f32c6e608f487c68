"""``rapport token``: mint tokens with the issuer's private key, revoke them, make key pairs.

The private key is a PEM file (``--private-key``, default ``$RAPPORT_AUTH_PRIVATE_KEY``); only
the issuer holds it. Services get the public keys (``RAPPORT_AUTH_JWKS``).
"""

import argparse
import asyncio
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import jwt

from rapport.auth import DEFAULT_ISSUER, LONGEST_LIFETIME_S, MAX_LIFETIME_S, Scope, issue_token
from rapport.keys import SigningKey, add_key
from rapport.revocations import revoke
from rapport.settings import RapportSettings

SERVICES = ("ingest", "profiles", "responder", "loyalty")


def private_key(path: str | None = None) -> SigningKey:
    path = path or os.environ.get("RAPPORT_AUTH_PRIVATE_KEY")
    if not path:
        raise ValueError("no private key: give --private-key or set RAPPORT_AUTH_PRIVATE_KEY")
    return SigningKey.load(path)


def mint(
    subject: str,
    scopes: list[str],
    audience: list[str],
    ttl_s: int | None = None,
    *,
    key_path: str | None = None,
    issuer: str | None = None,
) -> str:
    """A token signed with the private key (default ``$RAPPORT_AUTH_PRIVATE_KEY``) by the
    issuer (default ``$RAPPORT_AUTH_ISSUER``, else ``rapport``)."""
    issuer = issuer or os.environ.get("RAPPORT_AUTH_ISSUER", DEFAULT_ISSUER)
    key = private_key(key_path)
    return issue_token(key, subject, scopes, audience=audience, issuer=issuer, ttl_s=ttl_s)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _mint(args: argparse.Namespace) -> None:
    audience = list(SERVICES) if args.audience == "all" else _split(args.audience)
    scopes = _split(args.scopes)
    print(
        mint(
            args.subject, scopes, audience, args.ttl, key_path=args.private_key, issuer=args.issuer
        )
    )


def _revoke(args: argparse.Namespace) -> None:
    token_id, expires = args.token, args.expires_at
    if token_id.count(".") == 2:  # a whole token: its own jti and expiry
        claims = jwt.decode(token_id, options={"verify_signature": False})
        token_id, expires = str(claims["jti"]), expires or int(claims["exp"])
    until = datetime.fromtimestamp(expires or time.time() + LONGEST_LIFETIME_S, UTC)
    settings = RapportSettings(service_name="rapport-cli")
    topic = settings.auth_revocations_topic
    asyncio.run(revoke(token_id, until, topic=topic, kafka=settings))
    print(f"revoked {token_id} (until {until.isoformat()}) on {topic}")


def _keygen(args: argparse.Namespace) -> None:
    key = add_key(Path(args.private_key), Path(args.jwks))
    print(f"new key {key.kid}: private key {args.private_key}, public keys {args.jwks}")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    token = commands.add_parser("token", help="mint, revoke or make signing keys for tokens")
    actions = token.add_subparsers(dest="action", required=True)
    lifetimes = ", ".join(f"{scope} {s // 60} min" for scope, s in MAX_LIFETIME_S.items())
    minting = actions.add_parser("mint", help=f"mint a token; longest lifetimes: {lifetimes}")
    minting.add_argument("--scopes", required=True, help=f"comma-separated: {', '.join(Scope)}")
    minting.add_argument(
        "--audience", required=True, help=f"services it is for, comma-separated, or all: {SERVICES}"
    )
    minting.add_argument(
        "--subject", "--sub", default="cli", help="who it is for; a member token: the profile id"
    )
    minting.add_argument("--ttl", type=int, default=None, help="seconds (default: the longest)")
    minting.add_argument("--private-key", help="PEM file; default $RAPPORT_AUTH_PRIVATE_KEY")
    minting.add_argument("--issuer", help=f"default $RAPPORT_AUTH_ISSUER, else {DEFAULT_ISSUER}")
    minting.set_defaults(run=_mint)
    revoking = actions.add_parser(
        "revoke", help="revoke a token everywhere (publishes to RAPPORT_AUTH_REVOCATIONS_TOPIC)"
    )
    revoking.add_argument("token", help="the token's jti, or the token itself")
    revoking.add_argument(
        "--expires-at", type=int, help="unix time the token expires (default: the longest life)"
    )
    revoking.set_defaults(run=_revoke)
    keygen = actions.add_parser(
        "keygen", help="a new Ed25519 key pair; its public key is added to the JWKS (rotation)"
    )
    keygen.add_argument("--private-key", required=True, help="where to write the PEM (0600)")
    keygen.add_argument("--jwks", required=True, help="the JWKS file to add the public key to")
    keygen.set_defaults(run=_keygen)
