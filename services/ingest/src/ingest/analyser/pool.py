"""Analysis on every core: a batch is split into one chunk per worker process, each chunk read
by ``analyse_many`` (the encoder's batched call), the outcomes put back in order.

Processes rather than threads: language detection, VADER and the intent rules are Python and
hold the GIL. Workers are spawned (never forked from a process running an event loop) by
``start`` or on first use, and load the models once. A worker that dies (the engine crashing
on a text) breaks the pool: it is rebuilt, the chunk is read one text at a time, and a text
that breaks it again gets a default outcome naming the failure, so no text can stall the stage.
``processes=0`` analyses in a worker thread of this process instead (tests, tiny deployments).
"""

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from ingest.analysis import Analysis
from ingest.analysis.batch import NEUTRAL, Outcome, analyse_many
from ingest.analysis.language import DEFAULT
from ingest.analysis.sentiment import Engine
from rapport.events import Intent

Item = tuple[str, str | None]


def _warm(engine: Engine) -> None:
    analyse_many([("warm up", None)], engine=engine)


def _worker_started(engine: Engine) -> None:
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    _warm(engine)


def _exit_with_parent(parent: int) -> None:
    """A worker outlives a parent killed with SIGKILL otherwise."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


class AnalysisPool:
    def __init__(self, engine: Engine, processes: int) -> None:
        self.engine = engine
        self.processes = processes
        self._executor: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Spawn the workers now, so the first batch does not wait for them to load models."""
        if self.processes:
            pool = self._pool()
            for _ in range(self.processes):
                pool.submit(_warm, self.engine)

    async def analyse(self, items: Sequence[Item]) -> list[Outcome]:
        if not items:
            return []
        if not self.processes:
            return await asyncio.to_thread(analyse_many, items, engine=self.engine)
        size = -(-len(items) // self.processes)
        chunks = [items[start : start + size] for start in range(0, len(items), size)]
        done = await asyncio.gather(*(self._in_worker(chunk) for chunk in chunks))
        return [outcome for chunk in done for outcome in chunk]

    async def _in_worker(self, chunk: Sequence[Item]) -> list[Outcome]:
        loop = asyncio.get_running_loop()
        pool = self._pool()
        try:
            return await loop.run_in_executor(
                pool, partial(analyse_many, chunk, engine=self.engine)
            )
        except BrokenProcessPool:
            self._discard(pool)
            if len(chunk) == 1:
                return [_crashed(chunk[0])]
            return [outcome for item in chunk for outcome in await self._in_worker([item])]

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_started,
                initargs=(self.engine,),
            )
        return self._executor

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        """Drop ``broken`` unless another chunk's failure replaced it already."""
        broken.shutdown(wait=False, cancel_futures=True)
        if self._executor is broken:
            self._executor = None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def _crashed(item: Item) -> Outcome:
    _, language = item
    analysis = Analysis(language or DEFAULT, NEUTRAL, [Intent.OTHER])
    return Outcome(analysis, BrokenProcessPool.__name__)
