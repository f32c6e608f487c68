"""`make bench PROFILE=1`: py-spy samples every service's process while the lexicon drain runs.

Only the thread holding the GIL is sampled (``--gil``), so a sample is Python at work, never
a wait on I/O or an idle thread pool; the busiest service (most samples) is the slowest stage.
Writes into benchmarks/results/ ``profile-<service>.txt`` per service (collapsed stacks, py-spy's
raw format: flamegraph.pl or speedscope draw them) and ``profile-summary.txt`` (busy seconds per
service, busiest first, then each one's top functions: by own time, and Rapport's own code by
total time).
"""

import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

from benchmarks.stacks import parse, report

PY_SPY = Path(sys.executable).with_name("py-spy")
RATE_HZ = 50


class Sampler:
    def __init__(self, pids: dict[str, int], results: Path, limit_s: float) -> None:
        self._pids = pids
        self._results = results
        self._limit_s = limit_s
        self._running: dict[str, asyncio.subprocess.Process] = {}

    def output(self, name: str) -> Path:
        return self._results / f"profile-{name}.txt"

    async def start(self) -> None:
        self._results.mkdir(parents=True, exist_ok=True)
        for name, pid in self._pids.items():
            self._running[name] = await asyncio.create_subprocess_exec(
                *(str(PY_SPY), "record", "--pid", str(pid), "--rate", str(RATE_HZ)),
                *("--duration", str(round(self._limit_s)), "--function", "--gil"),
                *("--format", "raw", "--output", str(self.output(name))),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )

    async def stop(self) -> dict[str, Any]:
        """Stop sampling (py-spy writes what it has on SIGINT); write the summary."""
        failed = {}
        for name, process in self._running.items():
            if process.returncode is None:
                process.send_signal(signal.SIGINT)
            _, err = await asyncio.wait_for(process.communicate(), 60)
            if not self.output(name).exists():
                failed[name] = err.decode(errors="replace").strip()[-300:]
        sampled = {
            name: parse(self.output(name).read_text())
            for name in self._running
            if name not in failed
        }
        busy = {name: sum(s.samples for s in stacks) for name, stacks in sampled.items()}
        ranked = sorted(busy, key=lambda name: -busy[name])
        summary = self._results / "profile-summary.txt"
        summary.write_text(
            "\n\n".join(report(name, sampled[name], RATE_HZ) for name in ranked) + "\n"
        )
        return {
            "slowest": ranked[0] if ranked else None,
            "busy_s": {name: round(busy[name] / RATE_HZ, 1) for name in ranked},
            "summary": str(summary),
            **({"failed": failed} if failed else {}),
        }
