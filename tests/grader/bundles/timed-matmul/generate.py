"""Inputs of the timed-matmul test bundle: stored cases from a fixed seed, generated ones from the grader's."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from grader.outputs import npz_bytes


def make_inputs(rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
    return {
        "a": rng.standard_normal((size, size), dtype=np.float32),
        "b": rng.standard_normal((size, size), dtype=np.float32),
    }


def reference(a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    return {"c": (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32)}


def work(size: int) -> dict[str, int]:
    return {"bytes": 12 * size * size, "flops": 2 * size**3}


def generate(bundle_dir: Path) -> None:
    rng = np.random.default_rng(11)
    for name, size in (("01", 3), ("02", 17)):
        (bundle_dir / "cases" / f"{name}.in.npz").write_bytes(npz_bytes(make_inputs(rng, size)))
