"""Verdicts and the JSON-serialisable results that `grader.run.grade` returns."""

from __future__ import annotations

import math
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


@dataclass(frozen=True)
class Device:
    """Where a submission ran: kind "cpu" | "cuda-simulator" | "gpu", and the processor's name."""

    kind: str = "cpu"
    name: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name}


def this_cpu() -> Device:
    from grader.roofline import cpu_model  # reads /proc/cpuinfo, no measurement

    return Device("cpu", cpu_model())


@dataclass(frozen=True)
class Roofline:
    """The least work of one call (generate.py's `work`), what the submission achieved and the machine's peaks."""

    bytes: int
    flops: int
    achieved_gbps: float
    achieved_gflops: float
    peak_gbps: float
    peak_gflops: float

    @property
    def share(self) -> float:
        """The larger share of a ceiling reached (1.0 would be running at the machine's limit)."""
        return max(self.achieved_gbps / self.peak_gbps, self.achieved_gflops / self.peak_gflops)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bytes": self.bytes,
            "flops": self.flops,
            "achieved_gbps": round(self.achieved_gbps, 4),
            "achieved_gflops": round(self.achieved_gflops, 4),
            "peak_gbps": round(self.peak_gbps, 4),
            "peak_gflops": round(self.peak_gflops, 4),
            "share": round(self.share, 4),
        }


@dataclass(frozen=True)
class TimingReport:
    """A timed exercise's measurement (docs/lab.md, "Generated cases and timed exercises", lists its keys).
    Times are CPU milliseconds."""

    status: str  # measured | noisy | rejected | skipped
    min_speedup: float
    message: str = ""
    speedup: float | None = None
    passed: bool = False
    band_score: float = 0.0
    rounds: int = 0
    cv: float = 0.0
    submission_ms: dict[str, float] | None = None
    baseline_ms: dict[str, float] | None = None
    ratio: dict[str, float] | None = None
    roofline: Roofline | None = None
    held_for_review: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "speedup": None if self.speedup is None else round(self.speedup, 4),
            "min_speedup": self.min_speedup,
            "passed": self.passed,
            "band_score": self.band_score,
            "rounds": self.rounds,
            "cv": round(self.cv, 5),
            "submission_ms": self.submission_ms,
            "baseline_ms": self.baseline_ms,
            "ratio": self.ratio,
            "roofline": None if self.roofline is None else self.roofline.to_dict(),
            "held_for_review": self.held_for_review,
            "message": self.message,
        }


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
    device: Device = field(default_factory=this_cpu)
    timing: TimingReport | None = None  # None for an exercise that is not timed

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
            "cases": [case.to_dict() for case in self.cases],
            "device": self.device.to_dict(),
            "timing": None if self.timing is None else self.timing.to_dict(),
        }
