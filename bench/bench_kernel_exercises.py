"""Kernel exercises: timed C++ references and too-slow answers vs their baselines (goal: ref ≥ 1.5× bar > slow).

Run with `python bench/bench_kernel_exercises.py` (no Django, no sandbox: g++ and ctypes in this process).
Each kernel is built with the bundle's own flags and called through `grader.harness_cpp.load_kernel`, the
grader's call path (input copies, poisoned outputs, guard bytes), on the bundle's timed size; baseline,
reference and slow answer run in turn, round after round, on the thread's CPU time; the speed-ups are the
medians of the per-round ratios, as the grader's. This measures the content (are the bars fair on this
machine?), not the timed grader itself.
"""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.bundles import EXERCISES_DIR, Bundle, load_bundle
from grader.harness_cpp import KernelCall, load_kernel
from grader.timing_stats import ratios

ANSWERS = Path(__file__).resolve().parent.parent / "tests" / "grader" / "kernel_answers"
TIMED = ("cpp-gemm-blocked", "cpp-dot-avx2", "cpp-int8-gemm", "cpp-im2col-conv")
ROUNDS = 21
HEADROOM = 1.5


def _kernel(bundle: Bundle, source: Path, folder: Path) -> KernelCall:
    assert bundle.cpp is not None  # noqa: S101 - TIMED lists C++ bundles
    library = folder / f"{source.stem}.so"
    subprocess.run(["g++", *bundle.cpp.command_flags, "-o", str(library), str(source)], check=True)
    return load_kernel(str(library), bundle.entry_point, bundle.cpp.args_list())


def _inputs(bundle: Bundle, size: int) -> dict[str, np.ndarray]:
    spec = importlib.util.spec_from_file_location(f"bench_{bundle.slug.replace('-', '_')}", bundle.path / "generate.py")
    assert spec is not None and spec.loader is not None  # noqa: S101
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    inputs: dict[str, np.ndarray] = module.make_inputs(np.random.default_rng(0), size)
    return inputs


def _row(slug: str, folder: Path) -> dict[str, Any]:
    bundle = load_bundle(EXERCISES_DIR / slug)
    timing = tomllib.loads((bundle.path / "exercise.toml").read_text(encoding="utf-8"))["timing"]
    kernels = {
        "baseline": _kernel(bundle, bundle.path / "baseline.cpp", folder / slug),
        "reference": _kernel(bundle, bundle.path / "reference.cpp", folder / slug),
        "slow": _kernel(bundle, ANSWERS / slug / "slow.cpp", folder / slug),
    }
    inputs = _inputs(bundle, timing["size"])
    times: dict[str, list[float]] = {name: [] for name in kernels}
    for _ in range(ROUNDS):
        for name, kernel in kernels.items():
            started = time.thread_time()
            kernel(inputs)
            times[name].append(time.thread_time() - started)
    median = {name: statistics.median(values) for name, values in times.items()}
    bar = float(timing["min_speedup"])
    # The speed-up as the grader figures it (grader/timing_stats.py): the median of the per-round ratios.
    reference = statistics.median(ratios(times["baseline"], times["reference"]))
    slow = statistics.median(ratios(times["baseline"], times["slow"]))
    return {
        "exercise": slug,
        "size": timing["size"],
        "baseline ms": round(median["baseline"] * 1000, 2),
        "reference ms": round(median["reference"] * 1000, 2),
        "slow ms": round(median["slow"] * 1000, 2),
        "bar": f"{bar:g}×",
        "reference speed-up": f"{reference:.2f}×",
        "slow speed-up": f"{slow:.2f}×",
        "goal met": "yes" if reference >= HEADROOM * bar and slow < bar else "NO",
    }


def main() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bq-bench-kernels-") as tmp:
        for slug in TIMED:
            (Path(tmp) / slug).mkdir()
        return [_row(slug, Path(tmp)) for slug in TIMED]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import table

    print(table(main()))
