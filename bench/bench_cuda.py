"""CUDA exercises: a whole grading per exercise on numba's CUDA simulator, in the sandbox (goal p50 ≤ 20 s).

Run with `python bench/bench_cuda.py [--runs N]` (no Django needed). Each exercise's reference and its
plausible wrong answer (tests/grader/kernel_answers/) are graded `--runs` times (default 3) through the same
`grade()` path a worker uses: sandbox start, numba's import, every case. The simulator runs one thread per
CUDA thread, so these times are what a learner waits on a CPU worker; a GPU worker is not measured here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.bundles import Bundle, load_all
from grader.cuda import LANGUAGE
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import SandboxConfig, sandbox_problem

GOAL_S = 20.0
RUNS = 3
ANSWERS = Path(__file__).resolve().parent.parent / "tests" / "grader" / "kernel_answers"


def _grade_s(bundle: Bundle, code: str, config: SandboxConfig, expected: set[Verdict]) -> tuple[float, str]:
    started = time.perf_counter()
    result = grade(bundle, code, sandbox=config)
    elapsed = time.perf_counter() - started
    if result.verdict not in expected:
        raise RuntimeError(f"{bundle.slug}: got {result.verdict}, expected one of {sorted(expected)}")
    return elapsed, result.device.kind


def main(runs: int | None = None) -> list[dict[str, Any]]:
    runs = runs or RUNS
    config = SandboxConfig()
    problem = sandbox_problem(config)
    if problem:
        return [{"exercise": "(skipped)", "note": problem}]
    rows: list[dict[str, Any]] = []
    for bundle in (b for b in load_all() if b.language == LANGUAGE):
        wrong = (ANSWERS / bundle.slug / "wrong.py").read_text(encoding="utf-8")
        reference_s, wrong_s = [], []
        device = ""
        for _ in range(runs):
            elapsed, device = _grade_s(bundle, bundle.reference_source(), config, {Verdict.AC})
            reference_s.append(elapsed)
            wrong_s.append(_grade_s(bundle, wrong, config, {Verdict.WA})[0])
        p50 = statistics.median(reference_s)
        rows.append(
            {
                "exercise": bundle.slug,
                "cases": len(bundle.cases)
                + (len(bundle.generated.sizes) * bundle.generated.inputs_per_size if bundle.generated else 0),
                "device": device,
                "reference p50 s": round(p50, 2),
                "reference max s": round(max(reference_s), 2),
                "wrong answer p50 s": round(statistics.median(wrong_s), 2),
                "goal s": GOAL_S,
                "ok": "yes" if max(p50, statistics.median(wrong_s)) <= GOAL_S else "NO",
            }
        )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help=f"gradings per exercise and answer ({RUNS})")
    for row in main(parser.parse_args().runs):
        print(row)
