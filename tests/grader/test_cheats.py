"""Cheats kept as regression submissions (tests/grader/cheats/, one file each) against timed exercises.

Each is graded end to end through the sandbox, like a learner's submission, and must get the verdict (and
where it says something, the message or timing status) written next to it here. Python cheats run against
the shipped pairwise-distances with fewer timed rounds, so the suite stays quick (the rules checked are the
same); C++ cheats (cheats/cpp/) against the test bundle timed-matmul; CUDA cheats (cheats/cuda/) against
the shipped cuda-vector-add on numba's simulator, where correctness is all that is graded.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from grader.bundles import EXERCISES_DIR, Bundle, load_bundle
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import SandboxConfig
from tests.grader.conftest import TEST_BUNDLES

CHEATS = Path(__file__).resolve().parent / "cheats"

# file -> (verdict, a phrase of the result's message or "" , the timing status)
EXPECTED: dict[str, tuple[Verdict, str, str]] = {
    "modify_inputs.py": (Verdict.WA, "", "skipped"),
    "cache_by_identity.py": (Verdict.WA, "generated case of size 1 got WA", "skipped"),
    "predict_rng.py": (Verdict.WA, "", "skipped"),
    "forge_channel.py": (Verdict.RE, "result channel was corrupted", "skipped"),
    "patch_timers.py": (Verdict.WA, "correct, but ", "measured|noisy"),
    "patch_harness.py": (Verdict.WA, "correct, but ", "measured|noisy"),
    "lazy_subclass.py": (Verdict.WA, "", "skipped"),
    "array_protocol.py": (Verdict.WA, "return numpy.ndarray itself", "skipped"),
    "call_reference.py": (Verdict.RE, "neither the reference nor the baseline is reachable", ""),
    "less_work_after_warmup.py": (Verdict.WA, "a timed round on fresh inputs of size 512 got WA", "rejected"),
    "spinning_thread.py": (Verdict.RE, "timed runs are single-threaded", "skipped"),
    # Caught in a generated case or in a timed round, whichever its spinning first crosses the limit in.
    "spin_between_calls.py": (Verdict.RE, "between calls", "skipped|rejected"),
    "half_precision.py": (Verdict.WA, "", "skipped"),
    "all_zeros.py": (Verdict.WA, "", "skipped"),
    "uninitialised_output.py": (Verdict.WA, "", "skipped"),
}


# C++ kernels: file -> (verdict, phrase of the message, timing status)
EXPECTED_CPP: dict[str, tuple[Verdict, str, str]] = {
    "unwritten_output.cpp": (Verdict.WA, "", "skipped"),
    "modify_inputs.cpp": (Verdict.WA, "", "skipped"),
    "cache_across_calls.cpp": (Verdict.WA, "generated case of size 1 got WA", "skipped"),
    "predict_rng.cpp": (Verdict.WA, "", ""),
    "spinning_thread.cpp": (Verdict.CE, "threads are refused", ""),
    "forge_channel.cpp": (Verdict.CE, "may not open, read or write files", ""),
    "read_clock.cpp": (Verdict.CE, "may not read clocks", ""),
    "less_work_after_warmup.cpp": (Verdict.WA, "a timed round on fresh inputs of size 256 got WA", "rejected"),
    "half_precision.cpp": (Verdict.WA, "", ""),
    "all_zeros.cpp": (Verdict.WA, "", ""),
}


# CUDA launch functions: file -> (verdict, a phrase of the result's message or of a visible case's message)
EXPECTED_CUDA: dict[str, tuple[Verdict, str]] = {
    "host_numpy.py": (Verdict.WA, "no CUDA kernel was launched"),
    "modify_inputs.py": (Verdict.WA, "modified its input `a`"),
    "cache_across_calls.py": (Verdict.WA, "generated case of size 1 got WA"),
    "stored_sizes_only.py": (Verdict.WA, "generated case of size 31 got WA"),
    "predict_rng.py": (Verdict.WA, "elements differ"),
    "forge_channel.py": (Verdict.WA, "elements differ"),
    "all_zeros.py": (Verdict.WA, "elements differ"),
    "half_precision.py": (Verdict.WA, "dtype float16, expected float32"),
    "unwritten_output.py": (Verdict.WA, "elements differ"),
}


@pytest.fixture(scope="module")
def timed_bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    copy = tmp_path_factory.mktemp("timed") / "pairwise-distances"
    shutil.copytree(EXERCISES_DIR / "pairwise-distances", copy, ignore=shutil.ignore_patterns("__pycache__"))
    meta = copy / "exercise.toml"
    text = meta.read_text()
    text = re.sub(r"(?m)^min_rounds = \d+$", "min_rounds = 4", text)
    text = re.sub(r"(?m)^max_rounds = \d+$", "max_rounds = 8", text)
    meta.write_text(text)
    return load_bundle(copy)


def test_every_cheat_file_has_an_expected_outcome() -> None:
    assert {p.name for p in CHEATS.glob("*.py")} == set(EXPECTED)
    assert {p.name for p in (CHEATS / "cpp").glob("*.cpp")} == set(EXPECTED_CPP)
    assert {p.name for p in (CHEATS / "cuda").glob("*.py")} == set(EXPECTED_CUDA)
    assert len(EXPECTED) >= 12 and len(EXPECTED_CPP) >= 10 and len(EXPECTED_CUDA) >= 8


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cheat_is_caught(name: str, timed_bundle: Bundle, sandbox: SandboxConfig) -> None:
    verdict, phrase, status = EXPECTED[name]
    result = grade(timed_bundle, (CHEATS / name).read_text(), sandbox=sandbox)
    summary = (result.verdict, result.message, result.timing and result.timing.to_dict())
    assert result.verdict is verdict, summary
    assert phrase in result.message, summary
    assert result.score < result.max_score, summary
    if status:
        assert result.timing is not None and re.fullmatch(status, result.timing.status), summary
    data = result.to_dict()
    assert "device" in data and "timing" in data


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED_CPP))
def test_cpp_cheat_is_caught(name: str, sandbox: SandboxConfig) -> None:
    if shutil.which("g++") is None:
        pytest.skip("needs g++ (make system-deps installs it)")
    verdict, phrase, status = EXPECTED_CPP[name]
    bundle = load_bundle(TEST_BUNDLES / "timed-matmul")
    result = grade(bundle, (CHEATS / "cpp" / name).read_text(), sandbox=sandbox)
    summary = (result.verdict, result.message, result.timing and result.timing.to_dict())
    assert result.verdict is verdict, summary
    assert phrase in result.message, summary
    assert result.score < result.max_score, summary
    if status:
        assert result.timing is not None and re.fullmatch(status, result.timing.status), summary


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED_CUDA))
def test_cuda_cheat_is_caught(name: str, sandbox: SandboxConfig) -> None:
    verdict, phrase = EXPECTED_CUDA[name]
    bundle = load_bundle(EXERCISES_DIR / "cuda-vector-add")
    result = grade(bundle, (CHEATS / "cuda" / name).read_text(), sandbox=sandbox)
    said = [result.message, *(c.message for c in result.cases if c.visible)]
    assert result.verdict is verdict, (result.verdict, said)
    assert any(phrase in text for text in said), said
    assert result.score < result.max_score
