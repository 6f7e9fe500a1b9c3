"""Verdicts and the JSON-serialisable results that `grader.run.grade` returns."""

from __future__ import annotations

import math
import platform
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    AC = "AC"  # accepted
    WA = "WA"  # wrong answer (also: output that is not plain data, or partial points)
    TLE = "TLE"  # CPU time or wall-clock limit exceeded
    MLE = "MLE"  # memory limit exceeded
    OLE = "OLE"  # output limit exceeded (printed too much, returned too much, or wrote too big a file)
    RE = "RE"  # runtime error: an exception, a crash, or the process ended during the case
    CE = "CE"  # compile error: a syntax or import error, or no entry point
    IE = "IE"  # internal error: the grader's fault, never the learner's

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Verdict.AC: "Accepted",
    Verdict.WA: "Wrong answer",
    Verdict.TLE: "Time limit exceeded",
    Verdict.MLE: "Memory limit exceeded",
    Verdict.OLE: "Output limit exceeded",
    Verdict.RE: "Runtime error",
    Verdict.CE: "Compile error",
    Verdict.IE: "Internal error",
}


@dataclass(frozen=True)
class MetricResult:
    """A figure a lab case reached and the bar it needed: a metric (cosine 0.99991 >= 0.999) or an artifact
    constraint (nodes 14 <= 12). `bound` is "min" (value must be at least `bar`) or "max" (at most)."""

    name: str
    value: float | None
    bar: float
    bound: str
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        if value is not None and not math.isfinite(value):
            value = None  # JSON has no inf/nan; a missing figure never passes
        return {"name": self.name, "value": value, "bar": self.bar, "bound": self.bound, "passed": self.passed}


@dataclass(frozen=True)
class StageResult:
    """One stage of a case (a run of the submission, or "load": the trusted loader opening its artifact)."""

    name: str
    verdict: Verdict
    time_ms: float | None = None
    peak_memory_kb: int | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "verdict": str(self.verdict),
            "time_ms": None if self.time_ms is None else round(self.time_ms, 1),
            "peak_memory_kb": self.peak_memory_kb,
            "message": self.message,
        }


@dataclass(frozen=True)
class CaseResult:
    """One case's outcome. `message` and `diff` are filled for visible cases only; `stages` and `metrics`
    only for lab exercises (hidden cases keep the figures, and stages without their messages)."""

    name: str
    visible: bool
    verdict: Verdict
    points: float
    max_points: float
    time_ms: float | None = None
    peak_memory_kb: int | None = None
    message: str = ""
    diff: str = ""
    stages: tuple[StageResult, ...] = ()
    metrics: tuple[MetricResult, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "visible": self.visible,
            "verdict": str(self.verdict),
            "points": self.points,
            "max_points": self.max_points,
            "time_ms": None if self.time_ms is None else round(self.time_ms, 1),
            "peak_memory_kb": self.peak_memory_kb,
            "message": self.message,
            "diff": self.diff,
            "stages": [stage.to_dict() for stage in self.stages],
            "metrics": [metric.to_dict() for metric in self.metrics],
        }


def cpu_device() -> dict[str, str]:
    """Where a Python exercise runs: this machine's processor."""
    return {"kind": "cpu", "name": platform.processor() or "CPU"}


@dataclass(frozen=True)
class GradeResult:
    """A whole submission's outcome: the first failing case's verdict (AC when all pass), the score, the cases."""

    slug: str
    verdict: Verdict
    score: float
    max_score: float
    cases: tuple[CaseResult, ...] = ()
    message: str = ""
    sandboxed: bool = True
    warnings: tuple[str, ...] = field(default=())
    # Where it ran: {"kind": "cpu" | "cuda-simulator" | "gpu", "name": ...}
    device: dict[str, str] = field(default_factory=cpu_device)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "verdict": str(self.verdict),
            "score": round(self.score, 4),
            "max_score": self.max_score,
            "percent": round(self.percent, 2),
            "message": self.message,
            "sandboxed": self.sandboxed,
            "warnings": list(self.warnings),
            "device": dict(self.device),
            "cases": [case.to_dict() for case in self.cases],
        }
