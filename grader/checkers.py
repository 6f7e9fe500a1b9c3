"""Checkers: compare a submission's outputs with the expected ones, in the trusted process, on plain arrays.

Each returns a `CheckOutcome`: the fraction of the case's points earned (1.0 is accepted) and, for the learner,
a short message and a diff. Custom checkers ship with a bundle as `checker.py` (trusted code, run here, outside
the sandbox) and define `check(arguments, expected, actual) -> (fraction, message)` on lists of arrays.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader.bundles import CheckerSpec
from grader.outputs import Outputs

MAX_DIFF_ITEMS = 5


@dataclass(frozen=True)
class CheckOutcome:
    fraction: float
    message: str = ""
    diff: str = ""

    @property
    def accepted(self) -> bool:
        return self.fraction >= 1.0


ACCEPTED = CheckOutcome(1.0)


def _fail(message: str, diff: str = "") -> CheckOutcome:
    return CheckOutcome(0.0, message, diff)


def _structure(expected: Outputs, actual: Outputs) -> CheckOutcome | None:
    if len(expected.parts) != len(actual.parts):
        what = f"a tuple of {len(expected.parts)} outputs" if expected.is_tuple else "a single output"
        return _fail(f"expected {what}, got {actual.describe()}")
    return None


def _label(expected: Outputs, index: int) -> str:
    return f"output {index}" if expected.is_tuple else "the output"


def _shape_dtype(exp: np.ndarray, act: np.ndarray, label: str, spec: CheckerSpec) -> CheckOutcome | None:
    textual = exp.dtype.kind in "US"
    if textual != (act.dtype.kind in "US"):
        return _fail(f"{label}: expected {'text' if textual else 'numbers'} ({exp.dtype}), got {act.dtype}")
    if exp.shape != act.shape:
        return _fail(f"{label}: shape {act.shape}, expected {exp.shape}")
    if spec.strict_dtype and exp.dtype != act.dtype:
        return _fail(f"{label}: dtype {act.dtype}, expected {exp.dtype}")
    if (exp.dtype.kind == "b") != (act.dtype.kind == "b"):
        return _fail(f"{label}: dtype {act.dtype}, expected {exp.dtype}")
    if exp.dtype.kind in "iub" and act.dtype.kind in "fc":
        return _fail(f"{label}: dtype {act.dtype}, expected integers ({exp.dtype})")
    return None


def _diff_lines(exp: np.ndarray, act: np.ndarray, mismatch: np.ndarray) -> str:
    lines = []
    for index in np.argwhere(mismatch)[:MAX_DIFF_ITEMS]:
        key = tuple(int(i) for i in index)
        lines.append(f"at {list(key)}: got {act[key]!r}, expected {exp[key]!r}")
    return "\n".join(lines)


def compare_arrays(exp: np.ndarray, act: np.ndarray, spec: CheckerSpec, label: str) -> CheckOutcome:
    """Numeric comparison with the spec's rtol/atol for the expected dtype (exact for integers by default)."""
    problem = _shape_dtype(exp, act, label, spec)
    if problem:
        return problem
    if exp.dtype.kind in "US":
        if np.array_equal(exp, act):
            return ACCEPTED
        return _fail(f"{label}: text differs", _diff_lines(exp, act, np.atleast_1d(exp != act).reshape(exp.shape)))
    if exp.size == 0:
        return ACCEPTED
    rtol, atol = spec.tolerance(exp.dtype)
    e = exp.astype(np.complex128 if exp.dtype.kind == "c" else np.float64)
    a = act.astype(np.complex128 if act.dtype.kind == "c" else np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
        mismatch = ~np.asarray(close, dtype=bool)
        if not mismatch.any():
            return ACCEPTED
        abs_err = np.abs(a - e)
        rel_err = abs_err / np.maximum(np.abs(e), np.finfo(np.float64).tiny)
    finite = np.isfinite(abs_err)
    max_abs = float(abs_err[finite].max()) if finite.any() else float("inf")
    max_rel = float(rel_err[finite].max()) if finite.any() else float("inf")
    fraction = float(mismatch.mean())
    message = (
        f"{label}: {int(mismatch.sum())} of {exp.size} elements differ ({fraction:.1%}); "
        f"max abs error {max_abs:.3g}, max rel error {max_rel:.3g} (rtol {rtol:g}, atol {atol:g} for {exp.dtype})"
    )
    if (~finite).any():
        message += f"; {int((~finite).sum())} element(s) are inf or nan where a number was expected"
    return _fail(message, _diff_lines(exp, act, mismatch))


def check_exact(expected: Outputs, actual: Outputs, spec: CheckerSpec) -> CheckOutcome:
    problem = _structure(expected, actual)
    if problem:
        return problem
    exact = CheckerSpec(kind="exact", tolerances={}, strict_dtype=spec.strict_dtype)
    for i, (exp, act) in enumerate(zip(expected.parts, actual.parts, strict=True)):
        label = _label(expected, i)
        problem = _shape_dtype(exp, act, label, exact)
        if problem:
            return problem
        if not np.array_equal(exp, act):
            diff = _diff_lines(exp, act, np.atleast_1d(exp != act).reshape(exp.shape))
            return _fail(f"{label}: values differ", diff)
    return ACCEPTED


def _normalise(text: str) -> str:
    return " ".join(text.split())


def check_text(expected: Outputs, actual: Outputs, spec: CheckerSpec) -> CheckOutcome:
    """Text compared with runs of whitespace (spaces, tabs, newlines) treated as one space."""
    problem = _structure(expected, actual)
    if problem:
        return problem
    for i, (exp, act) in enumerate(zip(expected.parts, actual.parts, strict=True)):
        label = _label(expected, i)
        if exp.dtype.kind not in "US" or act.dtype.kind not in "US" or exp.shape != act.shape:
            return _fail(f"{label}: expected text {exp.shape}, got {act.dtype}{list(act.shape)}")
        for e, a in zip(exp.reshape(-1).tolist(), act.reshape(-1).tolist(), strict=True):
            if _normalise(str(e)) != _normalise(str(a)):
                return _fail(f"{label}: text differs", f"got      {str(a)[:200]!r}\nexpected {str(e)[:200]!r}")
    return ACCEPTED


def check_numeric(expected: Outputs, actual: Outputs, spec: CheckerSpec) -> CheckOutcome:
    problem = _structure(expected, actual)
    if problem:
        return problem
    for i, (exp, act) in enumerate(zip(expected.parts, actual.parts, strict=True)):
        outcome = compare_arrays(exp, act, spec, _label(expected, i))
        if not outcome.accepted:
            return outcome
    return ACCEPTED


def _match_rows(exp: np.ndarray, act: np.ndarray, rtol: float, atol: float) -> list[int]:
    """Greedy one-to-one matching of rows within tolerance; returns the expected rows left unmatched."""
    unmatched: list[int] = []
    free = np.ones(len(act), dtype=bool)
    for i, row in enumerate(exp):
        close = np.all(np.isclose(act, row, rtol=rtol, atol=atol, equal_nan=True), axis=1) & free
        hits = np.flatnonzero(close)
        if hits.size:
            free[hits[0]] = False
        else:
            unmatched.append(i)
    return unmatched


def check_unordered(expected: Outputs, actual: Outputs, spec: CheckerSpec) -> CheckOutcome:
    """Each output is a collection whose order does not matter: the rows of a 2-D array (boxes, say) or the
    items of a 1-D one, matched one to one within the dtype's tolerance."""
    problem = _structure(expected, actual)
    if problem:
        return problem
    for i, (exp, act) in enumerate(zip(expected.parts, actual.parts, strict=True)):
        label = _label(expected, i)
        if exp.ndim == 0:
            outcome = compare_arrays(exp, act, spec, label)
            if not outcome.accepted:
                return outcome
            continue
        if act.ndim != exp.ndim or act.shape[1:] != exp.shape[1:]:
            return _fail(f"{label}: shape {act.shape}, expected (N, {', '.join(map(str, exp.shape[1:]))})")
        if len(act) != len(exp):
            return _fail(f"{label}: {len(act)} items, expected {len(exp)}")
        problem = _shape_dtype(exp, act, label, spec)
        if problem:
            return problem
        rtol, atol = spec.tolerance(exp.dtype)
        e = exp.reshape(len(exp), -1).astype(np.float64)
        a = act.reshape(len(act), -1).astype(np.float64)
        missing = _match_rows(e, a, rtol, atol)
        if missing:
            shown = "\n".join(f"no match for expected item {j}: {exp[j].tolist()}" for j in missing[:MAX_DIFF_ITEMS])
            return _fail(f"{label}: {len(missing)} of {len(exp)} expected items have no match (any order)", shown)
    return ACCEPTED


CustomCheck = Callable[[dict[str, Any], list[np.ndarray], list[np.ndarray]], tuple[float, str]]
_custom_cache: dict[Path, CustomCheck] = {}


def load_custom_checker(path: Path) -> CustomCheck:
    """Import a bundle's checker.py (trusted content reviewed like code) once per process."""
    path = path.resolve()
    if path not in _custom_cache:
        spec = importlib.util.spec_from_file_location(f"grader_custom_checker_{path.parent.name}", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        check = getattr(module, "check", None)
        if not callable(check):
            raise ImportError(f"{path} defines no check(arguments, expected, actual)")
        _custom_cache[path] = check
    return _custom_cache[path]


def run_checker(
    spec: CheckerSpec,
    expected: Outputs,
    actual: Outputs,
    *,
    arguments: dict[str, Any] | None = None,
    custom: Path | None = None,
) -> CheckOutcome:
    if spec.kind == "exact":
        return check_exact(expected, actual, spec)
    if spec.kind == "text":
        return check_text(expected, actual, spec)
    if spec.kind == "unordered":
        return check_unordered(expected, actual, spec)
    if spec.kind == "custom":
        if custom is None:
            raise ValueError("a custom checker needs the bundle's checker.py")
        problem = _structure(expected, actual)
        if problem:
            return problem
        fraction, message = load_custom_checker(custom)(arguments or {}, list(expected.parts), list(actual.parts))
        return CheckOutcome(min(1.0, max(0.0, float(fraction))), str(message))
    return check_numeric(expected, actual, spec)
