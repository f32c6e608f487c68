"""Where the time goes, from py-spy's collapsed stacks (``--format raw``: one line per distinct
stack, ``outer;…;inner count``): each function's own samples (it was the innermost frame) and
total samples (it was anywhere on the stack)."""

from collections import Counter
from dataclasses import dataclass

RAPPORT_PACKAGES = ("rapport/", "ingest/", "profiles/", "responder/", "loyalty/")


@dataclass(frozen=True)
class Stack:
    frames: tuple[str, ...]
    samples: int


@dataclass(frozen=True)
class Hotspot:
    function: str
    own: int
    total: int


def parse(collapsed: str) -> list[Stack]:
    found = []
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            found.append(Stack(tuple(stack.split(";")), int(count)))
    return found


def hotspots(stacks: list[Stack]) -> list[Hotspot]:
    """Every function, most own samples first (ties: most total samples)."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for stack in stacks:
        own[stack.frames[-1]] += stack.samples
        for function in set(stack.frames):
            total[function] += stack.samples
    return sorted(
        (Hotspot(f, own[f], total[f]) for f in total), key=lambda h: (-h.own, -h.total, h.function)
    )


def is_rapports(function: str) -> bool:
    """Whether py-spy's ``name (path:line)`` is in Rapport's own code."""
    return function.partition("(")[2].startswith(RAPPORT_PACKAGES)


def report(name: str, stacks: list[Stack], rate_hz: int, top: int = 25) -> str:
    """The ``top`` functions by own time, then Rapport's own functions by total time, each in
    seconds and percent of the busy samples."""
    samples = sum(s.samples for s in stacks)
    lines = [f"{name}: {samples:,} busy samples at {rate_hz} Hz ≈ {samples / rate_hz:,.1f} s busy"]
    if not samples:
        return lines[0]
    spots = hotspots(stacks)
    ours = sorted((h for h in spots if is_rapports(h.function)), key=lambda h: -h.total)
    for title, shown in (("by own time", spots), ("Rapport's code by total time", ours)):
        lines.append(f"{'own s':>8} {'own %':>6} {'total %':>7}  function ({title})")
        lines += [
            f"{spot.own / rate_hz:8.1f} {100 * spot.own / samples:6.1f} "
            f"{100 * spot.total / samples:7.1f}  {spot.function}"
            for spot in shown[:top]
        ]
    return "\n".join(lines)
