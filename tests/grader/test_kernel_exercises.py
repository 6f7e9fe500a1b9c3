"""The shipped C++ kernel exercises (fixtures/exercises/cpp-*): their trusted generators and tolerances, and
how the grader judges each bundle's reference, starter and the plausible wrong and too-slow answers kept
under kernel_answers/."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from grader.bundles import EXERCISES_DIR, Bundle, load_bundle
from grader.checkers import compare_arrays
from grader.harness_cpp import evaluate, parse_args
from grader.results import GradeResult, Verdict
from grader.run import grade
from grader.sandbox import SandboxConfig

ANSWERS = Path(__file__).resolve().parent / "kernel_answers"
TIMED = ("cpp-gemm-blocked", "cpp-dot-avx2", "cpp-int8-gemm", "cpp-im2col-conv")
UNTIMED = ("cpp-winograd",)
SLUGS = TIMED + UNTIMED


def _generator(bundle: Bundle) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"kernel_generator_{bundle.slug.replace('-', '_')}", bundle.path / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _meta(bundle: Bundle) -> dict[str, Any]:
    return tomllib.loads((bundle.path / "exercise.toml").read_text(encoding="utf-8"))


def _expected(module: ModuleType, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
    result = module.reference(**{k: v.copy() for k, v in inputs.items()})
    return list(result.values()) if isinstance(result, dict) else [result]


def _accepted(bundle: Bundle, expected: list[np.ndarray], actual: list[np.ndarray]) -> bool:
    return all(compare_arrays(e, a, bundle.checker, "output").accepted for e, a in zip(expected, actual, strict=True))


@pytest.mark.parametrize("slug", SLUGS)
def test_the_generated_sizes_cover_size_one_and_tails(slug: str) -> None:
    bundle = load_bundle(EXERCISES_DIR / slug)
    meta = _meta(bundle)
    sizes = meta["generated"]["sizes"]
    assert len(set(sizes)) >= 5 and 1 in sizes
    assert any(s > 2 and s & (s - 1) for s in sizes)  # a size that is not a power of two
    assert meta["generated"]["inputs_per_size"] >= 3
    assert ("timing" in meta) == (slug in TIMED)
    answers = {p.name for p in (ANSWERS / slug).iterdir()}
    assert "wrong.cpp" in answers
    if slug in TIMED:
        assert (bundle.path / "baseline.cpp").is_file() and "slow.cpp" in answers
        assert meta["timing"]["min_speedup"] > 1


@pytest.mark.parametrize("slug", SLUGS)
def test_the_reference_outputs_match_the_abi_and_the_tolerance_rejects_fp16_and_zeros(slug: str) -> None:
    """Every output the trusted NumPy reference makes has the dtype and shape the [[cpp.args]] declare; the
    bundle's checker fails an all-zero answer on every case and a float16 round trip on most (a single float
    can round luckily; the grader needs every case right, so most is plenty)."""
    bundle = load_bundle(EXERCISES_DIR / slug)
    module = _generator(bundle)
    args = parse_args(_meta(bundle)["cpp"]["args"])
    outputs = [a for a in args if a.role in ("out", "inout")]
    rng = np.random.default_rng(0)
    fp16_passes, floats = 0, 0
    for size in _meta(bundle)["generated"]["sizes"] * 3:
        inputs = module.make_inputs(rng, size)
        expected = _expected(module, inputs)
        shapes = {name: array.shape for name, array in inputs.items()}
        scalars: dict[str, Any] = {}
        for arg in args:
            if arg.role == "scalar":
                scalars[arg.name] = evaluate(arg.value, scalars, shapes) if arg.value else int(inputs[arg.name])
        assert len(expected) == len(outputs)
        for arg, array in zip(outputs, expected, strict=True):
            assert arg.shape is not None
            assert array.dtype == np.dtype(arg.dtype)
            assert array.shape == tuple(evaluate(dim, scalars, shapes) for dim in arg.shape)
        assert _accepted(bundle, expected, expected)
        assert not _accepted(bundle, expected, [np.zeros_like(e) for e in expected]) or all(
            not e.any() for e in expected
        )
        if size > 4 and all(e.dtype.kind == "f" for e in expected):
            floats += 1
            fp16_passes += _accepted(bundle, expected, [e.astype(np.float16).astype(e.dtype) for e in expected])
    assert fp16_passes <= floats // 4


def test_the_dot_tolerance_admits_the_scalar_loops_rounding() -> None:
    """The float32 scalar loop (the baseline, adding in C++'s order) is a correct answer at every size."""
    bundle = load_bundle(EXERCISES_DIR / "cpp-dot-avx2")
    module = _generator(bundle)
    rng = np.random.default_rng(1)
    for size in [*_meta(bundle)["generated"]["sizes"], _meta(bundle)["timing"]["size"]]:
        inputs = module.make_inputs(rng, size)
        x = inputs["x"][:16]  # enough rows to see the rounding, few enough to keep every product in memory
        products = (x[:, None, :] * inputs["y"][None, :, :]).astype(np.float32)  # rounded as C++ rounds them
        sequential = np.cumsum(products, axis=2, dtype=np.float32)[:, :, -1]  # one float32 add at a time
        assert _accepted(bundle, _expected(module, {"x": x, "y": inputs["y"]}), [sequential])


def test_the_int8_reference_saturates_and_rounds_half_up() -> None:
    module = _generator(load_bundle(EXERCISES_DIR / "cpp-int8-gemm"))
    one = np.ones((1, 1), dtype=np.int8)
    base = {
        "a": one,
        "b": one,
        "multiplier": np.array(1 << 30, dtype=np.int32),
        "zero_point": np.array(0, dtype=np.int32),
    }
    # scale 1/2: 3 · 1/2 = 1.5 rounds up to 2, -3 · 1/2 = -1.5 rounds up to -1; 301 · 1/2 saturates at 127
    for bias, shift, want in [(2, 31, 2), (-4, 31, -1), (300, 31, 127), (-400, 31, -128)]:
        inputs = {**base, "bias": np.array([bias], dtype=np.int32), "shift": np.array(shift, dtype=np.int32)}
        assert int(module.reference(**inputs)["c"][0, 0]) == want


def _answer(slug: str, name: str) -> str:
    return (ANSWERS / slug / f"{name}.cpp").read_text(encoding="utf-8")


def _failures(result: GradeResult) -> list[tuple[str, str, str]]:
    return [(c.name, str(c.verdict), c.message) for c in result.cases if c.verdict is not Verdict.AC]


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_the_reference_is_accepted_and_timed_against_the_baseline(slug: str, sandbox: SandboxConfig) -> None:
    bundle = load_bundle(EXERCISES_DIR / slug)
    result = grade(bundle, bundle.reference_source(), sandbox=sandbox)
    assert result.sandboxed
    assert result.verdict is Verdict.AC, (result.message, _failures(result))
    assert len(result.cases) == len(bundle.cases) + 5 * 3  # stored cases, then 5 sizes × 3 generated inputs
    report = result.to_dict()
    assert report["device"]["kind"] == "cpu"
    if slug in UNTIMED:
        assert report["timing"] is None
        return
    timing = report["timing"]
    assert timing["status"] in ("measured", "noisy") and timing["passed"], timing
    assert timing["speedup"] >= timing["min_speedup"] == _meta(bundle)["timing"]["min_speedup"]
    assert timing["rounds"] >= _meta(bundle)["timing"]["min_rounds"]
    assert timing["baseline_ms"]["p50"] > timing["submission_ms"]["p50"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_the_starter_and_the_plausible_wrong_answer_are_not_accepted(slug: str, sandbox: SandboxConfig) -> None:
    bundle = load_bundle(EXERCISES_DIR / slug)
    for code in ((bundle.path / "starter.cpp").read_text(encoding="utf-8"), _answer(slug, "wrong")):
        result = grade(bundle, code, sandbox=sandbox)
        assert result.verdict is Verdict.WA, (result.message, _failures(result))
        assert result.score < result.max_score
        generated = [c for c in result.cases if c.name.startswith("generated-")]
        assert any(c.verdict is Verdict.WA for c in generated)  # the secret-seeded cases catch it too
        timing = result.to_dict()["timing"]
        assert timing is None or not timing["passed"]


@pytest.mark.slow
@pytest.mark.parametrize("slug", TIMED)
def test_a_correct_but_slow_answer_is_wrong_for_its_speed(slug: str, sandbox: SandboxConfig) -> None:
    bundle = load_bundle(EXERCISES_DIR / slug)
    result = grade(bundle, _answer(slug, "slow"), sandbox=sandbox)
    assert all(c.verdict is Verdict.AC for c in result.cases), _failures(result)  # right on every case
    timing = result.to_dict()["timing"]
    assert result.verdict is Verdict.WA, (result.message, timing)
    assert timing["status"] in ("measured", "noisy") and not timing["passed"], timing
    assert timing["speedup"] < timing["min_speedup"]
    assert "correct, but" in result.message and f"{timing['min_speedup']:g}×" in result.message
