"""The table `make bench` prints at the end: every figure of the report, the issue's target for
it where there is one, whether this run met it, and why a phase is incomplete."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ENCODER_BEFORE_PER_CORE = 38.1
"""``encoder_per_s_per_core`` before issue 12 (results/before-issue-12-quick.json)."""

Report = dict[str, Any]


@dataclass(frozen=True)
class Target:
    text: str
    met: Callable[[float, Report], bool]


def _e2e_at_full_load(p99: float, report: Report) -> bool:
    e2e, planned = report["e2e_ms"], report.get("n", {})
    full_load = e2e.get("rate", 0) >= 200 and planned.get("duration", 0) >= 60
    return p99 < 2000 and full_load and not e2e.get("stopped_early") and not e2e.get("unseen")


TARGETS = {
    "drain_ratio": Target("≥ 0.5", lambda v, _: v >= 0.5),
    "ingest_accept_per_s": Target("≥ 2,000", lambda v, _: v >= 2000),
    "import_rows_per_s": Target("≥ 1,000", lambda v, _: v >= 1000),
    "e2e_ms.p99": Target("< 2,000 at 200/s for 60 s", _e2e_at_full_load),
    "encoder_per_s_per_core": Target(
        f"≥ {2 * ENCODER_BEFORE_PER_CORE:g} (2× before)",
        lambda v, _: v >= 2 * ENCODER_BEFORE_PER_CORE,
    ),
}
HOPS = tuple(
    f"e2e_ms.hops.{stage}.{q}"
    for stage in ("ingest", "profiles", "responder")
    for q in ("p50", "p99")
)
"""The latency's split between the stages (``benchmarks.hops``)."""
FIGURES = (
    "bare_4hop_per_s",
    "bare_4hop_stored_per_s",
    "drain_lexicon_per_s",
    "drain_ratio",
    "drain_ratio_stored",
    "drain_encoder_per_s",
    "ingest_accept_per_s",
    "import_rows_per_s",
    "e2e_ms.p50",
    "e2e_ms.p99",
    *HOPS,
    "encoder_per_s_per_core",
)
PER_PROCESS = ("cpu_s_per_1k", "rss_mib.idle", "rss_mib.loaded")
PHASE_OF = {
    "drain_ratio": "drain_lexicon_per_s",
    "drain_ratio_stored": "drain_lexicon_per_s",
    "e2e_ms.p50": "e2e_ms",
    "e2e_ms.p99": "e2e_ms",
    **dict.fromkeys(HOPS, "e2e_ms"),
}


@dataclass(frozen=True)
class Row:
    figure: str
    value: str
    target: str
    met: str
    note: str


def lookup(report: Report, path: str) -> Any:
    """The value at a dotted ``path`` of the report, or None."""
    found: Any = report
    for part in path.split("."):
        if not isinstance(found, dict) or part not in found:
            return None
        found = found[part]
    return found


def row(report: Report, figure: str) -> Row:
    value = lookup(report, figure)
    target = TARGETS.get(figure)
    note = report.get("incomplete", {}).get(PHASE_OF.get(figure, figure), "")
    measured = isinstance(value, int | float)
    shown = (f"{value:,.4g}" if value < 1 else f"{value:,.1f}") if measured else "not measured"
    met = "" if target is None else "yes" if measured and target.met(value, report) else "no"
    return Row(figure, shown, target.text if target else "", met, note)


def rows(report: Report) -> list[Row]:
    found = [row(report, figure) for figure in FIGURES]
    for group in PER_PROCESS:
        for name in lookup(report, group) or {}:
            found.append(row(report, f"{group}.{name}"))
    return found


def render(table: list[Row]) -> str:
    header = Row("figure", "value", "target", "met?", "note")
    lines = [header, *table]
    widths = [max(len(getattr(r, f)) for r in lines) for f in ("figure", "value", "target", "met")]
    return "\n".join(
        f"{r.figure:<{widths[0]}}  {r.value:>{widths[1]}}  {r.target:<{widths[2]}}  "
        f"{r.met:<{widths[3]}}  {r.note}".rstrip()
        for r in lines
    )
