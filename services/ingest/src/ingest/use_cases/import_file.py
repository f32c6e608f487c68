"""Runs one import: rows in, accepted through Intake in batches, progress stored as it goes.

Every accepted row is durable (archived, pending analysis) before the import reports it; the
analysis stage counts it ``processed`` once it is analysed and its event is in the outbox. If
the upload breaks off, the rows accepted so far stay and the import is marked failed; importing
the file again reports them as duplicates. A row an erased author posted before their erasure
is counted ``suppressed`` and stored nowhere, its line included.
"""

from collections import Counter
from collections.abc import AsyncIterator

from starlette.requests import ClientDisconnect

from ingest.domain.normalize import MentionIn
from ingest.imports.rows import Parsed, Rejected, Row
from ingest.ports import ImportStore, Progress, State
from ingest.use_cases.intake import Intake
from rapport.asgi import BodyTooLarge
from rapport.events import Source

BATCH = 500


async def start(parsed: AsyncIterator[Parsed]) -> AsyncIterator[Parsed]:
    """``parsed`` once its first row is read: a file it cannot map fails here, before any write."""
    first = await anext(parsed, None)

    async def rest() -> AsyncIterator[Parsed]:
        if first is not None:
            yield first
        async for item in parsed:
            yield item

    return rest()


async def run(
    import_id: str,
    parsed: AsyncIterator[Parsed],
    *,
    intake: Intake,
    store: ImportStore,
    batch_size: int = BATCH,
) -> None:
    try:
        batch: list[Row] = []
        rejected: list[Rejected] = []
        async for item in parsed:
            if isinstance(item, Row):
                batch.append(item)
            else:
                rejected.append(item)
            if len(batch) >= batch_size or len(rejected) >= batch_size:
                await _flush(import_id, batch, rejected, intake=intake, store=store)
                batch, rejected = [], []
        await _flush(import_id, batch, rejected, intake=intake, store=store)
    except Exception as error:
        await store.finish(import_id, State.FAILED, _reason(error))
        raise
    await store.finish(import_id, State.COMPLETED)


async def _flush(
    import_id: str,
    batch: list[Row],
    rejected: list[Rejected],
    *,
    intake: Intake,
    store: ImportStore,
) -> None:
    mentions = [row.mention for row in batch]
    brand = {f"{m.platform.value}:{m.author.id}" for m in mentions_by_brand(batch)}
    results = (
        await intake.accept(mentions, Source.IMPORT, own_accounts=brand, import_id=import_id)
        if batch
        else []
    )
    counts = Counter(result.status for result in results)
    progress = Progress(
        read=len(batch) + len(rejected),
        accepted=counts["accepted"],
        duplicate=counts["duplicate"],
        suppressed=counts["suppressed"],
        rejected=rejected,
    )
    await store.report(import_id, progress)


def mentions_by_brand(batch: list[Row]) -> list[MentionIn]:
    return [row.mention for row in batch if row.from_brand]


def _reason(error: Exception) -> str:
    if isinstance(error, BodyTooLarge):
        return str(error)
    if isinstance(error, ClientDisconnect):
        return "the upload was interrupted"
    return f"the import stopped: {type(error).__name__}"
