"""Honesty of the timer: the same submission graded ten times gets the same speed-up, within ±5 % of the
median. The figures are CPU times read from /proc, so other programs' load mostly cancels; on a machine
busier than its cores (load average above the core count) caches and SMT siblings are shared too, the
per-round spread grows, and this test says so and skips (bench/bench_kernels.py reports the spread there).

The exercise is the int8 GEMM: its baseline and its reference are both bound by arithmetic, so their ratio
holds when the processor's clock moves. Against a Python loop (pairwise-distances) a vectorised answer's
ratio follows the clock (the loop speeds up with it, the memory-bound answer does not): measured on an idle
2-core VM, ten gradings spread from -7 % to +6 % there, against -3.9 % to +1.9 % here (eight at 512³).
"""

from __future__ import annotations

import os
import statistics
from dataclasses import replace

import pytest

from grader.bundles import EXERCISES_DIR, load_bundle
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import SandboxConfig

GRADINGS = 10
TOLERANCE = 0.05


@pytest.mark.slow
def test_the_same_solution_gets_the_same_speedup(sandbox: SandboxConfig, gxx: str) -> None:
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0]
    if load > cores:
        pytest.skip(f"the machine is overloaded (load average {load:.1f} on {cores} cores): the ±5 % bound needs "
                    "the timed process to have a core of its own")  # fmt: skip
    # At 256³ rather than the exercise's 512³, where a grading's round costs a fifth as much, and with up to
    # 2 x 300 rounds instead of 2 x 80 where the per-round ratios stay noisy. On the 2-core VM every grading is
    # noisy (per-round ratios vary by 15-25 %) and the figure's error shrinks with the square root of the
    # rounds: ten gradings of 160 rounds spread by -2.4 % to +3.2 % on the idle VM, but by more than ±5 % in a
    # CI run on the same machine (3.69 to 3.99 in the first six); 600 rounds cut that error by half again.
    bundle = load_bundle(EXERCISES_DIR / "cpp-int8-gemm")
    assert bundle.timing is not None
    bundle = replace(bundle, timing=replace(bundle.timing, size=256, max_rounds=300))
    speedups = []
    for _ in range(GRADINGS):
        result = grade(bundle, bundle.reference_source(), sandbox=sandbox)
        # Timed, whether or not it reaches the exercise's 4×: at 256³ the reference sits near it (3.6-4.1×).
        assert all(c.verdict is Verdict.AC for c in result.cases), result.message
        assert result.timing is not None and result.timing.speedup is not None, result.timing
        speedups.append(result.timing.speedup)
    median = statistics.median(speedups)
    assert all(abs(s / median - 1) <= TOLERANCE for s in speedups), speedups
