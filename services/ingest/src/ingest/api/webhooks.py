"""Platform webhooks: X, Meta (Facebook, Instagram), and a generic signed webhook."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
