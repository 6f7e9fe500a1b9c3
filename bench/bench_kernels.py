"""Timed exercises: the speed-up's run-to-run spread (goal ≤ 5 %) and the time one grading takes.

The spread is that of one submission graded again and again; a grading is the stored, generated and timed
cases together.

Run with `python bench/bench_kernels.py` (no Django needed). Each timed exercise's reference is graded
`RUNS` times through the sandbox; "spread" is the largest distance of a run's speed-up from their median
(goal ≤ 5 %), "grading s" the median wall-clock time of one grading.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.bundles import load_all
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import SandboxConfig, sandbox_problem

RUNS = 10
GOAL_SPREAD = 0.05


def main() -> list[dict[str, Any]]:
    config = SandboxConfig()
    problem = sandbox_problem(config)
    if problem:
        return [{"exercise": "(skipped)", "note": problem}]
    rows: list[dict[str, Any]] = []
    for bundle in [b for b in load_all() if b.timing is not None]:
        speedups, seconds, cvs, rounds, noisy = [], [], [], [], 0
        for _ in range(RUNS):
            started = time.perf_counter()
            result = grade(bundle, bundle.reference_source(), sandbox=config)
            seconds.append(time.perf_counter() - started)
            timing = result.timing
            if result.verdict is not Verdict.AC or timing is None or timing.speedup is None:
                raise RuntimeError(f"{bundle.slug}: the reference got {result.verdict} {result.message}")
            speedups.append(timing.speedup)
            cvs.append(timing.cv)
            rounds.append(timing.rounds)
            noisy += timing.status == "noisy"
        median = statistics.median(speedups)
        spread = max(abs(s / median - 1) for s in speedups)
        rows.append(
            {
                "exercise": bundle.slug,
                "runs": RUNS,
                "speed-up (median)": round(median, 2),
                "min..max": f"{min(speedups):.2f}..{max(speedups):.2f}",
                "spread": f"{spread:.1%}",
                "goal": f"≤ {GOAL_SPREAD:.0%}",
                "met": "yes" if spread <= GOAL_SPREAD else "no",
                "per-round cv (median)": f"{statistics.median(cvs):.1%}",
                "rounds (median)": statistics.median(rounds),
                "noisy runs": noisy,
                "grading s (median)": round(statistics.median(seconds), 1),
            }
        )
    return rows


if __name__ == "__main__":
    for row in main():
        print(row)
