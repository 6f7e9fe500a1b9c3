"""Generated cases: inputs drawn at grading time from a secret seed by the bundle's trusted generate.py.

generate.py is curator code shipped with the bundle (reviewed like code, as `build` already runs it): its
`make_inputs(rng, size)` and `reference(**inputs)` run here, in the grader's process, never in the sandbox.
The seed comes from `secrets` and never leaves this process, so a submission cannot predict an input.
A call is judged on its outputs (the bundle's checker) and on its inputs, which must come back unchanged.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from grader.bundles import Bundle
from grader.checkers import run_checker
from grader.outputs import Outputs
from grader.results import Verdict
from grader.sandbox import FAILED_RUN_VERDICT, Status
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
