"""Bulk imports of CSV and JSONL files, as resources with progress."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1/imports", tags=["imports"])
