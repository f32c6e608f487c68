"""Saved replies on the fake and on MongoDB: replaced by id, listed by name, deleted."""

from uuid import UUID

import pytest

from rapport.events.factories import BASE_TIME
from responder.domain.macros import Macro

from .conftest import Backend

pytestmark = pytest.mark.integration


def a_macro(n: int, name: str, text: str = "Hi {{customer.name}}") -> Macro:
    return Macro.model_validate(
        {
            "_id": UUID(int=n),
            "name": name,
            "text": text,
            "updated_by": "lead",
            "updated_at": BASE_TIME,
        }
    )


class TestMacroStore:
    async def test_macros_are_replaced_by_id_listed_by_name_and_deleted(
        self, backend: Backend
    ) -> None:
        macros = backend.macros
        await macros.put(a_macro(1, "Refund"))
        await macros.put(a_macro(2, "Apology"))
        await macros.put(a_macro(1, "Refund", "Hi {{customer.handle}}"))
        assert [(m.name, m.text) for m in await macros.all()] == [
            ("Apology", "Hi {{customer.name}}"),
            ("Refund", "Hi {{customer.handle}}"),
        ]
        assert await macros.get(UUID(int=2)) == a_macro(2, "Apology")
        assert await macros.delete(UUID(int=2)) is True
        assert await macros.delete(UUID(int=2)) is False
        assert await macros.get(UUID(int=2)) is None
