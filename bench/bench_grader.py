"""Grader: each NumPy exercise's reference graded in the bubblewrap sandbox vs in a plain subprocess (goal ≤ 1.3×).

Run with `python bench/bench_grader.py` (no Django needed). Both sides go through the same `grade()` path
(one Python start per submission, every case, the same checkers); only the process is different. Each is
timed several times, alternating, and the best run is kept. The last row is the throughput of two graders
in parallel (the 2-core target machine) on sandboxed submissions.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.bundles import Bundle, load_all
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import SandboxConfig, sandbox_problem

RUNS = 3
GOAL_RATIO = 1.3
PARALLEL = 2


def _time(bundle: Bundle, config: SandboxConfig, *, sandboxed: bool) -> float:
    started = time.perf_counter()
    result = grade(bundle, bundle.reference_source(), sandbox=config, trusted=not sandboxed)
    elapsed = time.perf_counter() - started
    if result.verdict is not Verdict.AC:
        raise RuntimeError(f"{bundle.slug}: the reference got {result.verdict}")
    return elapsed


def main() -> list[dict[str, Any]]:
    config = SandboxConfig()
    problem = sandbox_problem(config)
    if problem:
        return [{"exercise": "(skipped)", "note": problem}]
    # The lab's exercises are in bench_lab.py, C++ ones in bench_cpp.py, timed ones in bench_kernels.py.
    bundles = [b for b in load_all() if not b.is_lab and b.language == "python" and b.timing is None]
    rows: list[dict[str, Any]] = []
    total_sandbox = total_plain = 0.0
    for bundle in bundles:
        sandbox_times, plain_times = [], []
        for _ in range(RUNS):
            plain_times.append(_time(bundle, config, sandboxed=False))
            sandbox_times.append(_time(bundle, config, sandboxed=True))
        best_sandbox, best_plain = min(sandbox_times), min(plain_times)
        total_sandbox += best_sandbox
        total_plain += best_plain
        rows.append(
            {
                "exercise": bundle.slug,
                "cases": len(bundle.cases),
                "plain ms": round(best_plain * 1000, 1),
                "sandboxed ms": round(best_sandbox * 1000, 1),
                "ratio": round(best_sandbox / best_plain, 2),
                "goal": f"≤ {GOAL_RATIO}",
            }
        )
    ratio = total_sandbox / total_plain
    rows.append(
        {
            "exercise": "TOTAL",
            "cases": sum(len(b.cases) for b in bundles),
            "plain ms": round(total_plain * 1000, 1),
            "sandboxed ms": round(total_sandbox * 1000, 1),
            "ratio": round(ratio, 2),
            "goal": f"≤ {GOAL_RATIO} ({'met' if ratio <= GOAL_RATIO else 'MISSED'})",
        }
    )
    jobs = bundles * 2
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        list(pool.map(lambda b: _time(b, config, sandboxed=True), jobs))
    elapsed = time.perf_counter() - started
    rows.append(
        {
            "exercise": f"throughput, {PARALLEL} graders in parallel",
            "cases": sum(len(b.cases) for b in jobs),
            "plain ms": "",
            "sandboxed ms": round(elapsed * 1000, 1),
            "ratio": "",
            "goal": f"{len(jobs) / elapsed * 60:.0f} submissions/minute",
        }
    )
    return rows


if __name__ == "__main__":
    for row in main():
        print(row)
