"""Generated cases and the timed result: tolerances that refuse cheap answers, bundle keys, the result contract.

The tolerance tests run over every shipped bundle with `[generated]`, on inputs its own generate.py makes,
so a new timed exercise is held to them without a line added here.
"""

from __future__ import annotations

import dataclasses
import itertools
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader import timed
from grader.bundles import EXERCISES_DIR, BundleError, load_all, load_bundle
from grader.checkers import compare_arrays, run_checker
from grader.generated import as_outputs, draw, load_generator
from grader.outputs import Outputs
from grader.results import TimingReport, Verdict
from grader.roofline import Peaks
from grader.run import grade
from grader.sandbox import SandboxConfig, Status
from grader.serve import CallOutcome
from grader.timing_stats import TimingPolicy, summarise
from tests.grader.conftest import TEST_BUNDLES

GENERATED = [b for b in load_all() if b.generated is not None]


def _fp32_draws(slug: str) -> list[tuple[dict[str, np.ndarray], Outputs]]:
    bundle = load_bundle(EXERCISES_DIR / slug)
    assert bundle.generated is not None
    generator = load_generator(bundle)
    rng = np.random.default_rng(7)
    sizes = list(bundle.generated.sizes) + ([bundle.timing.size] if bundle.timing else [])
    draws = [draw(generator, rng, size) for size in sizes]
    return [(inputs, expected) for inputs, expected in draws if any(p.dtype == np.float32 for p in expected.parts)]


def test_there_is_a_generated_exercise() -> None:
    assert GENERATED, "the tolerance tests below need at least one bundle with [generated]"


@pytest.mark.parametrize("slug", [b.slug for b in GENERATED])
def test_all_zeros_and_float16_answers_fail_every_fp32_case(slug: str) -> None:
    bundle = load_bundle(EXERCISES_DIR / slug)
    generator = load_generator(bundle)
    draws = _fp32_draws(slug)
    if not draws:
        assert bundle.checker.tolerance(np.dtype(np.int8)) == (0.0, 0.0)
        pytest.skip(f"{slug} answers in integers, which its checker compares exactly")
    for inputs, expected in draws:
        size = next(iter(inputs.values())).shape
        zeros = Outputs(tuple(np.zeros_like(p) for p in expected.parts), expected.is_tuple)
        assert not run_checker(bundle.checker, expected, zeros).accepted, size
        if all(p.size <= 1 for p in expected.parts):
            continue  # one number: float16 may round it exactly
        halved = Outputs(tuple(p.astype(np.float16).astype(p.dtype) for p in expected.parts), expected.is_tuple)
        assert not run_checker(bundle.checker, expected, halved).accepted, size
        rounded_inputs = {k: v.astype(np.float16).astype(v.dtype) for k, v in inputs.items()}
        from_half = as_outputs(generator.reference(**rounded_inputs))
        assert not run_checker(bundle.checker, expected, from_half).accepted, size


@pytest.mark.parametrize(
    ("actual", "accepted"),
    [
        ([1.0, np.nan, np.inf, -np.inf], True),
        ([1.0, 2.0, np.inf, -np.inf], False),  # a number where NaN was expected
        ([1.0, np.nan, np.nan, -np.inf], False),  # NaN where inf was expected
        ([1.0, np.nan, -np.inf, -np.inf], False),  # the wrong infinity
        ([np.nan, np.nan, np.inf, -np.inf], False),  # NaN where a number was expected
    ],
)
def test_nan_and_inf_positions_must_match(actual: list[float], accepted: bool) -> None:
    bundle = load_bundle(EXERCISES_DIR / "pairwise-distances")
    expected = np.array([1.0, np.nan, np.inf, -np.inf], np.float32)
    outcome = compare_arrays(expected, np.array(actual, np.float32), bundle.checker, "the output")
    assert outcome.accepted is accepted


def test_make_inputs_draws_fresh_inputs_and_the_seed_is_not_in_them() -> None:
    bundle = load_bundle(EXERCISES_DIR / "pairwise-distances")
    generator = load_generator(bundle)
    first, _ = draw(generator, np.random.default_rng(1), 7)
    second, _ = draw(generator, np.random.default_rng(2), 7)
    assert not np.array_equal(first["x"], second["x"])


# --- Bundle keys ----------------------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "pairwise-distances"
    shutil.copytree(EXERCISES_DIR / "pairwise-distances", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("sizes = [1, 7, 64, 100, 257]", "sizes = [1, 7, 64, 100]", "at least 5 different sizes"),
        ("inputs_per_size = 3", "inputs_per_size = 2", "inputs_per_size"),
        ("bands = [1.0, 2.0, 3.0]", "bands = [3.0, 2.0]", "ascending"),
        ("min_rounds = 20", "min_rounds = 200", "max_rounds"),
    ],
)
def test_bad_generated_and_timing_keys_are_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    copy = _copy(tmp_path)
    meta = copy / "exercise.toml"
    assert old in meta.read_text()
    meta.write_text(meta.read_text().replace(old, new))
    with pytest.raises(BundleError, match=message):
        load_bundle(copy)


def test_a_timed_bundle_needs_its_baseline(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    (copy / "baseline.py").unlink()
    with pytest.raises(BundleError, match=r"baseline\.py"):
        load_bundle(copy)


def test_the_shipped_timed_bundle_reads_its_keys() -> None:
    bundle = load_bundle(EXERCISES_DIR / "pairwise-distances")
    assert bundle.generated is not None and len(bundle.generated.sizes) >= 5
    assert bundle.generated.inputs_per_size >= 3
    assert bundle.timing is not None and bundle.timing.min_speedup == 3.0


# --- The timing report ----------------------------------------------------------------------------


class _Work:
    def __init__(self, work_bytes: int, flops: int) -> None:
        self.work = lambda size: {"bytes": work_bytes, "flops": flops}


def _report(monkeypatch: pytest.MonkeyPatch, baseline: list[float], submission: list[float], work: _Work):
    bundle = load_bundle(EXERCISES_DIR / "pairwise-distances")
    monkeypatch.setattr(timed, "machine_peaks", lambda: Peaks("test cpu", gbps=10.0, gflops=10.0))
    policy = TimingPolicy(4.0, (1.0, 2.0, 4.0, 8.0), 3, 10, 0.03)
    generator = dataclasses.replace(load_generator(bundle), work=work.work)
    return timed._report(bundle, policy, summarise(policy, baseline, submission), generator)


def test_a_time_below_the_machines_floor_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    # 10 GB at 10 GB/s cannot take less than a second; the submission claims 1 ms.
    report = _report(monkeypatch, [10.0] * 3, [1.0] * 3, _Work(10**10, 0))
    assert report.status == "rejected" and not report.passed and report.band_score == 0.0
    assert "below what this machine can do" in report.message
    assert report.roofline is not None and report.roofline.share > 1


def test_too_slow_says_how_fast_and_what_is_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report(monkeypatch, [13.0] * 3, [10.0] * 3, _Work(1000, 1000))
    assert report.status == "measured" and not report.passed
    assert report.message == "correct, but 1.3× the baseline; this exercise needs ≥ 4×"
    assert report.band_score == 0.25 and not report.held_for_review


class _IdleSession:
    """Stands in for a serving process whose calls `_round` (patched) answers."""

    def __enter__(self) -> _IdleSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def start(self) -> CallOutcome:
        return CallOutcome(Status.OK)


def _measured(monkeypatch: pytest.MonkeyPatch, rounds: list[tuple[float, float]]) -> tuple[TimingReport, int]:
    """The timing of pairwise-distances when its rounds give these (baseline, submission) times in turn, and
    how many rounds were run (the warm-up round included)."""
    bundle = load_bundle(EXERCISES_DIR / "pairwise-distances")
    times = itertools.cycle(rounds)
    ran = itertools.count()
    monkeypatch.setattr(timed, "_round", lambda *args: (next(ran), next(times))[1])
    monkeypatch.setattr(timed, "baseline_program", lambda *args, **kwargs: timed.Program(""))
    monkeypatch.setattr(timed, "_session", lambda *args: _IdleSession())
    monkeypatch.setattr(timed, "machine_peaks", lambda: Peaks("test cpu", gbps=1e6, gflops=1e6))
    rng = np.random.default_rng(0)
    report = timed._measure(bundle, SandboxConfig(), False, _IdleSession(), load_generator(bundle), rng)  # type: ignore[arg-type]
    return report, next(ran)


def test_a_steady_measurement_stops_at_the_minimum_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    report, ran = _measured(monkeypatch, [(50.0, 10.0)])
    assert report.status == "measured" and report.rounds == 20 and ran == 1 + 20
    assert report.speedup == pytest.approx(5.0) and report.cv == 0.0


def test_a_noisy_measurement_is_run_again_and_both_runs_count(monkeypatch: pytest.MonkeyPatch) -> None:
    # The per-round ratios alternate 4× and 6×: a CV of 20 %, above the 3 % target however long it runs.
    report, ran = _measured(monkeypatch, [(40.0, 10.0), (60.0, 10.0)])
    assert report.status == "noisy" and "after two measurements" in report.message
    assert report.rounds == 2 * 60 and ran == 1 + 2 * 60  # both runs of max_rounds count in the figures
    assert report.speedup == pytest.approx(5.0)  # the median baseline 50 ms over 10 ms


def test_over_ten_times_the_baseline_is_held_for_review(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report(monkeypatch, [110.0] * 3, [10.0] * 3, _Work(1000, 1000))
    assert report.passed and report.held_for_review and report.band_score == 1.0
    data = report.to_dict()
    assert set(data) == {
        "status", "speedup", "min_speedup", "passed", "band_score", "rounds", "cv", "submission_ms",
        "baseline_ms", "ratio", "roofline", "held_for_review", "message",
    }  # fmt: skip
    assert set(data["roofline"]) == {
        "bytes", "flops", "achieved_gbps", "achieved_gflops", "peak_gbps", "peak_gflops", "share",
    }  # fmt: skip
    assert set(data["submission_ms"]) == {"p10", "p50", "p90"}


def test_an_untimed_result_still_carries_device_and_timing(double, sandbox: SandboxConfig) -> None:
    data = grade(double, "def double(x):\n    return x * 2\n", sandbox=sandbox).to_dict()
    assert data["timing"] is None
    assert data["device"]["kind"] == "cpu" and data["device"]["name"]


@pytest.mark.slow
def test_the_reference_passes_and_the_loop_is_too_slow(sandbox: SandboxConfig) -> None:
    bundle = load_bundle(EXERCISES_DIR / "pairwise-distances")
    result = grade(bundle, bundle.reference_source(), sandbox=sandbox)
    assert result.verdict is Verdict.AC, (result.message, result.timing)
    assert result.timing is not None and result.timing.passed and result.timing.speedup is not None
    assert result.timing.status in ("measured", "noisy")
    assert len([c for c in result.cases if c.name.startswith("generated-")]) == 15

    slow = grade(bundle, bundle.baseline_path.read_text(), sandbox=sandbox)
    assert slow.verdict is Verdict.WA and slow.timing is not None
    assert slow.message.startswith("correct, but ") and "this exercise needs ≥ 3×" in slow.message
    assert all(c.verdict is Verdict.AC for c in slow.cases)
    # The baseline against itself: about 1×, a little under or over from round to round, so its band is
    # the 1× one or none; the score is the correctness points times that band.
    assert slow.timing.speedup is not None and 0.8 < slow.timing.speedup < 1.25, slow.timing
    assert slow.timing.band_score < 1.0
    assert slow.score == pytest.approx(round(sum(c.points for c in slow.cases) * slow.timing.band_score, 6))
    assert slow.score < slow.max_score


@pytest.mark.slow
def test_a_cpp_kernel_is_timed_against_its_cpp_baseline(sandbox: SandboxConfig) -> None:
    if shutil.which("g++") is None:
        pytest.skip("needs g++ (make system-deps installs it)")
    bundle = load_bundle(TEST_BUNDLES / "timed-matmul")
    result = grade(bundle, bundle.reference_source(), sandbox=sandbox)
    assert result.verdict is Verdict.AC, (result.message, result.timing)
    assert result.timing is not None and result.timing.speedup is not None and result.timing.speedup >= 1.5
    assert [c.verdict for c in result.cases if c.name.startswith("generated-")] == [Verdict.AC] * 15

    slow = grade(bundle, bundle.baseline_path.read_text(), sandbox=sandbox)
    assert slow.verdict is Verdict.WA and slow.message.startswith("correct, but ")


def test_a_timed_exercise_run_on_its_examples_only_says_it_was_not_timed(sandbox: SandboxConfig) -> None:
    bundle = load_bundle(EXERCISES_DIR / "pairwise-distances")
    result = grade(bundle, bundle.reference_source(), cases="visible", sandbox=sandbox)
    assert result.verdict is Verdict.AC
    assert not any(c.name.startswith("generated-") for c in result.cases)
    assert result.timing is not None and result.timing.status == "skipped"
    assert result.timing.message == "not timed: only the examples were run"


def test_a_generated_call_that_never_returns_is_a_time_limit(sandbox: SandboxConfig) -> None:
    bundle = load_bundle(EXERCISES_DIR / "pairwise-distances")
    code = (
        "import numpy as np\n_calls = [0]\n"
        "def pairwise_sq_dists(x, y):\n"
        "    _calls[0] += 1\n"
        "    while _calls[0] > 8:  # the stored cases pass; the first generated call spins\n"
        "        pass\n"
        "    return np.maximum(np.einsum('ij,ij->i', x, x)[:, None] + np.einsum('ij,ij->i', y, y)[None, :]"
        " - 2.0 * (x @ y.T), 0.0)\n"
    )
    result = grade(bundle, code, sandbox=sandbox)
    assert result.verdict is Verdict.TLE, (result.message, [(c.name, c.verdict) for c in result.cases])
    assert result.timing is not None and result.timing.status == "skipped"
