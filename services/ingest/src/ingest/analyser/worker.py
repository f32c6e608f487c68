"""The analysis stage: claims pending mentions in batches, analyses them on every core, flags
copy-paste floods, and completes them (analysed mention and its ``MentionIngested`` event in the
outbox, one transaction), then wakes the relay.

A mention whose analysis failed (see ``analysis.batch``) is published all the same, with the
defaults it got, and the failure is recorded: ``analysis_failed`` (the error type) on its
archive document, ``unanalysed`` in its import's counts, an error log naming the mention (not
its text) and ``rapport_ingest_unanalysed_total``.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import groupby

from prometheus_client import Counter, Histogram
from pymongo.errors import PyMongoError

from ingest.analyser.pending import Claim, Claimed, Done, PendingMentions
from ingest.analyser.pool import AnalysisPool
from ingest.analysis import Analysis
from ingest.analysis.batch import Outcome
from ingest.ports import Floods
from rapport.events import Mention
from rapport.workers import Poller

log = logging.getLogger(__name__)
UNANALYSED = Counter(
    "rapport_ingest_unanalysed_total", "Mentions published with default analysis after a failure"
)
STEP_SECONDS = Histogram(
    "rapport_ingest_analyser_step_seconds", "Seconds per batch of each analysis step", ["step"]
)
MAX_HELD = 3


def with_analysis(mention: Mention, analysis: Analysis) -> Mention:
    return mention.model_copy(
        update={
            "language": analysis.language,
            "sentiment": analysis.sentiment,
            "intents": analysis.intents,
        }
    )


@dataclass
class Batch:
    claim: Claim
    done: list[Done] | None = None
    """Analysed, waiting to be completed."""


class Analyser(Poller):
    """A pipeline: each step claims batch n+1 and completes batch n-1 while batch n is analysed.
    Batches complete in the order they were claimed; while held, their claims are renewed."""

    def __init__(
        self,
        pending: PendingMentions,
        pool: AnalysisPool,
        *,
        floods: Floods | None = None,
        batch: int = 256,
        poll_s: float = 0.5,
        completed: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(poll_s)
        self._pending = pending
        self._pool = pool
        self._floods = floods
        self._batch = batch
        self._completed = completed
        self._held: list[Batch] = []
        """Claimed and not completed, oldest first. A batch stays held after a MongoDB failure
        and is completed by a later step, rather than left until its claim expires."""
        self._more = False
        self._lost = False

    async def run(self) -> None:
        heartbeat = asyncio.create_task(self._renew_claims())
        try:
            await super().run()
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            with contextlib.suppress(PyMongoError):  # else they wait for their claims to expire
                await self._release_held()

    async def step(self) -> bool:
        analysed = self._held[0] if self._held and self._held[0].done is not None else None
        claimed = next((b for b in self._held if b.done is None), None)
        outcomes = await asyncio.gather(
            self._complete(analysed) if analysed else _nothing(),
            self._analyse(claimed) if claimed else _nothing(),
            self._claim() if len(self._held) < MAX_HELD else _nothing(),
            return_exceptions=True,
        )
        if self._lost:
            # Another analyser took over mentions of ours (we were stalled past the claim):
            # the later batches may hold its authors' later mentions, so they go back.
            await self._release_held()
            self._lost = False
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return bool(self._held) or self._more

    async def _claim(self) -> None:
        with STEP_SECONDS.labels("claim").time():
            after = [b.claim.token for b in self._held]
            claim = await self._pending.claim(self._batch, after=after)
        self._more = claim.full
        if claim.mentions:
            self._held.append(Batch(claim))

    async def _analyse(self, batch: Batch) -> None:
        mentions = batch.claim.mentions
        with STEP_SECONDS.labels("analyse").time():
            outcomes = await self._pool.analyse(
                [(c.mention.text, c.mention.language) for c in mentions]
            )
        batch.done = [_done(c, o) for c, o in zip(mentions, outcomes, strict=True)]

    async def _complete(self, batch: Batch) -> None:
        assert batch.done is not None
        done = batch.done
        if self._floods is not None:
            with STEP_SECONDS.labels("flag").time():
                by_request = groupby(done, key=lambda d: d.claimed.received_at)
                accepted = [[d.mention for d in request] for _, request in by_request]
                flagged = await self._floods.flag_in_turn(accepted)
            done = [replace(d, mention=m) for d, m in zip(done, flagged, strict=True)]
        with STEP_SECONDS.labels("complete").time():
            completed = await self._pending.complete(batch.claim.token, done)
        self._held.remove(batch)
        self._lost = self._lost or len(completed) < len(done)
        if completed:
            self._completed()
        for d in completed:
            if d.failure is not None:
                UNANALYSED.inc()
                log.error(
                    "mention published unanalysed",
                    extra={"mention": d.claimed.id, "error": d.failure},
                )

    async def _release_held(self) -> None:
        while self._held:
            claim = self._held[0].claim
            await self._pending.release(claim.token, [c.id for c in claim.mentions])
            del self._held[0]

    async def _renew_claims(self) -> None:
        while True:
            await asyncio.sleep(self._pending.claim_s / 3)
            try:
                await self._pending.renew([b.claim.token for b in self._held])
            except PyMongoError as error:
                log.warning("claims not renewed", extra={"error": type(error).__name__})


async def _nothing() -> None:
    return None


def _done(claimed: Claimed, outcome: Outcome) -> Done:
    return Done(claimed, with_analysis(claimed.mention, outcome.analysis), outcome.failure)
