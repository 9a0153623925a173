"""The bench's figures: each beside its goal with "ok" or "over", printed and written as JSON.

A figure's status is decided here and only here, so the table, the JSON and the test agree.
"""

import json
import math
import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

OK, OVER, SKIPPED = "ok", "over", "skipped"


@dataclass(frozen=True)
class Goal:
    """`op` is "<=", ">=" or "constant" (every value of a list equal); `unit` is how it prints."""

    op: str
    limit: float | None = None
    unit: str = ""

    def met(self, value: Any) -> bool:
        if self.op == "constant":
            return len(set(value)) == 1
        if self.op == "<=":
            return value <= self.limit
        if self.op == ">=":
            return value >= self.limit
        raise ValueError(f"unknown goal {self.op!r}")

    def text(self) -> str:
        if self.op in ("<=", ">="):
            return f"{self.op} {self.limit:g}{self.unit}"
        return self.op  # "constant", or "measured" for a figure that could not be


@dataclass
class Figure:
    key: str
    label: str
    goal: Goal
    value: Any = None  # None when skipped
    shown: str = ""  # the value as printed, e.g. "2.41x"
    status: str = SKIPPED
    note: str = ""  # what was measured against what: the reference, the runs
    details: dict = field(default_factory=dict)


def figure(key: str, label: str, goal: Goal, value: Any, *, shown: str, note: str = "", **details) -> Figure:
    status = OK if goal.met(value) else OVER
    return Figure(key, label, goal, value, shown, status, note, details)


def skipped(key: str, label: str, goal: Goal, reason: str) -> Figure:
    return Figure(key, label, goal, None, reason, SKIPPED)


def failed(key: str, label: str, goal: Goal, reason: str) -> Figure:
    """Could not be measured (e.g. the page answered 500): counts as over, never as ok."""
    return Figure(key, label, goal, None, reason, OVER)


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: a value that was actually observed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


LABEL, VALUE, GOAL = 64, 11, 14


def line(item: Figure) -> str:
    """One row: the figure, its value, its goal and the verdict; the note indented below it."""
    row = f"{item.label:<{LABEL}} {item.shown:>{VALUE}}  {item.goal.text():<{GOAL}} {item.status}"
    if item.status == SKIPPED:
        row = f"{item.label:<{LABEL}} {'-':>{VALUE}}  {item.goal.text():<{GOAL}} {item.status}: {item.shown}"
    return row + (f"\n    {item.note}" if item.note else "")


def table(figures: list[Figure]) -> str:
    header = f"{'figure':<{LABEL}} {'value':>{VALUE}}  {'goal':<{GOAL}} verdict"
    counts = {status: sum(1 for f in figures if f.status == status) for status in (OK, OVER, SKIPPED)}
    summary = f"{counts[OK]} ok, {counts[OVER]} over, {counts[SKIPPED]} skipped"
    return "\n".join([header, "-" * len(header), *(line(f) for f in figures), "-" * len(header), summary])


def environment() -> dict:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def write_json(figures: list[Figure], directory: Path, **meta) -> Path:
    """`<directory>/<timestamp>.json` and a copy as `latest.json`; the timestamped path."""
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **meta,
        "environment": environment(),
        "figures": [{**asdict(f), "goal": {**asdict(f.goal), "text": f.goal.text()}} for f in figures],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
    path = directory / f"{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(text)
    (directory / "latest.json").write_text(text)
    return path
