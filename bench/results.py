"""Figures: timings in, one printed line each, and the summary table at the end."""

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with `fraction` of the sample at or below."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def timed(call: Callable[[], object], n: int) -> list[float]:
    """Seconds taken by each of `n` calls."""
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


@dataclass
class Figure:
    """One measured line. Latencies in seconds; `target_ms` compares against the median."""

    name: str
    samples: list[float] = field(default_factory=list)
    target_ms: float | None = None
    note: str = ""
    # Set instead of samples for throughput figures, or when nothing could be measured:
    # `short` goes in the table, `text` in the line.
    text: str = ""
    short: str = ""
    failed: bool = False
    # For a figure without samples (a ratio): the table's target and verdict cells.
    target_text: str = ""
    outcome: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples, 0.95) * 1000

    @property
    def verdict(self) -> str:
        if self.failed:
            return "FAILED"
        if not self.samples or self.target_ms is None:
            return ""
        return "ok" if self.median_ms <= self.target_ms else "OVER TARGET"

    def line(self) -> str:
        if not self.samples:
            return f"{self.name}: {self.text}" + (f" ({self.note})" if self.note else "")
        text = (f"{self.name}: median {_ms(self.median_ms)} "
                f"(p95 {_ms(self.p95_ms)}, n={len(self.samples)})")
        if self.target_ms is not None:
            text += f" — target ≤ {self.target_ms:g} ms: {self.verdict}"
        if self.note:
            text += f" [{self.note}]"
        return text

    def row(self) -> tuple[str, str, str, str, str, str]:
        if not self.samples:
            return (self.name, self.short or self.text.split(":")[0], "", "",
                    self.target_text, "FAILED" if self.failed else self.outcome)
        target = f"≤ {self.target_ms:g} ms" if self.target_ms is not None else "—"
        return (self.name, _ms(self.median_ms), _ms(self.p95_ms), str(len(self.samples)),
                target, self.verdict)


def _ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def report(figure: Figure) -> Figure:
    print(figure.line(), flush=True)
    return figure


def summary_table(figures: list[Figure]) -> str:
    """Aligned columns; figures without samples get their full line under the table."""
    header = ("benchmark", "median", "p95", "n", "target", "verdict")
    rows = [header, *(figure.row() for figure in figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths,
                                                                        strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    lines += [f"* {figure.line()}" for figure in figures if not figure.samples]
    return "\n".join(lines)
