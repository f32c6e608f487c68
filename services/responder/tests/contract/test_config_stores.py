"""Routing rules and SLA policies on the fake and on MongoDB."""

from uuid import UUID

import pytest

from rapport.events import Priority
from responder.domain.routing import Rule
from responder.domain.sla import DEFAULT_POLICIES, Policy

from .conftest import Backend

pytestmark = pytest.mark.integration


def rule(order: int, queue: str) -> Rule:
    return Rule.model_validate(
        {"order": order, "queue": queue, "conditions": {"languages": ["en"]}}
    )


class TestRoutingRuleStore:
    async def test_rules_come_in_order_and_a_write_is_read_at_once(self, backend: Backend) -> None:
        rules = backend.ports.routing_rules
        assert await rules.ordered() == []
        await rules.put(UUID(int=2), rule(5, "sales"))
        await rules.put(UUID(int=1), rule(9, "pr"))
        await rules.put(UUID(int=3), rule(5, "ko"))
        assert [r.queue for r in await rules.ordered()] == ["sales", "ko", "pr"]
        assert await rules.delete(UUID(int=2))
        assert not await rules.delete(UUID(int=2))
        assert [(i, r.queue) for i, r in await rules.all()] == [
            (UUID(int=3), "ko"),
            (UUID(int=1), "pr"),
        ]


class TestPolicyStore:
    async def test_stored_policies_over_the_defaults(self, backend: Backend) -> None:
        policies = backend.ports.policies
        assert await policies.all() == DEFAULT_POLICIES
        quick = Policy(first_response=5, next_response=10, resolution=60)
        await policies.put(Priority.URGENT, quick)
        assert await policies.all() == DEFAULT_POLICIES | {Priority.URGENT: quick}
