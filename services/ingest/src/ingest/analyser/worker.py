"""The analysis stage: claims pending mentions in batches, analyses them on every core, flags
copy-paste floods, and completes them (analysed mention and its ``MentionIngested`` event in the
outbox, one transaction), then wakes the relay.

A mention whose analysis failed (see ``analysis.batch``) is published all the same, with the
defaults it got, and the failure is recorded: ``analysis_failed`` (the error type) on its
archive document, ``unanalysed`` in its import's counts, an error log naming the mention (not
its text) and ``rapport_ingest_unanalysed_total``.
"""

import logging
from collections.abc import Callable
from dataclasses import replace
from itertools import groupby

from prometheus_client import Counter

from ingest.analyser.pending import Claim, Claimed, Done, PendingMentions
from ingest.analyser.pool import AnalysisPool
from ingest.analysis import Analysis
from ingest.analysis.batch import Outcome
from ingest.floods import Floods
from rapport.events import Mention
from rapport.workers import Poller

log = logging.getLogger(__name__)
UNANALYSED = Counter(
    "rapport_ingest_unanalysed_total", "Mentions published with default analysis after a failure"
)


def with_analysis(mention: Mention, analysis: Analysis) -> Mention:
    return mention.model_copy(
        update={
            "language": analysis.language,
            "sentiment": analysis.sentiment,
            "intents": analysis.intents,
        }
    )


class Analyser(Poller):
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
        self._held: tuple[Claim, list[Done]] | None = None

    async def step(self) -> bool:
        if self._held is None:
            claim = await self._pending.claim(self._batch)
            if not claim.mentions:
                return claim.full
            items = [(c.mention.text, c.mention.language) for c in claim.mentions]
            outcomes = await self._pool.analyse(items)
            analysed = [_done(c, o) for c, o in zip(claim.mentions, outcomes, strict=True)]
            self._held = claim, analysed
        # Held until completed: after a MongoDB failure the next step completes this claim
        # rather than leaving its mentions (and their authors' later ones) until it expires.
        claim, done = self._held
        if self._floods is not None:
            by_request = groupby(done, key=lambda d: d.claimed.received_at)
            accepted = [[d.mention for d in request] for _, request in by_request]
            flagged = await self._floods.flag_in_turn(accepted)
            done = [replace(d, mention=m) for d, m in zip(done, flagged, strict=True)]
        completed = await self._pending.complete(claim.token, done)
        self._held = None
        if completed:
            self._completed()
        for d in completed:
            if d.failure is not None:
                UNANALYSED.inc()
                log.error(
                    "mention published unanalysed",
                    extra={"mention": d.claimed.id, "error": d.failure},
                )
        return claim.full


def _done(claimed: Claimed, outcome: Outcome) -> Done:
    return Done(claimed, with_analysis(claimed.mention, outcome.analysis), outcome.failure)
