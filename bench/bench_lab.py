"""Deployment lab: grading latency per exercise, each runtime's import inside the sandbox vs outside, worker memory.

Run with `python bench/bench_lab.py [--runs N] [--submissions N]` (no Django needed); `make bench` runs it with
the defaults (3 gradings per exercise, 200 submissions for the memory row; BENCH_LAB_RUNS and
BENCH_LAB_SUBMISSIONS change them).

* Latency: each lab exercise's reference graded through the sandbox (every stage and the artifact loader),
  p50 and worst of the runs, and p50 per 10 cases. Goal: p50 ≤ 10 s for ONNX Runtime exercises with 10 cases.
* Import: `import <runtime>` timed inside a fresh process, in the sandbox and in a plain subprocess (best of
  the runs each, with the same one-thread environment). Goal: sandbox / plain ≤ 1.3.
* Memory: the grading process's resident set after a warm-up of 10 submissions and after all of them (one
  exercise's examples, graded again and again as a worker does). Goal: growth ≤ 10%.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.bundles import Bundle, load_all, load_bundle
from grader.outputs import decode_outputs
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import CaseInput, Job, SandboxConfig, Status, run_job, sandbox_problem
from grader.toolchains import TOOLCHAINS, available

LATENCY_GOAL_S = 10.0
IMPORT_GOAL = 1.3
MEMORY_GOAL = 0.10
WARM_UP = 10
MEMORY_EXERCISE = "onnx-build-conv-bn-relu"
IMPORT_CODE = (
    "import time\n\ndef measure(module):\n    started = time.perf_counter()\n"
    "    __import__(module)\n    return time.perf_counter() - started\n"
)


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def latency(bundles: list[Bundle], config: SandboxConfig, runs: int) -> list[dict[str, Any]]:
    rows = []
    for bundle in bundles:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            result = grade(bundle, bundle.reference_source(), sandbox=config)
            times.append(time.perf_counter() - started)
            if result.verdict is not Verdict.AC:
                raise RuntimeError(f"{bundle.slug}: the reference got {result.verdict}")
        p50 = statistics.median(times)
        per10 = p50 * 10 / len(bundle.cases)
        ort = "onnxruntime" in bundle.all_toolchains
        sandboxes = len(bundle.stages) + bool(bundle.artifact)
        rows.append(
            {
                "measure": f"grade {bundle.slug} ({len(bundle.cases)} cases, {sandboxes} sandboxes)",
                "value": f"p50 {p50:.2f} s, worst {max(times):.2f} s, p50 per 10 cases {per10:.2f} s",
                "goal": f"≤ {LATENCY_GOAL_S:g} s per 10 cases ({'met' if per10 <= LATENCY_GOAL_S else 'MISSED'})"
                if ort
                else "",
            }
        )
    return rows


def _import_seconds(module: str, config: SandboxConfig, *, sandboxed: bool) -> float:
    job = Job(
        entry_point="measure",
        code=IMPORT_CODE,
        cases=(CaseInput(0, b"", json.dumps({"module": module}).encode()),),
        cpu_limit_s=30.0,
        memory_limit_mb=1024,
        output_limit_bytes=1 << 16,
    )
    (raw,) = run_job(job, config, sandboxed=sandboxed)
    if raw.status is not Status.OK or raw.payload is None:
        raise RuntimeError(
            f"import {module} failed ({'sandbox' if sandboxed else 'plain'}): {raw.status} {raw.message}"
        )
    return float(decode_outputs(raw.payload, max_bytes=1 << 16).parts[0])


def imports(config: SandboxConfig, runs: int) -> list[dict[str, Any]]:
    rows = []
    for name, version in available().items():
        if version is None or name == "numpy":
            continue
        module = TOOLCHAINS[name].module
        inside = min(_import_seconds(module, config, sandboxed=True) for _ in range(runs))
        outside = min(_import_seconds(module, config, sandboxed=False) for _ in range(runs))
        ratio = inside / outside if outside else float("inf")
        rows.append(
            {
                "measure": f"import {module} {version}",
                "value": f"sandbox {inside * 1000:.0f} ms, plain {outside * 1000:.0f} ms, ratio {ratio:.2f}",
                "goal": f"≤ {IMPORT_GOAL} ({'met' if ratio <= IMPORT_GOAL else 'MISSED'})",
            }
        )
    return rows


def memory(config: SandboxConfig, submissions: int) -> list[dict[str, Any]]:
    bundle = load_bundle(Path(__file__).resolve().parent.parent / "fixtures" / "exercises" / MEMORY_EXERCISE)
    code = bundle.reference_source()
    warm = 0
    started = time.perf_counter()
    for number in range(1, submissions + 1):
        grade(bundle, code, cases="visible", sandbox=config)
        if number == min(WARM_UP, submissions):
            warm = _rss_kb()
    end = _rss_kb()
    growth = (end - warm) / warm if warm else 0.0
    elapsed = time.perf_counter() - started
    return [
        {
            "measure": f"worker RSS over {submissions} submissions of {MEMORY_EXERCISE} ({elapsed:.0f} s)",
            "value": f"{warm / 1024:.1f} MB after {min(WARM_UP, submissions)}, {end / 1024:.1f} MB at the end, "
            f"{growth * 100:+.1f}%",
            "goal": f"≤ +{MEMORY_GOAL * 100:.0f}% ({'met' if growth <= MEMORY_GOAL else 'MISSED'})",
        }
    ]


def main(runs: int | None = None, submissions: int | None = None) -> list[dict[str, Any]]:
    runs = runs or int(os.environ.get("BENCH_LAB_RUNS", "3"))
    submissions = submissions or int(os.environ.get("BENCH_LAB_SUBMISSIONS", "200"))
    config = SandboxConfig()
    problem = sandbox_problem(config)
    if problem:
        return [{"measure": "(skipped)", "value": problem, "goal": ""}]
    bundles = [b for b in load_all() if b.is_lab]
    cpus = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    rows = [{"measure": "machine", "value": f"{cpus} CPUs, load average {load:.1f} at the start", "goal": ""}]
    rows += latency(bundles, config, runs)
    rows += imports(config, runs)
    rows += memory(config, submissions)
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="gradings per exercise and imports per runtime")
    parser.add_argument("--submissions", type=int, default=None, help="submissions for the memory row (200)")
    arguments = parser.parse_args()
    for row in main(arguments.runs, arguments.submissions):
        print(row)
