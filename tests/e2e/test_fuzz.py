"""Schemathesis over every service's OpenAPI document, against the four services running.

Each operation gets ``EXAMPLES`` generated requests, half valid and half invalid, each sent
with a token of one role, or none (a member's for the profile the path names, when the route
admits the member): no answer may be a 5xx, and every answer must be documented
(status code, content type and body schema). Failures are collected across all operations, so
one run shows them all.

The services run as processes of their own (ports 70-73 above the platform's), on the test
MongoDB and Kafka but with databases of their own, no consumers and no outbox relay: what the
fuzz creates (routing rules, SLA policies, mentions, merges) stays in their databases and never
reaches the e2e platform's topics or the other tests.
"""

import contextlib
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from pymongo import MongoClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rapport.auth import Scope
from rapport.testing import token_keys
from tests.support import FIRST_PORT, SERVICES, Platform

pytestmark = pytest.mark.e2e
ISOLATED = {
    "RAPPORT_CONSUME_EVENTS": "false",
    "RAPPORT_RELAY_OUTBOX": "false",
    "RAPPORT_SENTIMENT_ENGINE": "lexicon",
}

EXAMPLES = 20
"""Per operation (half valid, half invalid): the four services take about 3 minutes here."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def roles(operation: Any) -> list[Scope | None]:
    """Mostly tokens the operation lets in, so requests reach its code; some of another role,
    some with none."""
    allowed = [Scope(s) for s in operation.definition.raw.get("x-rapport-scopes", [])]
    others = [s for s in Scope if s not in allowed]
    return [*allowed, *allowed, *allowed, *others[:1], None]


class Fuzz:
    def __init__(self, platform: Platform, service: str) -> None:
        self.platform = platform
        self.base_url = platform.url(service)
        self.requests = 0
        self.statuses: Counter[int] = Counter()
        self.failures: dict[str, str] = {}

    def operation(self, operation: Any, mode: GenerationMode) -> None:
        @settings(
            max_examples=EXAMPLES // 2,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(mode), role=st.sampled_from(roles(operation)))
        def send(case: Any, role: Scope | None) -> None:
            headers = self._headers(case, role)
            response = case.call(base_url=self.base_url, headers=headers, timeout=60)
            self.requests += 1
            self.statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except (Failure, FailureGroup) as error:
                found = error.exceptions if isinstance(error, FailureGroup) else (error,)
                for failure in found:
                    key = f"{operation.label}: {failure.title}"
                    self.failures.setdefault(key, f"{key} (as {role}): {failure.message}")

        with contextlib.suppress(Unsatisfiable):  # nothing in the operation to make invalid
            send()

    def _headers(self, case: Any, role: Scope | None) -> dict[str, str]:
        """A member's token is for the profile the path names (``x-rapport-member-of``), when
        that is a profile id: the member rule lets it in, as it would the customer."""
        if role != Scope.MEMBER:
            return self.platform.token(role) if role else {}
        own = case.operation.definition.raw.get("x-rapport-member-of")
        subject = str((case.path_parameters or {}).get(own, ""))
        with contextlib.suppress(ValueError):
            return token_keys().bearer("member", subject=str(uuid.UUID(subject)))
        return token_keys().bearer("member", subject=str(uuid.uuid4()))


@pytest.fixture(scope="module")
def isolated(kafka_bootstrap: str, mongo_url: str) -> Iterator[Platform]:
    platform = Platform(kafka_bootstrap, mongo_url, first_port=FIRST_PORT + 70, settings=ISOLATED)
    try:
        with platform.running():
            yield platform
    finally:
        with MongoClient(mongo_url) as client:
            for name in SERVICES:
                client.drop_database(platform.db_name(name))


@pytest.mark.parametrize("service", SERVICES)
def test_no_input_gets_a_5xx_or_an_undocumented_answer(isolated: Platform, service: str) -> None:
    fuzz = Fuzz(isolated, service)
    document = httpx.get(f"{fuzz.base_url}/openapi.json").json()
    operations = [
        result.ok() for result in schemathesis.openapi.from_dict(document).get_all_operations()
    ]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz.operation(operation, mode)
    print(
        f"\nfuzz {service}: {len(operations)} operations, {fuzz.requests} requests, "
        f"statuses {dict(sorted(fuzz.statuses.items()))}"
    )
    assert len(operations) >= 4
    assert fuzz.requests >= len(operations) * 2
    assert not fuzz.failures, "\n\n".join(fuzz.failures.values())
