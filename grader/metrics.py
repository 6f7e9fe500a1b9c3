"""Metric checks for approximate work (a converted, fused, quantised or fp16 model): pure functions from the
expected and actual outputs to a figure, and the bar it must reach. No runtime, no clock, no file.

    allclose         the share of elements within rtol/atol of the expected ones (bar: 1.0, every element)
    cosine           cosine similarity of the flattened outputs (1.0 is identical direction)
    snr_db           10·log10(Σ expected² / Σ (expected − actual)²): signal-to-noise ratio in decibels
    top1_agreement   the share of rows (last axis = classes) whose argmax is the same
    max_abs_error    the largest |expected − actual|
    mean_abs_error   the mean |expected − actual|
    accuracy_delta   |top-1 accuracy of actual − top-1 accuracy of expected| against given labels (the case's
                     hidden `labels`): a quantised model may decide differently, not worse

A figure that cannot be computed (a shape that differs, NaN or infinity in the output) is None, and None
never passes. Each spec names its output (`output = 1`) or applies to each output in turn, the worst one
being reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from grader.bundles import MetricSpec
from grader.results import MetricResult

HIGHER_IS_BETTER = {"allclose", "cosine", "snr_db", "top1_agreement"}
SNR_CAP_DB = 200.0  # identical outputs: a finite figure, far above any bar


def _pair(expected: np.ndarray, actual: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    if expected.shape != actual.shape or actual.dtype.kind not in "biuf" or expected.dtype.kind not in "biuf":
        return None
    e = expected.astype(np.float64).reshape(-1)
    a = actual.astype(np.float64).reshape(-1)
    if not np.all(np.isfinite(a)):
        return None
    return e, a


def allclose_share(expected: np.ndarray, actual: np.ndarray, rtol: float, atol: float) -> float | None:
    pair = _pair(expected, actual)
    if pair is None:
        return None
    e, a = pair
    if e.size == 0:
        return 1.0
    return float(np.mean(np.abs(a - e) <= atol + rtol * np.abs(e)))


def cosine(expected: np.ndarray, actual: np.ndarray) -> float | None:
    pair = _pair(expected, actual)
    if pair is None:
        return None
    e, a = pair
    ne, na = float(np.linalg.norm(e)), float(np.linalg.norm(a))
    if ne == 0.0 and na == 0.0:
        return 1.0
    if ne == 0.0 or na == 0.0:
        return 0.0
    return float(np.dot(e, a) / (ne * na))


def snr_db(expected: np.ndarray, actual: np.ndarray) -> float | None:
    pair = _pair(expected, actual)
    if pair is None:
        return None
    e, a = pair
    noise = float(np.sum((e - a) ** 2))
    signal = float(np.sum(e**2))
    if noise == 0.0:
        return SNR_CAP_DB
    if signal == 0.0:
        return -SNR_CAP_DB
    return min(SNR_CAP_DB, 10.0 * math.log10(signal / noise))


def top1_agreement(expected: np.ndarray, actual: np.ndarray) -> float | None:
    if expected.shape != actual.shape or expected.ndim == 0 or expected.shape[-1] == 0:
        return None
    if actual.dtype.kind not in "biuf" or not np.all(np.isfinite(actual.astype(np.float64))):
        return None
    e = expected.reshape(-1, expected.shape[-1]).argmax(axis=-1)
    a = actual.reshape(-1, actual.shape[-1]).argmax(axis=-1)
    return float(np.mean(e == a)) if e.size else 1.0


def max_abs_error(expected: np.ndarray, actual: np.ndarray) -> float | None:
    pair = _pair(expected, actual)
    if pair is None:
        return None
    e, a = pair
    return float(np.max(np.abs(e - a))) if e.size else 0.0


def mean_abs_error(expected: np.ndarray, actual: np.ndarray) -> float | None:
    pair = _pair(expected, actual)
    if pair is None:
        return None
    e, a = pair
    return float(np.mean(np.abs(e - a))) if e.size else 0.0


_FIGURES: dict[str, Callable[[np.ndarray, np.ndarray], float | None]] = {
    "cosine": cosine,
    "snr_db": snr_db,
    "top1_agreement": top1_agreement,
    "max_abs_error": max_abs_error,
    "mean_abs_error": mean_abs_error,
}


def accuracy_delta(expected: np.ndarray, actual: np.ndarray, labels: np.ndarray | None) -> float | None:
    if labels is None or expected.shape != actual.shape or expected.ndim == 0:
        return None
    if actual.dtype.kind not in "biuf" or not np.all(np.isfinite(actual.astype(np.float64))):
        return None
    flat_labels = np.asarray(labels).reshape(-1)
    e = expected.reshape(-1, expected.shape[-1]).argmax(axis=-1)
    a = actual.reshape(-1, actual.shape[-1]).argmax(axis=-1)
    if flat_labels.shape != e.shape:
        return None
    return abs(float(np.mean(a == flat_labels)) - float(np.mean(e == flat_labels)))


def figure(
    spec: MetricSpec, expected: np.ndarray, actual: np.ndarray, labels: np.ndarray | None = None
) -> float | None:
    if spec.kind == "accuracy_delta":
        return accuracy_delta(expected, actual, labels)
    if spec.kind == "allclose":
        return allclose_share(expected, actual, spec.rtol, spec.atol)
    return _FIGURES[spec.kind](expected, actual)


def bar_of(spec: MetricSpec) -> tuple[float, str]:
    """(bar, "min" | "max"): allclose needs every element (1.0) unless the spec sets `min`."""
    if spec.min is not None:
        return spec.min, "min"
    if spec.max is not None:
        return spec.max, "max"
    return 1.0, "min"


def passes(value: float | None, bar: float, bound: str) -> bool:
    if value is None or not math.isfinite(value):
        return False
    return value >= bar if bound == "min" else value <= bar


def evaluate(
    specs: Sequence[MetricSpec],
    expected: Sequence[np.ndarray],
    actual: Sequence[np.ndarray],
    *,
    labels: np.ndarray | None = None,
) -> list[MetricResult]:
    """One result per spec (the worst output's figure when the spec names no output). A missing output or a
    count that differs is reported as a figure of None, which fails."""
    results = []
    for spec in specs:
        bar, bound = bar_of(spec)
        if len(expected) != len(actual):
            results.append(
                MetricResult(f"{spec.name} (outputs {len(actual)}/{len(expected)})", None, bar, bound, False)
            )
            continue
        indexes = [spec.output] if spec.output is not None else list(range(len(expected)))
        worst: float | None = None
        worst_set = False
        for index in indexes:
            if index >= len(expected):
                value = None
            else:
                value = figure(spec, np.asarray(expected[index]), np.asarray(actual[index]), labels)
            if value is None:
                worst, worst_set = None, True
                break
            if not worst_set or (worst is not None and (value < worst if bound == "min" else value > worst)):
                worst, worst_set = value, True
        results.append(MetricResult(spec.name, worst, bar, bound, passes(worst, bar, bound)))
    return results


def describe(result: MetricResult) -> str:
    """'cosine 0.99812 < 0.999 needed' for a learner."""
    shown = "not computable (shape, dtype or a NaN/inf differs)" if result.value is None else f"{result.value:.6g}"
    sign = ">=" if result.bound == "min" else "<="
    state = "ok" if result.passed else "needed"
    return f"{result.name} {shown}, {sign} {result.bar:g} {state}"
