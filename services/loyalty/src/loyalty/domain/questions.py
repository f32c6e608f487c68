"""Customers' questions, remembered by platform and external id so a reply finds its asker."""

from datetime import datetime
from typing import Any
from uuid import UUID

from rapport.events import Mention


def question_key(question: Mention) -> str:
    return f"{question.platform.value}:{question.external_id}"


def answered_key(reply: Mention) -> str:
    """The key of the question ``reply`` answers."""
    return f"{reply.platform.value}:{reply.in_reply_to}"


def question_fields(question: Mention, profile_id: UUID, at: datetime) -> dict[str, Any]:
    return {"profile_id": profile_id, "author_key": question.author_key, "at": at}
