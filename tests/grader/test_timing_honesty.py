"""Honesty of the timer: the same submission graded ten times gets the same speed-up, within ±5 % of the
median. The figures are CPU times read from /proc, so other programs' load mostly cancels; on a machine
busier than its cores (load average above the core count) caches and SMT siblings are shared too, the
per-round spread grows, and this test says so and skips (bench/bench_kernels.py reports the spread there).
"""

from __future__ import annotations

import os
import statistics

import pytest

from grader.bundles import EXERCISES_DIR, load_bundle
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import SandboxConfig

GRADINGS = 10
TOLERANCE = 0.05


@pytest.mark.slow
def test_the_same_solution_gets_the_same_speedup(sandbox: SandboxConfig) -> None:
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0]
    if load > cores:
        pytest.skip(f"the machine is overloaded (load average {load:.1f} on {cores} cores): the ±5 % bound needs "
                    "the timed process to have a core of its own")  # fmt: skip
    bundle = load_bundle(EXERCISES_DIR / "pairwise-distances")
    speedups = []
    for _ in range(GRADINGS):
        result = grade(bundle, bundle.reference_source(), sandbox=sandbox)
        assert result.verdict is Verdict.AC and result.timing is not None and result.timing.speedup is not None
        speedups.append(result.timing.speedup)
    median = statistics.median(speedups)
    assert all(abs(s / median - 1) <= TOLERANCE for s in speedups), speedups
