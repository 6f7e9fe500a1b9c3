"""Generated cases: inputs drawn at grading time from a secret seed by the bundle's trusted generate.py.

generate.py is curator code shipped with the bundle (reviewed like code, as `build` already runs it): its
`make_inputs(rng, size)` and `reference(**inputs)` run here, in the grader's process, never in the sandbox.
The seed comes from `secrets` and never leaves this process, so a submission cannot predict an input.
A call is judged on its outputs (the bundle's checker) and on its inputs, which must come back unchanged.

Two ways in: Python and C++ submissions are served one call at a time (grader/serve.py, `judge_call`);
CUDA submissions, whose simulator needs threads the serving harness refuses, get the drawn cases appended
to the plain harness's job (`drawn_cases`, `case_input`, `judge_raw`).
"""

from __future__ import annotations

import importlib.util
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from grader.bundles import Bundle
from grader.checkers import run_checker
from grader.cuda import launch_problem
from grader.kernel_inputs import changed_input
from grader.outputs import OutputError, Outputs, decode_outputs, npz_bytes
from grader.results import Verdict
from grader.sandbox import FAILED_RUN_VERDICT, CaseInput, RawResult, Status
from grader.serve import CallOutcome

Inputs = dict[str, np.ndarray]


class GeneratorError(RuntimeError):
    """generate.py lacks a function or returns something unusable: the bundle's fault (IE)."""


@dataclass(frozen=True)
class Generator:
    make_inputs: Callable[[np.random.Generator, int], Inputs]
    reference: Callable[..., Any]
    work: Callable[[int], dict[str, int]] | None


_cache: dict[tuple[Path, float], Generator] = {}


def load_generator(bundle: Bundle) -> Generator:
    """The bundle's generate.py functions, loaded the way `build` loads it (once per file version)."""
    path = bundle.generator_path
    key = (path, path.stat().st_mtime)
    if key not in _cache:
        name = f"bundle_generated_{path.parent.name.replace('-', '_')}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise GeneratorError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        make_inputs, reference = getattr(module, "make_inputs", None), getattr(module, "reference", None)
        if not callable(make_inputs) or not callable(reference):
            raise GeneratorError(f"{path} must define make_inputs(rng, size) and reference(**inputs)")
        work = getattr(module, "work", None)
        _cache[key] = Generator(make_inputs, reference, work if callable(work) else None)
    return _cache[key]


def as_outputs(value: object) -> Outputs:
    """The reference's answer as the checker's Outputs: one array, or a dict read as a tuple in its order."""
    if isinstance(value, dict):
        return Outputs(tuple(np.asarray(v) for v in value.values()), True)
    if isinstance(value, tuple):
        return Outputs(tuple(np.asarray(v) for v in value), True)
    return Outputs((np.asarray(value),), False)


def draw(generator: Generator, rng: np.random.Generator, size: int) -> tuple[Inputs, Outputs]:
    """Fresh inputs of `size` and the trusted reference's outputs on a copy of them."""
    inputs = generator.make_inputs(rng, size)
    if not isinstance(inputs, dict) or not all(isinstance(v, np.ndarray) for v in inputs.values()):
        raise GeneratorError("make_inputs must return a dict of numpy arrays")
    expected = as_outputs(generator.reference(**{k: v.copy() for k, v in inputs.items()}))
    return inputs, expected


class Judgement(NamedTuple):
    verdict: Verdict
    message: str = ""
    # A rule broken (inputs changed, a thread started, not an ndarray) may be shown even for a hidden case;
    # a checker's message about the values may not (it would describe a hidden expected output).
    public: bool = True


def judge_call(bundle: Bundle, outcome: CallOutcome, inputs: Inputs, expected: Outputs | None) -> Judgement:
    """AC, or the verdict and what was wrong (inputs changed, outputs differ, the call failed)."""
    if outcome.status is not Status.OK or outcome.outputs is None or expected is None:
        message = outcome.message or outcome.error_type
        # An exception's traceback may print values of a hidden input; a broken rule or a limit does not.
        public = outcome.rule or outcome.status is not Status.EXCEPTION
        return Judgement(FAILED_RUN_VERDICT[outcome.status], message, public)
    for name, sent in inputs.items():
        back = outcome.inputs_after.get(name)
        if back is None or back.dtype != sent.dtype or back.shape != sent.shape or back.tobytes() != sent.tobytes():
            return Judgement(
                Verdict.WA, f"the input `{name}` was changed: inputs are read-only, write results to new arrays"
            )
    check = run_checker(bundle.checker, expected, outcome.outputs)
    if not check.accepted:
        return Judgement(Verdict.WA, check.message, public=False)
    return Judgement(Verdict.AC)


@dataclass(frozen=True)
class DrawnCase:
    """A generated case drawn ahead of a plain-harness run: its name, size, inputs and expected outputs."""

    name: str
    size: int
    inputs: Inputs
    expected: Outputs


def drawn_cases(bundle: Bundle) -> list[DrawnCase]:
    """Every `[generated]` size x `inputs_per_size` fresh inputs from a secret seed, with the reference's outputs."""
    spec = bundle.generated
    assert spec is not None  # noqa: S101 - only bundles with [generated] get here
    rng = np.random.default_rng(secrets.randbits(128))
    generator = load_generator(bundle)
    cases = []
    for size in spec.sizes:
        for i in range(spec.inputs_per_size):
            inputs, expected = draw(generator, rng, size)
            cases.append(DrawnCase(f"generated-{size}-{i + 1}", size, inputs, expected))
    return cases


def case_input(index: int, inputs: Inputs) -> CaseInput:
    """A drawn case as the plain harness takes it: arrays in the `.npz`, 0-d arrays as JSON numbers (a
    launch function's `bins: int`, say)."""
    arrays = {name: value for name, value in inputs.items() if value.ndim > 0}
    numbers = {name: value.item() for name, value in inputs.items() if value.ndim == 0}
    return CaseInput(index, npz_bytes(arrays), json.dumps(numbers).encode() if numbers else b"")


def judge_raw(bundle: Bundle, case: DrawnCase, raw: RawResult) -> Judgement:
    """A drawn case's run in the plain harness: AC, or the verdict and what was wrong."""
    if raw.status is not Status.OK:
        public = raw.status is not Status.EXCEPTION  # a traceback may print values of a hidden input
        return Judgement(FAILED_RUN_VERDICT[raw.status], raw.message or raw.error_type, public)
    if raw.cpu_ms is not None and raw.cpu_ms > bundle.time_limit_s * 1000:
        return Judgement(Verdict.TLE, f"used {raw.cpu_ms:.0f} ms of CPU time")
    problem = launch_problem(raw)
    if problem:
        return Judgement(Verdict.WA, problem)
    arrays = {name: value for name, value in case.inputs.items() if value.ndim > 0}
    sent_bytes = sum(a.nbytes for a in arrays.values())
    changed = changed_input(arrays, raw.inputs_after, max_bytes=2 * sent_bytes + (1 << 16))
    if changed:
        return Judgement(Verdict.WA, changed)
    try:
        actual = decode_outputs(raw.payload or b"", max_bytes=bundle.output_limit_kb * 1024)
    except OutputError as exc:
        return Judgement(Verdict.WA, str(exc))
    check = run_checker(bundle.checker, case.expected, actual)
    if not check.accepted:
        return Judgement(Verdict.WA, check.message, public=False)
    return Judgement(Verdict.AC)
