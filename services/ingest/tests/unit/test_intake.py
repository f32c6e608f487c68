import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from opentelemetry import context

from ingest.domain.normalize import MentionIn
from ingest.fakes import FakeArchive, FakeSuppressions
from ingest.use_cases.intake import WRITES_AT_ONCE, BrandAccounts, Intake, provisional
from rapport.events import Mention, SentimentLabel, Source
from rapport.telemetry import Headers, extract_context

ERASED_AT = datetime(2026, 12, 1, tzinfo=UTC)
"""After every mention of these tests was posted."""


def incoming(external_id: str, author: str = "ann") -> MentionIn:
    mention: MentionIn = MentionIn.model_validate(
        {
            "platform": "x",
            "external_id": external_id,
            "author": {"id": author},
            "text": "My grinder is broken, this is the worst",
            "created_at": "2026-11-20T09:00:00Z",
        }
    )
    return mention


async def test_mentions_are_stored_unanalysed_and_the_analysis_stage_is_woken() -> None:
    archive, woken = FakeArchive(), []
    await archive.accept([provisional(incoming("old"), brand=BrandAccounts([]), source=Source.API)])
    desk = Intake(archive, BrandAccounts([]), FakeSuppressions(), stored=lambda: woken.append(True))

    results = await desk.accept(
        [incoming("old"), incoming("new"), incoming("new")], Source.IMPORT, import_id="i1"
    )

    assert [r.status for r in results] == ["duplicate", "accepted", "duplicate"]
    assert list(archive.stored) == ["x:old", "x:new"]
    stored = archive.stored["x:new"]
    assert (stored.language, stored.sentiment.label, stored.intents) == (
        None,
        SentimentLabel.NEUTRAL,
        [],
    )
    assert (stored.source, archive.import_ids[1:], woken) == (Source.IMPORT, ["i1"], [True])


async def test_an_erased_authors_old_mentions_are_reported_suppressed_and_never_archived() -> None:
    archive = FakeArchive()
    await archive.accept([provisional(incoming("old"), brand=BrandAccounts([]), source=Source.API)])
    desk = Intake(archive, BrandAccounts([]), FakeSuppressions({"x:gone": ERASED_AT}))

    results = await desk.accept(
        [incoming("a", "gone"), incoming("old"), incoming("b"), incoming("c", "gone")], Source.API
    )

    assert [r.status for r in results] == ["suppressed", "duplicate", "accepted", "suppressed"]
    assert list(archive.stored) == ["x:old", "x:b"]


async def test_a_delivery_of_only_suppressed_mentions_archives_nothing() -> None:
    archive = FakeArchive()
    desk = Intake(archive, BrandAccounts([]), FakeSuppressions({"x:gone": ERASED_AT}))

    results = await desk.accept([incoming("a", "gone")], Source.WEBHOOK)

    assert [r.status for r in results] == ["suppressed"]
    assert (archive.stored, archive.import_ids) == ({}, [])


class HeldArchive(FakeArchive):
    """Holds every call until ``release``; records each call's external ids and traces."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[tuple[str, Headers]]] = []
        self._go_on = asyncio.Event()

    def release(self) -> None:
        self._go_on.set()

    async def accept(
        self,
        mentions: list[Mention],
        *,
        import_id: str | None = None,
        traces: Sequence[Headers] | None = None,
    ) -> list[bool]:
        assert traces is not None
        self.calls.append([(m.external_id, t) for m, t in zip(mentions, traces, strict=True)])
        await self._go_on.wait()
        return await super().accept(mentions, import_id=import_id)


def traced(n: int) -> Headers:
    return [("traceparent", f"00-{n:032x}-{n:016x}-01".encode())]


async def test_requests_arriving_during_a_store_are_stored_together_in_their_own_traces() -> None:
    """Up to ``WRITES_AT_ONCE`` requests are stored at once, each by itself; those arriving
    meanwhile wait and are stored together, each mention in its own request's trace."""
    archive = HeldArchive()
    desk = Intake(archive, BrandAccounts([]), FakeSuppressions({"x:gone": ERASED_AT}))

    async def request(n: int, *mentions: MentionIn) -> list[str]:
        token = context.attach(extract_context(traced(n)))
        try:
            return [r.status for r in await desk.accept(list(mentions), Source.API)]
        finally:
            context.detach(token)

    first = []
    for n in range(WRITES_AT_ONCE):
        first.append(asyncio.create_task(request(n, incoming(f"first-{n}"))))
        await settled()  # its store has begun
    later = [
        asyncio.create_task(request(7, incoming("b"), incoming("gone-1", "gone"))),
        asyncio.create_task(request(8, incoming("first-0"))),
        asyncio.create_task(request(9, incoming("c"))),
    ]
    await settled()
    archive.release()

    assert [await r for r in first] == [["accepted"]] * WRITES_AT_ONCE
    assert [await r for r in later] == [["accepted", "suppressed"], ["duplicate"], ["accepted"]]
    calls = [[m for m, _ in call] for call in archive.calls]
    assert calls == [[f"first-{n}"] for n in range(WRITES_AT_ONCE)] + [["b", "first-0", "c"]]
    assert [dict(t)["traceparent"] for _, t in archive.calls[-1]] == [
        dict(traced(n))["traceparent"] for n in (7, 8, 9)
    ]


async def settled() -> None:
    """Let every ready task run up to its next wait (no time passes)."""
    for _ in range(5):
        await asyncio.sleep(0)
