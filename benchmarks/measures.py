"""Pure arithmetic of the benchmark: percentiles, CPU seconds and resident memory from /proc,
and how far a phase with a time limit got."""

import os
from dataclasses import dataclass
from pathlib import Path

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0 ≤ q ≤ 1) of ``values``."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpu_ticks(stat: str) -> int:
    """utime + stime of a /proc/<pid>/stat line (the name in parentheses may hold spaces)."""
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5), counting from 1


def cpu_s(pid: int) -> float:
    return cpu_ticks(Path(f"/proc/{pid}/stat").read_text()) / TICKS_PER_S


def rss_mib(status: str) -> float:
    """VmRSS of a /proc/<pid>/status text, in MiB."""
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_of(pid: int) -> float:
    return rss_mib(Path(f"/proc/{pid}/status").read_text())


def cpu_s_per_1k(before: dict[str, float], after: dict[str, float], items: int) -> dict[str, float]:
    """CPU seconds each process spent per 1,000 items between two readings."""
    return {name: round((after[name] - before[name]) * 1000 / items, 3) for name in after}


@dataclass(frozen=True)
class Through:
    """``done`` of ``planned`` items through in ``seconds`` (all of them, unless time ran out)."""

    planned: int
    done: int
    seconds: float
    unit: str

    @property
    def per_s(self) -> float:
        return self.done / self.seconds

    @property
    def shortfall(self) -> str | None:
        """Why the phase is incomplete, or None when every item went through."""
        if self.done == self.planned:
            return None
        return f"{self.done:,} of {self.planned:,} {self.unit} when {self.seconds:.0f} s ran out"
