"""CUDA exercises (`language = "cuda"`): the bundles, the sandbox's numba settings, and every shipped CUDA
exercise graded through the real sandbox on numba's CUDA simulator (reference AC, starter and a plausible
wrong answer not AC). Nothing here needs a GPU."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from grader.bundles import EXERCISES_DIR, Bundle, BundleError, load_bundle
from grader.cuda import MAX_BLOCK_THREADS, SANDBOX_THREADS, SIMULATOR_DEVICE, cuda_env, cuda_job, explain_failure
from grader.generated import as_outputs, case_input, drawn_cases, load_generator
from grader.results import GradeResult, Verdict
from grader.run import bundle_job, grade
from grader.sandbox import SandboxConfig

ANSWERS = Path(__file__).resolve().parent / "kernel_answers"
SLUGS = sorted(p.name for p in EXERCISES_DIR.glob("cuda-*") if (p / "exercise.toml").is_file())
SIMULATOR = "cuda-simulator"


def _bundle(slug: str) -> Bundle:
    return load_bundle(EXERCISES_DIR / slug)


def _copy(tmp_path: Path, slug: str = "cuda-vector-add") -> Path:
    target = tmp_path / slug
    shutil.copytree(EXERCISES_DIR / slug, target)
    return target


# What each exercise computes, in NumPy: the stored expected outputs (written by the reference on the
# simulator) must be the true answers, not merely what the reference happened to produce.
def _blocks(x: np.ndarray, size: int) -> np.ndarray:
    padded = np.zeros(-(-x.size // size) * size, dtype=np.int64)
    padded[: x.size] = x
    return padded.reshape(-1, size).sum(axis=1)


ORACLES = {
    "cuda-vector-add": lambda a, b: a + b,
    "cuda-matrix-add-2d": lambda a, b: a + b,
    "cuda-transpose-smem": lambda a: a.T,
    "cuda-matmul-tiled": lambda a, b: a @ b,
    "cuda-reduce-shared": lambda x: _blocks(x, 128),
    "cuda-reduce-interleaved": lambda x: _blocks(x, 64),
    "cuda-histogram-atomics": lambda values, bins: np.bincount(values, minlength=int(bins)),
    "cuda-inclusive-scan": lambda x: np.cumsum(x),
}


def test_at_least_eight_cuda_exercises_follow_the_book() -> None:
    assert len(SLUGS) >= 8
    for slug in SLUGS:
        bundle = _bundle(slug)
        assert bundle.language == "cuda" and bundle.toolchains == ("numba",)
        assert bundle.track == "cuda-c-programming" and bundle.item
        assert "Professional CUDA C Programming" in bundle.statement_md
        assert (ANSWERS / slug / "wrong.py").is_file(), f"{slug} has no wrong answer to test against"


@pytest.mark.parametrize("slug", SLUGS)
def test_stored_outputs_are_the_true_answers(slug: str) -> None:
    bundle = _bundle(slug)
    assert set(ORACLES) == set(SLUGS), "every CUDA exercise needs its NumPy oracle here"
    sizes = set()
    for case in bundle.cases:
        arguments = case.arguments()
        expected = bundle.expected(case).parts
        truth = ORACLES[slug](**arguments)
        if slug == "cuda-reduce-interleaved":
            assert np.array_equal(expected[0], truth)  # the working array is checked against the reference's
        else:
            np.testing.assert_allclose(expected[0], truth, rtol=1e-6)
        sizes.add(min(np.asarray(v).size for v in arguments.values() if isinstance(v, np.ndarray)))
    assert 1 in sizes, f"{slug} has no case of size 1"


@pytest.mark.parametrize("slug", SLUGS)
def test_generated_cases_are_drawn_from_a_secret_seed_and_judged_by_a_true_reference(slug: str) -> None:
    bundle = _bundle(slug)
    spec = bundle.generated
    assert spec is not None and len(set(spec.sizes)) >= 5 and 1 in spec.sizes and spec.inputs_per_size >= 3
    generator = load_generator(bundle)
    for case in bundle.cases:  # the trusted reference agrees with what the kernel reference stored
        arguments = {k: np.asarray(v) for k, v in case.arguments().items()}
        trusted = as_outputs(generator.reference(**arguments)).parts
        for want, got in zip(bundle.expected(case).parts, trusted, strict=True):
            assert want.dtype == got.dtype and np.array_equal(want, got), case.name
    drawn = drawn_cases(bundle)
    assert len(drawn) == len(spec.sizes) * spec.inputs_per_size
    for case in drawn:
        arguments = {k: v.item() if v.ndim == 0 else v for k, v in case.inputs.items()}
        truth = ORACLES[slug](**arguments)
        np.testing.assert_allclose(case.expected.parts[0], truth, rtol=1e-5, atol=1e-5)
    again = drawn_cases(bundle)  # a fresh secret seed each grading: other inputs
    pairs = zip(drawn, again, strict=True)
    assert any(a.inputs[k].tobytes() != b.inputs[k].tobytes() for a, b in pairs for k in a.inputs)


def test_a_cuda_bundle_may_not_be_timed(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "baseline.py").write_text((folder / "reference.py").read_text())
    toml = folder / "exercise.toml"
    toml.write_text(toml.read_text().replace("[generated]", "[timing]\nsize = 64\nmin_speedup = 1.0\n\n[generated]"))
    with pytest.raises(BundleError, match="correctness only"):
        load_bundle(folder)


def test_a_drawn_number_reaches_the_launch_function_as_a_python_number() -> None:
    case = case_input(3, {"values": np.arange(4, dtype=np.int32), "bins": np.array(5)})
    assert case.index == 3 and json.loads(case.json) == {"bins": 5}
    with np.load(io.BytesIO(case.npz)) as arrays:
        assert arrays.files == ["values"]


@pytest.mark.parametrize(
    ("before", "after", "problem"),
    [
        ('language = "cuda"', 'language = "fortran"', "`language` must be one of"),
        ('toolchains = ["numba"]', "toolchains = []", 'toolchains = \\["numba"\\]'),
    ],
)
def test_a_cuda_bundle_is_validated(tmp_path: Path, before: str, after: str, problem: str) -> None:
    folder = _copy(tmp_path)
    toml = folder / "exercise.toml"
    toml.write_text(toml.read_text().replace(before, after))
    with pytest.raises(BundleError, match=problem):
        load_bundle(folder)


def test_a_python_bundle_keeps_its_default_language_and_job() -> None:
    bundle = load_bundle(EXERCISES_DIR / "vector-add")
    job = bundle_job(bundle, bundle.reference_source(), bundle.cases, SandboxConfig())
    assert bundle.language == "python"
    assert (job.cuda, job.env, job.devices, job.max_processes) == (False, (), (), None)


def test_a_cuda_job_runs_the_simulator_with_room_for_a_block_of_threads() -> None:
    bundle = _bundle("cuda-reduce-shared")
    job = bundle_job(bundle, bundle.reference_source(), bundle.cases, SandboxConfig())
    env = dict(job.env)
    assert job.cuda and env["NUMBA_ENABLE_CUDASIM"] == "1" and env["MALLOC_ARENA_MAX"] == "1"
    assert env["NUMBA_NUM_THREADS"] == "1" and env["NUMBA_CACHE_DIR"].startswith("/tmp/")  # noqa: S108 - the sandbox's tmpfs
    assert job.max_processes == SANDBOX_THREADS > MAX_BLOCK_THREADS
    assert job.devices == () and "numba" not in job.preload  # the harness imports it, before the submission


def test_a_gpu_job_leaves_the_simulator_off() -> None:
    bundle = _bundle("cuda-vector-add")
    plain = bundle_job(bundle, "", bundle.cases, SandboxConfig())
    job = cuda_job(plain, gpu=True)
    assert dict(job.env)["NUMBA_ENABLE_CUDASIM"] == "0" == cuda_env(gpu=True)["NUMBA_ENABLE_CUDASIM"]
    assert all(device.startswith("/dev/nvidia") for device in job.devices)


def test_a_python_result_says_it_ran_on_the_cpu() -> None:
    result = GradeResult(slug="x", verdict=Verdict.AC, score=1.0, max_score=1.0).to_dict()
    assert result["device"]["kind"] == "cpu" and result["device"]["name"]


def test_too_many_threads_are_explained() -> None:
    message = explain_failure("RuntimeError: can't start new thread")
    assert f"at most {MAX_BLOCK_THREADS} threads" in message
    assert explain_failure("IndexError: index 9 is out of bounds") == "IndexError: index 9 is out of bounds"


# --- Through the real sandbox, on the simulator ---


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_reference_is_accepted_on_the_simulator(slug: str, sandbox: SandboxConfig) -> None:
    bundle = _bundle(slug)
    result = grade(bundle, bundle.reference_source(), sandbox=sandbox)
    assert result.verdict is Verdict.AC, [(c.name, c.verdict, c.message) for c in result.cases]
    assert result.sandboxed and result.to_dict()["device"] == SIMULATOR_DEVICE
    assert bundle.generated is not None
    drawn = [c for c in result.cases if c.name.startswith("generated-")]
    assert len(drawn) == len(bundle.generated.sizes) * bundle.generated.inputs_per_size
    assert result.score == result.max_score == len(bundle.cases) + len(drawn)


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_starter_is_not_accepted(slug: str, sandbox: SandboxConfig) -> None:
    bundle = _bundle(slug)
    result = grade(bundle, bundle.starter, sandbox=sandbox)
    assert result.verdict is not Verdict.AC and result.verdict is not Verdict.IE
    assert result.device.kind == SIMULATOR


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_plausible_wrong_answer_is_not_accepted(slug: str, sandbox: SandboxConfig) -> None:
    bundle = _bundle(slug)
    result = grade(bundle, (ANSWERS / slug / "wrong.py").read_text(), sandbox=sandbox)
    assert result.verdict is Verdict.WA, [(c.name, c.verdict, c.message) for c in result.cases]
    # The hidden cases catch it on their own (the races too: the simulator interleaves threads).
    assert sum(c.verdict is Verdict.WA for c in result.cases if not c.visible) >= 3


# Blocks of MAX_BLOCK_THREADS threads that all stay alive across barriers: each block reduces two 128-element
# slices side by side (threads 0-127 and 128-255), so the answer is the exercise's own.
FULL_BLOCK = """
import numpy as np
from numba import cuda, int64

THREADS = 256
HALF = 128


@cuda.jit
def block_sums(x, partial):
    cache = cuda.shared.array(THREADS, int64)
    tid = cuda.threadIdx.x
    i = cuda.blockIdx.x * THREADS + tid
    cache[tid] = x[i] if i < x.size else 0
    cuda.syncthreads()
    base = (tid // HALF) * HALF
    lane = tid % HALF
    stride = HALF // 2
    while stride > 0:
        if lane < stride:
            cache[base + lane] += cache[base + lane + stride]
        cuda.syncthreads()
        stride //= 2
    slot = 2 * cuda.blockIdx.x + tid // HALF
    if lane == 0 and slot < partial.size:
        partial[slot] = cache[base]


def reduce_sum(x):
    halves = (x.size + HALF - 1) // HALF
    d_partial = cuda.device_array(halves, dtype=np.int64)
    block_sums[(halves + 1) // 2, THREADS](cuda.to_device(x), d_partial)
    return d_partial.copy_to_host()
"""


@pytest.mark.slow
def test_blocks_of_the_largest_size_fit_the_sandbox(sandbox: SandboxConfig) -> None:
    bundle = _bundle("cuda-reduce-shared")
    result = grade(bundle, FULL_BLOCK, sandbox=sandbox)
    assert result.verdict is Verdict.AC, [(c.name, c.verdict, c.message) for c in result.cases]
    assert all(c.peak_memory_kb and c.peak_memory_kb < bundle.memory_limit_mb * 1024 for c in result.cases)


@pytest.mark.slow
def test_a_block_over_the_thread_limit_is_a_runtime_error_that_says_why(sandbox: SandboxConfig) -> None:
    bundle = _bundle("cuda-reduce-shared")
    code = bundle.reference_source().replace("THREADS = 128", "THREADS = 1024")
    result = grade(bundle, code, cases="visible", sandbox=sandbox)
    assert result.verdict is Verdict.RE
    assert f"at most {MAX_BLOCK_THREADS} threads" in result.cases[0].message


@pytest.mark.slow
def test_a_kernel_that_never_ends_is_a_time_limit_exceeded(sandbox: SandboxConfig) -> None:
    bundle = _bundle("cuda-vector-add")
    short = replace(bundle, cases=bundle.cases[:1], time_limit_s=2.0)
    spin = (
        "from numba import cuda\n\n\n@cuda.jit\ndef spin(out):\n    while True:\n        pass\n\n\n"
        "def vector_add(a, b):\n    out = cuda.device_array_like(a)\n    spin[1, 32](out)\n"
        "    return out.copy_to_host()\n"
    )
    result = grade(short, spin, sandbox=sandbox)
    assert result.verdict is Verdict.TLE and result.device.to_dict() == SIMULATOR_DEVICE


@pytest.mark.slow
def test_a_forged_device_report_is_ignored(sandbox: SandboxConfig) -> None:
    bundle = _bundle("cuda-vector-add")
    forge = (
        "import json, os, struct, sys\n"
        'body = json.dumps({"kind": "gpu", "name": "forged H100"}).encode()\n'
        'os.write(int(sys.argv[1]), b"V" + struct.pack(">I", len(body)) + body)\n'
    )
    result = grade(bundle, forge + bundle.reference_source(), sandbox=sandbox)
    assert result.verdict is Verdict.AC and result.device.to_dict() == SIMULATOR_DEVICE


@pytest.mark.slow
def test_a_gpu_worker_without_a_gpu_falls_back_to_the_simulator_and_says_so(sandbox: SandboxConfig) -> None:
    if list(Path("/dev").glob("nvidia*")):
        pytest.skip("this machine has an NVIDIA device: the run would use it")
    bundle = _bundle("cuda-histogram-atomics")
    config = SandboxConfig(gpu=True, bwrap=sandbox.bwrap)
    accepted = grade(bundle, bundle.reference_source(), sandbox=config)
    assert accepted.verdict is Verdict.AC
    assert accepted.device.kind == SIMULATOR and "found no GPU" in accepted.device.name
    # The fallback still interleaves simulated threads: the histogram's race loses counts.
    racy = grade(bundle, (ANSWERS / "cuda-histogram-atomics" / "wrong.py").read_text(), sandbox=config)
    assert racy.verdict is Verdict.WA
