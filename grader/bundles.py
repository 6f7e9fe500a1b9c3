"""Exercise bundles: a folder with `exercise.toml`, `statement.md`, `starter.py`, `reference.py`, optional
`checker.py`, and `cases/` (`NN.in.npz` and/or `NN.in.json` per case, `NN.out.npz` written by the build).

`load_bundle` validates the metadata and says what is wrong and where. A `Bundle` is the trusted view (it can
read the reference and every expected output); `Bundle.public_view()` is what a learner may see: the
statement, the starter, the signature and the visible cases with their inputs and expected outputs. The
reference solution and hidden expected outputs are never part of it.

The deployment lab's keys (all optional; a bundle without them grades as before)
-------------------------------------------------------------------------------

    toolchains = ["onnx", "onnxruntime"]   # what the bundle needs (grader/toolchains.py has the names:
                                           # numpy onnx onnxruntime onnxscript openvino tvm ncnn mnn
                                           # numba).
                                           # A worker lacking one answers IE naming what to install.

Extra folders of a bundle:

* `files/`: read-only inputs shared by every case (models, calibration data), at most 8 MiB in all. A case's
  `NN.in.json` names one with `{"$file": "cnn.onnx"}`: the argument becomes the file's path in the work
  folder (`files/cnn.onnx`). `{"$out": "model.onnx"}` becomes the path where the submission writes an
  artifact (`out/model.onnx`); everything under `out/` is the case's artifact.
* `cases/NN.eval.npz` (optional): the inputs the trusted loader feeds the submitted artifact (hidden: never
  shown, never given to the submission), one array per model input, named as the model's inputs.
* `generate.py` (optional, trusted): `generate(bundle_dir: Path) -> None` writes `files/` and the case inputs
  from fixed seeds. `python -m grader build` runs it first; `check` regenerates into a temporary folder and
  fails unless every byte is the same.

    [artifact]                   # the submission writes a model under out/; the grader checks it
    kind = "onnx"                # a loader from grader/artifacts.py: ARTIFACT_KINDS (labs add openvino, ncnn, ...)
    files = ["model.onnx"]       # what must be there (default: the kind's own, e.g. model.onnx)
    max_total_kb = 16384         # all artifact files together (default 16384); more is OLE
    time_limit_s = 10.0          # the loader stage's CPU limit per case (default 10)
    memory_limit_mb = 768        # the loader stage's memory limit (default 768)

    [artifact.constraints]       # every key optional; each becomes a reported figure with its bar
    checker = "full"             # onnx.checker: "full" (with strict shape inference), "basic", or "none"
    allowed_ops = ["Conv", "Relu"]          # op types allowed (anything else fails)
    denied_ops = ["BatchNormalization"]     # op types that must not appear
    max_nodes = 12               # node count ceiling (the main graph)
    max_op_counts = { Transpose = 0 }       # per op type ceilings
    min_op_counts = { QuantizeLinear = 1 }  # per op type floors
    original = "cnn.onnx"        # a file of files/ the size ratios are taken against
    max_size_ratio = 0.35        # artifact bytes / original bytes at most (needs `original`)
    min_size_ratio = 0.0
    size_tolerance = 0.05        # artifact size within ±5% of the reference artifact's
    min_opset = 13               # default-domain opset import bounds
    max_opset = 21
    input_names = ["input"]      # exact graph input names, in order (initializers excluded)
    output_names = ["logits"]    # exact graph output names, in order
    dynamic_axes = { input = [0], logits = [0] }   # these dims must be symbolic (dim_param or unknown)

    [[metrics]]                  # replaces [checker] for outputs: a case passes when every metric holds
    kind = "cosine"              # allclose | cosine | snr_db | top1_agreement | max_abs_error | mean_abs_error
                                 # | accuracy_delta: |top-1 accuracy − the reference's| against the integer
                                 #   array `labels` of the case's NN.eval.npz (default bar: max = 0.002)
    output = 0                   # which output (default: each output in turn, the worst one reported)
    min = 0.999                  # the bar: `min` (higher is better) or `max` (lower is better)
    rtol = 1e-3                  # allclose only (defaults: rtol 1e-3, atol 1e-5)
    atol = 1e-5

  Without `[[metrics]]`, a bundle with an `[artifact]` compares the loader's outputs with the reference
  artifact's by `allclose` at rtol 1e-3 / atol 1e-5 (exact-runtime agreement).

    [[stages]]                   # several runs of the submission per case, each with its own limits and verdict
    name = "convert"             # a short slug, unique
    entry_point = "convert"      # a function of the submission
    time_limit_s = 5.0           # defaults: the bundle's
    memory_limit_mb = 768
    toolchains = ["onnx"]        # defaults: the bundle's

  Each stage gets the case's arguments; a stage after one that wrote files under out/ also gets
  `artifact_dir` (those files, read-only). The last stage's return value is the case's output, unless the
  bundle has an `[artifact]`: then the last stage's out/ files are the artifact, loaded by the trusted loader
  in a stage of its own named "load". Without `[[stages]]` there is one stage, "run", from the top-level
  `entry_point`, `time_limit_s` and `memory_limit_mb`. A case's verdict is its first stage that is not AC.

CUDA kernels (`language = "cuda"`)
----------------------------------

    language = "cuda"            # "cuda": numba `@cuda.jit` kernels and a launch
                                 # function (the entry point) taking NumPy arrays; needs toolchains = ["numba"].
                                 # Graded on numba's CUDA simulator, or on a GPU worker's GPU (grader/cuda.py).
                                 # Every case must launch a kernel; [generated] cases run in the same
                                 # sandboxed process as the stored ones (a 0-d array from make_inputs is
                                 # passed as a Python number); no [timing].

C++ kernels (`language = "cpp"`; the default is "python")
----------------------------------------------------------

    language = "cpp"
    entry_point = "vadd"         # the exported C symbol: the submission declares it `extern "C"`
    signature = 'extern "C" void vadd(const float* a, const float* b, float* c, int64_t n)'
    [cpp]                        # compile options and limits: grader/cpp_spec.py documents every key
    std = "c++17"                # c++14 | c++17 | c++20
    flags = ["-O2", "-march=x86-64-v2"]   # an allowlist; -ffast-math & co. need `fast_math = true`
    compile_time_limit_s = 20
    compile_memory_limit_mb = 1024
    [[cpp.args]]                 # the C ABI in call order (grader/harness_cpp.py): name, dtype, role
    name = "a"                   #   role: in | out | inout | scalar
    dtype = "float32"
    role = "in"
    [[cpp.args]]
    name = "c"
    dtype = "float32"
    role = "out"
    shape = "n"                  # out only: dimensions from scalar names, x.shape[i], integers, + - * //
    [[cpp.args]]
    name = "n"
    dtype = "int64"
    role = "scalar"
    value = "a.shape[0]"         # scalar only, optional: else the case's input of that name

The bundle holds `starter.cpp` and `reference.cpp` instead of the `.py` files; a case's inputs are the
arrays and scalars named by the `in`, `inout` and `scalar` arguments. The expected output is the `out` and
`inout` arrays after the call, in call order (one array, or a tuple of several), compared by `[checker]` as
for Python; an `in` array the kernel changed is WA. A C++ bundle has no `[[stages]]`, `[artifact]`,
`[[metrics]]`, `files/` or toolchains.

Generated cases and timed grading (both optional; `generate.py` is then required and defines the functions)
------------------------------------------------------------------------------------------------------

    [generated]                  # cases drawn at grading time from a secret seed (it never enters the sandbox)
    sizes = [1, 7, 64, 100, 513] # at least 5 sizes; what a size means is the bundle's own
    inputs_per_size = 3          # at least 3
    points = 1                   # per generated case (default 1)

    [timing]                     # needs [generated] and a trusted `baseline.py` (`baseline.cpp`), same entry point
    size = 512                   # the size timed
    min_speedup = 4.0            # AC needs correctness AND baseline/submission median CPU time >= this
    bands = [1.0, 2.0, 4.0, 8.0] # the score grows with the speed-up, one band at a time
    min_rounds = 20
    max_rounds = 80
    target_cv = 0.03

  generate.py: `make_inputs(rng: np.random.Generator, size) -> dict[str, np.ndarray]`,
  `reference(**inputs) -> np.ndarray | dict[str, np.ndarray]` (trusted NumPy, run in the grader's process;
  a dict is a tuple of outputs in its order) and, for [timing], `work(size) -> {"bytes": int, "flops": int}`
  (the least memory traffic and arithmetic of one call, for the roofline check).

Results (grader/results.py): each case carries `stages` (name, verdict, time, memory, message) and `metrics`
(name, value reached, bar, "min"/"max", passed) for lab exercises; hidden cases keep the figures, not the
messages.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from grader.cpp_spec import CppSpec, parse_cpp_spec
from grader.harness_cpp import SpecError
from grader.outputs import Outputs, load_outputs_file

EXERCISES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "exercises"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CASE_RE = re.compile(r"^[a-z0-9_-]{1,40}$")
IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CheckerKind = Literal["exact", "text", "numeric", "unordered", "custom"]
CHECKER_KINDS: tuple[str, ...] = ("exact", "text", "numeric", "unordered", "custom")
DIFFICULTIES = ("easy", "medium", "hard")
# "cuda": Python with numba @cuda.jit kernels (grader/cuda.py); "cpp": a C ABI function (grader/cpp_spec.py).
LANGUAGES = ("python", "cpp", "cuda")
SOURCE_SUFFIX = {"python": ".py", "cpp": ".cpp", "cuda": ".py"}
MAX_INPUT_BYTES = 8 << 20
MAX_FILES_BYTES = 8 << 20
FILE_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
METRIC_KINDS: tuple[str, ...] = (
    "allclose",
    "cosine",
    "snr_db",
    "top1_agreement",
    "max_abs_error",
    "mean_abs_error",
    "accuracy_delta",
)
CONSTRAINT_KEYS: tuple[str, ...] = (
    "checker",
    "allowed_ops",
    "denied_ops",
    "max_nodes",
    "max_op_counts",
    "min_op_counts",
    "original",
    "max_size_ratio",
    "min_size_ratio",
    "size_tolerance",
    "min_opset",
    "max_opset",
    "input_names",
    "output_names",
    "dynamic_axes",
)
CHECKER_LEVELS = ("full", "basic", "none")
DEFAULT_ACCURACY_DELTA = 0.002  # a quantised model's top-1 accuracy within 0.002 of the reference's
DEFAULT_ALLCLOSE = (1e-3, 1e-5)  # rtol, atol: two runs of one model agreeing within float32 reassociation

# rtol, atol by dtype: float32 work cannot be held to float64 precision.
DEFAULT_TOLERANCES: dict[str, tuple[float, float]] = {
    "float16": (1e-3, 1e-3),
    "float32": (1e-5, 1e-6),
    "float64": (1e-9, 1e-12),
    "complex64": (1e-5, 1e-6),
    "complex128": (1e-9, 1e-12),
}


MIN_GENERATED_SIZES = 5
MIN_INPUTS_PER_SIZE = 3


class BundleError(ValueError):
    """A bundle that does not validate: the message names the file and the field."""


@dataclass(frozen=True)
class CheckerSpec:
    kind: CheckerKind = "numeric"
    tolerances: dict[str, tuple[float, float]] = field(default_factory=dict)
    strict_dtype: bool = False

    def tolerance(self, dtype: np.dtype[Any]) -> tuple[float, float]:
        """(rtol, atol) for an expected array of this dtype; integers and booleans compare exactly by default."""
        name = str(dtype)
        if name in self.tolerances:
            return self.tolerances[name]
        return DEFAULT_TOLERANCES.get(name, (0.0, 0.0))


@dataclass(frozen=True)
class MetricSpec:
    """One `[[metrics]]` entry: a figure computed from the expected and actual outputs, and its bar."""

    kind: str
    output: int | None = None
    min: float | None = None
    max: float | None = None
    rtol: float = DEFAULT_ALLCLOSE[0]
    atol: float = DEFAULT_ALLCLOSE[1]

    @property
    def name(self) -> str:
        return self.kind if self.output is None else f"{self.kind}[{self.output}]"


@dataclass(frozen=True)
class ArtifactConstraints:
    """`[artifact.constraints]`: what the submitted artifact must satisfy (None / empty: not checked)."""

    checker: str = "full"
    allowed_ops: tuple[str, ...] | None = None
    denied_ops: tuple[str, ...] = ()
    max_nodes: int | None = None
    max_op_counts: dict[str, int] = field(default_factory=dict)
    min_op_counts: dict[str, int] = field(default_factory=dict)
    original: str | None = None
    max_size_ratio: float | None = None
    min_size_ratio: float | None = None
    size_tolerance: float | None = None
    min_opset: int | None = None
    max_opset: int | None = None
    input_names: tuple[str, ...] | None = None
    output_names: tuple[str, ...] | None = None
    dynamic_axes: dict[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ArtifactSpec:
    """`[artifact]`: the submission writes files under out/; a trusted loader checks and runs them."""

    kind: str
    files: tuple[str, ...]
    max_total_kb: int = 16384
    time_limit_s: float = 10.0
    memory_limit_mb: int = 768
    constraints: ArtifactConstraints = field(default_factory=ArtifactConstraints)


@dataclass(frozen=True)
class StageSpec:
    """One run of the submission per case (`[[stages]]`, or the single implicit stage "run")."""

    name: str
    entry_point: str
    time_limit_s: float
    memory_limit_mb: int
    toolchains: tuple[str, ...] = ()


@dataclass(frozen=True)
class GeneratedSpec:
    """`[generated]`: cases made at grading time by generate.py's `make_inputs` from a secret seed."""

    sizes: tuple[int, ...]
    inputs_per_size: int = MIN_INPUTS_PER_SIZE
    points: float = 1.0


@dataclass(frozen=True)
class TimingSpec:
    """`[timing]`: the submission is timed against the bundle's baseline at one size."""

    size: int
    min_speedup: float
    bands: tuple[float, ...]
    min_rounds: int = 20
    max_rounds: int = 80
    target_cv: float = 0.03


@dataclass(frozen=True)
class Case:
    name: str
    visible: bool
    points: float
    input_npz: Path | None
    input_json: Path | None
    output_path: Path
    eval_npz: Path | None = None

    def input_bytes(self) -> tuple[bytes, bytes]:
        """The case's arguments as the harness receives them: `.npz` bytes and JSON bytes (either may be empty)."""
        npz = self.input_npz.read_bytes() if self.input_npz else b""
        js = self.input_json.read_bytes() if self.input_json else b""
        return npz, js

    def arguments(self) -> dict[str, Any]:
        npz, js = self.input_bytes()
        kwargs: dict[str, Any] = {}
        if npz:
            with np.load(io.BytesIO(npz), allow_pickle=False) as data:
                kwargs.update({name: data[name] for name in data.files})
        if js:
            kwargs.update(json.loads(js))
        return kwargs


@dataclass(frozen=True)
class PublicCase:
    name: str
    arguments: dict[str, Any]
    expected: Outputs | None

    def to_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            return value.tolist() if isinstance(value, np.ndarray) else value

        expected = None
        if self.expected is not None:
            parts = [plain(p) for p in self.expected.parts]
            expected = parts if self.expected.is_tuple else parts[0]
        return {"name": self.name, "arguments": {k: plain(v) for k, v in self.arguments.items()}, "expected": expected}


@dataclass(frozen=True)
class PublicExercise:
    """What a learner may see. Built from a bundle, never holding the reference or a hidden output."""

    slug: str
    title: str
    track: str
    item: str
    difficulty: str
    tags: tuple[str, ...]
    entry_point: str
    signature: str
    statement_md: str
    starter: str
    time_limit_s: float
    memory_limit_mb: int
    visible_cases: tuple[PublicCase, ...]
    hidden_case_count: int
    toolchains: tuple[str, ...] = ()
    language: str = "python"  # the starter's language: "python" or "cpp"

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "track": self.track,
            "item": self.item,
            "difficulty": self.difficulty,
            "tags": list(self.tags),
            "entry_point": self.entry_point,
            "signature": self.signature,
            "statement_md": self.statement_md,
            "starter": self.starter,
            "time_limit_s": self.time_limit_s,
            "memory_limit_mb": self.memory_limit_mb,
            "visible_cases": [case.to_dict() for case in self.visible_cases],
            "hidden_case_count": self.hidden_case_count,
            "toolchains": list(self.toolchains),
            "language": self.language,
        }


@dataclass(frozen=True)
class Bundle:
    path: Path
    slug: str
    title: str
    track: str
    item: str
    difficulty: str
    tags: tuple[str, ...]
    entry_point: str
    signature: str
    time_limit_s: float
    memory_limit_mb: int
    output_limit_kb: int
    process_per_case: bool
    checker: CheckerSpec
    cases: tuple[Case, ...]
    toolchains: tuple[str, ...] = ()
    stages: tuple[StageSpec, ...] = ()
    artifact: ArtifactSpec | None = None
    metrics: tuple[MetricSpec, ...] = ()
    language: str = "python"
    cpp: CppSpec | None = None
    generated: GeneratedSpec | None = None
    timing: TimingSpec | None = None

    @property
    def generator_path(self) -> Path:
        """generate.py: trusted curator code (inputs, reference, work) run in the grader's own process."""
        return self.path / "generate.py"

    @property
    def baseline_path(self) -> Path:
        """The bundle's own program the submission is timed against, in the submission's language."""
        return self.path / f"baseline{SOURCE_SUFFIX[self.language]}"

    @property
    def is_lab(self) -> bool:
        """Whether grading goes through the lab's stages (files, several stages, an artifact or metrics)."""
        return bool(self.artifact or self.metrics or len(self.stages) > 1 or self.shared_files)

    @property
    def files_dir(self) -> Path:
        return self.path / "files"

    @property
    def shared_files(self) -> tuple[Path, ...]:
        """The bundle's `files/`, given read-only to every stage."""
        if not self.files_dir.is_dir():
            return ()
        return tuple(sorted(p for p in self.files_dir.iterdir() if p.is_file()))

    @property
    def all_toolchains(self) -> tuple[str, ...]:
        """Every toolchain a grading of this bundle uses: the bundle's, its stages' and its loader's."""
        from grader.artifacts import ARTIFACT_KINDS  # the registry imports no runtime

        names = list(self.toolchains)
        for stage in self.stages:
            names += stage.toolchains
        if self.artifact is not None:
            names += ARTIFACT_KINDS[self.artifact.kind].toolchains
        return tuple(dict.fromkeys(names))

    @property
    def statement_md(self) -> str:
        return (self.path / "statement.md").read_text(encoding="utf-8")

    @property
    def starter_path(self) -> Path:
        return self.path / f"starter{SOURCE_SUFFIX[self.language]}"

    @property
    def starter(self) -> str:
        return self.starter_path.read_text(encoding="utf-8")

    @property
    def reference_path(self) -> Path:
        return self.path / f"reference{SOURCE_SUFFIX[self.language]}"

    @property
    def custom_checker_path(self) -> Path:
        return self.path / "checker.py"

    @property
    def visible_cases(self) -> tuple[Case, ...]:
        return tuple(c for c in self.cases if c.visible)

    @property
    def hidden_cases(self) -> tuple[Case, ...]:
        return tuple(c for c in self.cases if not c.visible)

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.cases)

    def reference_source(self) -> str:
        """Trusted callers only (build, check, tests): the learner never sees this."""
        return self.reference_path.read_text(encoding="utf-8")

    def expected(self, case: Case) -> Outputs:
        """A case's stored expected outputs; raises FileNotFoundError before the first build."""
        return load_outputs_file(case.output_path.read_bytes())

    def public_view(self) -> PublicExercise:
        visible = []
        for case in self.visible_cases:
            try:
                expected: Outputs | None = self.expected(case)
            except FileNotFoundError:
                expected = None
            visible.append(PublicCase(name=case.name, arguments=case.arguments(), expected=expected))
        return PublicExercise(
            slug=self.slug,
            title=self.title,
            track=self.track,
            item=self.item,
            difficulty=self.difficulty,
            tags=self.tags,
            entry_point=self.entry_point,
            signature=self.signature,
            statement_md=self.statement_md,
            starter=self.starter,
            time_limit_s=self.time_limit_s,
            memory_limit_mb=self.memory_limit_mb,
            visible_cases=tuple(visible),
            hidden_case_count=len(self.hidden_cases),
            toolchains=self.all_toolchains,
            language=self.language,
        )


def _get(meta: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str, default: Any = ...) -> Any:
    if key not in meta:
        if default is ...:
            raise BundleError(f"{where}: `{key}` is required")
        return default
    value = meta[key]
    if isinstance(value, bool) and kind is not bool and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise BundleError(f"{where}: `{key}` must be {getattr(kind, '__name__', kind)}, not a boolean")
    if not isinstance(value, kind):
        raise BundleError(f"{where}: `{key}` must be {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


def _in_range(value: float, low: float, high: float, key: str, where: str) -> None:
    if not low <= value <= high:
        raise BundleError(f"{where}: `{key}` must be between {low} and {high}, got {value}")


def _checker(meta: dict[str, Any], where: str) -> CheckerSpec:
    raw = _get(meta, "checker", dict, where, {})
    kind = _get(raw, "kind", str, f"{where} [checker]", "numeric")
    if kind not in CHECKER_KINDS:
        raise BundleError(f"{where} [checker]: `kind` must be one of {', '.join(CHECKER_KINDS)}, got {kind!r}")
    tolerances: dict[str, tuple[float, float]] = {}
    for dtype, tol in _get(raw, "tolerance", dict, f"{where} [checker]", {}).items():
        try:
            np.dtype(dtype)
        except TypeError:
            raise BundleError(f"{where} [checker.tolerance]: unknown dtype {dtype!r}") from None
        rtol = _get(tol, "rtol", (int, float), f"{where} [checker.tolerance.{dtype}]", 0.0)
        atol = _get(tol, "atol", (int, float), f"{where} [checker.tolerance.{dtype}]", 0.0)
        if rtol < 0 or atol < 0:
            raise BundleError(f"{where} [checker.tolerance.{dtype}]: tolerances cannot be negative")
        tolerances[dtype] = (float(rtol), float(atol))
    strict = _get(raw, "strict_dtype", bool, f"{where} [checker]", False)
    return CheckerSpec(kind=kind, tolerances=tolerances, strict_dtype=strict)


def _str_list(raw: dict[str, Any], key: str, where: str, pattern: re.Pattern[str] | None = None) -> tuple[str, ...]:
    values = _get(raw, key, list, where)
    if not all(isinstance(v, str) and (pattern is None or pattern.match(v)) for v in values):
        raise BundleError(f"{where}: `{key}` must be a list of names")
    return tuple(values)


def _toolchains(raw: dict[str, Any], where: str) -> tuple[str, ...]:
    from grader.toolchains import TOOLCHAIN_NAMES

    names = _str_list(raw, "toolchains", where) if "toolchains" in raw else ()
    unknown = [n for n in names if n not in TOOLCHAIN_NAMES]
    if unknown:
        raise BundleError(f"{where}: unknown toolchain(s) {', '.join(unknown)} (known: {', '.join(TOOLCHAIN_NAMES)})")
    return names


def _int_table(raw: dict[str, Any], key: str, where: str) -> dict[str, int]:
    table = _get(raw, key, dict, where, {})
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in table.values()):
        raise BundleError(f"{where}: `{key}` maps op types to counts (integers >= 0)")
    return dict(table)


def _constraints(raw: dict[str, Any], where: str, files: tuple[str, ...]) -> ArtifactConstraints:
    unknown = sorted(set(raw) - set(CONSTRAINT_KEYS))
    if unknown:
        raise BundleError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(CONSTRAINT_KEYS)})")
    checker = _get(raw, "checker", str, where, "full")
    if checker not in CHECKER_LEVELS:
        raise BundleError(f"{where}: `checker` must be one of {', '.join(CHECKER_LEVELS)}")
    original = _get(raw, "original", str, where, None)
    if original is not None and original not in files:
        raise BundleError(f"{where}: `original` {original!r} is not a file of the bundle's files/")
    ratios = {}
    for key in ("max_size_ratio", "min_size_ratio", "size_tolerance"):
        value = _get(raw, key, (int, float), where, None)
        if value is not None:
            _in_range(float(value), 0.0, 100.0, key, where)
            if key != "size_tolerance" and original is None:
                raise BundleError(f"{where}: `{key}` needs `original` (the file the ratio is taken against)")
            ratios[key] = float(value)
    opsets = {}
    for key in ("min_opset", "max_opset", "max_nodes"):
        value = _get(raw, key, int, where, None)
        if value is not None:
            _in_range(value, 1, 1_000_000, key, where)
            opsets[key] = value
    axes = {}
    for name, dims in _get(raw, "dynamic_axes", dict, where, {}).items():
        if not isinstance(dims, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in dims):
            raise BundleError(f"{where}: `dynamic_axes.{name}` must be a list of axis numbers")
        axes[name] = tuple(dims)
    return ArtifactConstraints(
        checker=checker,
        allowed_ops=_str_list(raw, "allowed_ops", where) if "allowed_ops" in raw else None,
        denied_ops=_str_list(raw, "denied_ops", where) if "denied_ops" in raw else (),
        max_nodes=opsets.get("max_nodes"),
        max_op_counts=_int_table(raw, "max_op_counts", where),
        min_op_counts=_int_table(raw, "min_op_counts", where),
        original=original,
        max_size_ratio=ratios.get("max_size_ratio"),
        min_size_ratio=ratios.get("min_size_ratio"),
        size_tolerance=ratios.get("size_tolerance"),
        min_opset=opsets.get("min_opset"),
        max_opset=opsets.get("max_opset"),
        input_names=_str_list(raw, "input_names", where) if "input_names" in raw else None,
        output_names=_str_list(raw, "output_names", where) if "output_names" in raw else None,
        dynamic_axes=axes,
    )


def _artifact(meta: dict[str, Any], where: str, files: tuple[str, ...]) -> ArtifactSpec | None:
    from grader.artifacts import ARTIFACT_KINDS

    raw = _get(meta, "artifact", dict, where, None)
    if raw is None:
        return None
    here = f"{where} [artifact]"
    kind = _get(raw, "kind", str, here)
    if kind not in ARTIFACT_KINDS:
        raise BundleError(f"{here}: `kind` must be one of {', '.join(ARTIFACT_KINDS)}, got {kind!r}")
    names = _str_list(raw, "files", here, FILE_NAME_RE) if "files" in raw else ARTIFACT_KINDS[kind].default_files
    total = _get(raw, "max_total_kb", int, here, 16384)
    _in_range(total, 1, 1 << 20, "max_total_kb", here)
    time_limit = float(_get(raw, "time_limit_s", (int, float), here, 10.0))
    _in_range(time_limit, 0.1, 120, "time_limit_s", here)
    memory = _get(raw, "memory_limit_mb", int, here, 768)
    _in_range(memory, 64, 4096, "memory_limit_mb", here)
    constraints = _constraints(_get(raw, "constraints", dict, here, {}), f"{here}.constraints", files)
    return ArtifactSpec(kind, names, total, time_limit, memory, constraints)


def _metrics(meta: dict[str, Any], where: str) -> tuple[MetricSpec, ...]:
    specs = []
    for number, raw in enumerate(_get(meta, "metrics", list, where, []), 1):
        here = f"{where} [[metrics]] #{number}"
        if not isinstance(raw, dict):
            raise BundleError(f"{here}: must be a table")
        unknown = sorted(set(raw) - {"kind", "output", "min", "max", "rtol", "atol"})
        if unknown:
            raise BundleError(f"{here}: unknown key(s) {', '.join(unknown)}")
        kind = _get(raw, "kind", str, here)
        if kind not in METRIC_KINDS:
            raise BundleError(f"{here}: `kind` must be one of {', '.join(METRIC_KINDS)}, got {kind!r}")
        output = _get(raw, "output", int, here, None)
        low = _get(raw, "min", (int, float), here, None)
        high = _get(raw, "max", (int, float), here, None)
        if kind == "accuracy_delta" and low is None and high is None:
            high = DEFAULT_ACCURACY_DELTA
        if kind != "allclose" and (low is None) == (high is None):
            raise BundleError(f"{here}: give exactly one bar, `min` or `max`")
        rtol = float(_get(raw, "rtol", (int, float), here, DEFAULT_ALLCLOSE[0]))
        atol = float(_get(raw, "atol", (int, float), here, DEFAULT_ALLCLOSE[1]))
        if rtol < 0 or atol < 0:
            raise BundleError(f"{here}: tolerances cannot be negative")
        specs.append(
            MetricSpec(
                kind,
                output,
                None if low is None else float(low),
                None if high is None else float(high),
                rtol,
                atol,
            )
        )
    return tuple(specs)


def _stages(
    meta: dict[str, Any], where: str, entry: str, time_limit: float, memory: int, toolchains: tuple[str, ...]
) -> tuple[StageSpec, ...]:
    raw_stages = _get(meta, "stages", list, where, [])
    if not raw_stages:
        return (StageSpec("run", entry, time_limit, memory, toolchains),)
    stages = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_stages, 1):
        here = f"{where} [[stages]] #{number}"
        if not isinstance(raw, dict):
            raise BundleError(f"{here}: must be a table")
        name = _get(raw, "name", str, here)
        if not SLUG_RE.match(name) or name in seen or name == "load":
            raise BundleError(f"{here}: `name` {name!r} must be a unique slug other than 'load'")
        seen.add(name)
        stage_entry = _get(raw, "entry_point", str, here)
        if not IDENTIFIER_RE.match(stage_entry):
            raise BundleError(f"{here}: `entry_point` must be a Python identifier")
        stage_time = float(_get(raw, "time_limit_s", (int, float), here, time_limit))
        _in_range(stage_time, 0.1, 120, "time_limit_s", here)
        stage_memory = _get(raw, "memory_limit_mb", int, here, memory)
        _in_range(stage_memory, 32, 4096, "memory_limit_mb", here)
        stage_chains = _toolchains(raw, here) if "toolchains" in raw else toolchains
        stages.append(StageSpec(name, stage_entry, stage_time, stage_memory, stage_chains))
    return tuple(stages)


def _check_cuda(bundle: Bundle, where: str) -> None:
    """A `language = "cuda"` bundle: numba kernels run by the plain harness (one stage, plain outputs)."""
    from grader.cuda import TOOLCHAIN

    if TOOLCHAIN not in bundle.toolchains:
        raise BundleError(f'{where}: a `language = "cuda"` bundle needs `toolchains = ["{TOOLCHAIN}"]`')
    if bundle.is_lab:
        raise BundleError(f'{where}: a `language = "cuda"` bundle has no [[stages]], [artifact], [[metrics]] or files/')
    if bundle.timing is not None:
        # The simulator grades correctness only: it runs one OS thread per CUDA thread, so its timings say nothing.
        raise BundleError(f'{where}: a `language = "cuda"` bundle is graded for correctness only: no [timing]')


def _number_list(raw: dict[str, Any], key: str, where: str, kind: type) -> tuple[Any, ...]:
    values = _get(raw, key, list, where)
    accepted = (int, float) if kind is float else (int,)
    if not values or not all(isinstance(v, accepted) and not isinstance(v, bool) and v > 0 for v in values):
        raise BundleError(f"{where}: `{key}` must be a list of positive {kind.__name__}s")
    return tuple(kind(v) for v in values)


def _generated(meta: dict[str, Any], where: str, path: Path) -> GeneratedSpec | None:
    raw = _get(meta, "generated", dict, where, None)
    if raw is None:
        return None
    here = f"{where} [generated]"
    sizes = _number_list(raw, "sizes", here, int)
    if len(set(sizes)) < MIN_GENERATED_SIZES:
        raise BundleError(f"{here}: `sizes` needs at least {MIN_GENERATED_SIZES} different sizes (tails, size 1)")
    per_size = _get(raw, "inputs_per_size", int, here, MIN_INPUTS_PER_SIZE)
    _in_range(per_size, MIN_INPUTS_PER_SIZE, 20, "inputs_per_size", here)
    points = float(_get(raw, "points", (int, float), here, 1))
    _in_range(points, 0, 1000, "points", here)
    if not (path / "generate.py").is_file():
        raise BundleError(f"{here}: needs generate.py defining make_inputs(rng, size) and reference(**inputs)")
    return GeneratedSpec(sizes, per_size, points)


def _timing(
    meta: dict[str, Any], where: str, path: Path, generated: GeneratedSpec | None, language: str
) -> TimingSpec | None:
    raw = _get(meta, "timing", dict, where, None)
    if raw is None:
        return None
    here = f"{where} [timing]"
    if generated is None:
        raise BundleError(f"{here}: a timed exercise also needs [generated] (its inputs come from make_inputs)")
    baseline = f"baseline{SOURCE_SUFFIX[language]}"
    if not (path / baseline).is_file():
        raise BundleError(f"{here}: needs {baseline}, the bundle's own program the submission is timed against")
    size = _get(raw, "size", int, here)
    _in_range(size, 1, 1 << 30, "size", here)
    min_speedup = float(_get(raw, "min_speedup", (int, float), here))
    _in_range(min_speedup, 0.01, 1000, "min_speedup", here)
    bands = _number_list(raw, "bands", here, float) if "bands" in raw else (1.0, min_speedup)
    if list(bands) != sorted(bands):
        raise BundleError(f"{here}: `bands` must be ascending speed-ups")
    low = _get(raw, "min_rounds", int, here, 20)
    high = _get(raw, "max_rounds", int, here, 80)
    _in_range(low, 3, 1000, "min_rounds", here)
    _in_range(high, low, 1000, "max_rounds", here)
    target = float(_get(raw, "target_cv", (int, float), here, 0.03))
    _in_range(target, 0.001, 1.0, "target_cv", here)
    return TimingSpec(size, min_speedup, bands, low, high, target)


def load_bundle(path: str | Path) -> Bundle:
    """Read and validate a bundle folder. Raises BundleError naming the file and field at fault."""
    path = Path(path).resolve()
    meta_path = path / "exercise.toml"
    where = str(meta_path)
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BundleError(f"{where}: missing (every bundle has an exercise.toml)") from None
    except tomllib.TOMLDecodeError as exc:
        raise BundleError(f"{where}: not valid TOML ({exc})") from None

    slug = _get(meta, "slug", str, where)
    if not SLUG_RE.match(slug) or slug != path.name:
        raise BundleError(f"{where}: `slug` must be lowercase words joined by '-' and equal the folder name")
    difficulty = _get(meta, "difficulty", str, where)
    if difficulty not in DIFFICULTIES:
        raise BundleError(f"{where}: `difficulty` must be one of {', '.join(DIFFICULTIES)}")
    language = _get(meta, "language", str, where, "python")
    if language not in LANGUAGES:
        raise BundleError(f"{where}: `language` must be one of {', '.join(LANGUAGES)}, got {language!r}")
    entry = _get(meta, "entry_point", str, where)
    if not IDENTIFIER_RE.match(entry):
        raise BundleError(f"{where}: `entry_point` must be a {'C' if language == 'cpp' else 'Python'} identifier")
    signature = _get(meta, "signature", str, where)
    if language != "cpp" and not signature.startswith(f"def {entry}("):
        raise BundleError(f"{where}: `signature` must start with 'def {entry}('")
    if language == "cpp" and not re.match(rf'^extern\s+"C"\s+void\s+{entry}\s*\(', signature):
        raise BundleError(f"""{where}: `signature` must start with 'extern "C" void {entry}(' (the C ABI)""")
    time_limit = float(_get(meta, "time_limit_s", (int, float), where))
    _in_range(time_limit, 0.1, 60, "time_limit_s", where)
    memory = _get(meta, "memory_limit_mb", int, where)
    _in_range(memory, 32, 4096, "memory_limit_mb", where)
    output_kb = _get(meta, "output_limit_kb", int, where, 1024)
    _in_range(output_kb, 1, 65536, "output_limit_kb", where)
    tags = _get(meta, "tags", list, where, [])
    if not all(isinstance(t, str) and SLUG_RE.match(t) for t in tags):
        raise BundleError(f"{where}: `tags` must be lowercase slugs")

    cases: list[Case] = []
    raw_cases = _get(meta, "cases", list, where)
    if not raw_cases:
        raise BundleError(f"{where}: `cases` is empty")
    seen: set[str] = set()
    for number, raw in enumerate(raw_cases, 1):
        case_where = f"{where} [[cases]] #{number}"
        if not isinstance(raw, dict):
            raise BundleError(f"{case_where}: must be a table")
        name = _get(raw, "name", str, case_where)
        if not CASE_RE.match(name) or name in seen:
            raise BundleError(f"{case_where}: `name` {name!r} must be a unique short slug")
        seen.add(name)
        points = float(_get(raw, "points", (int, float), case_where, 1))
        _in_range(points, 0, 1000, "points", case_where)
        npz = path / "cases" / f"{name}.in.npz"
        js = path / "cases" / f"{name}.in.json"
        if not npz.is_file() and not js.is_file():
            raise BundleError(f"{case_where}: neither cases/{name}.in.npz nor cases/{name}.in.json exists")
        for file in (npz, js):
            if file.is_file() and file.stat().st_size > MAX_INPUT_BYTES:
                raise BundleError(f"{case_where}: {file.name} is over {MAX_INPUT_BYTES} bytes")
        evaluation = path / "cases" / f"{name}.eval.npz"
        cases.append(
            Case(
                name=name,
                visible=_get(raw, "visible", bool, case_where),
                points=points,
                input_npz=npz if npz.is_file() else None,
                input_json=js if js.is_file() else None,
                output_path=path / "cases" / f"{name}.out.npz",
                eval_npz=evaluation if evaluation.is_file() else None,
            )
        )
    checker = _checker(meta, where)
    suffix = SOURCE_SUFFIX[language]
    for required in ("statement.md", f"starter{suffix}", f"reference{suffix}"):
        if not (path / required).is_file():
            raise BundleError(f"{path / required}: missing")
    if checker.kind == "custom" and not (path / "checker.py").is_file():
        raise BundleError(f"{where}: [checker] kind is custom but checker.py is missing")
    files_dir = path / "files"
    shared = sorted(p for p in files_dir.iterdir()) if files_dir.is_dir() else []
    for file in shared:
        if not file.is_file() or file.is_symlink() or not FILE_NAME_RE.match(file.name):
            raise BundleError(f"{file}: files/ holds only plain files with short names (letters, digits, . _ -)")
    if sum(f.stat().st_size for f in shared) > MAX_FILES_BYTES:
        raise BundleError(f"{files_dir}: over {MAX_FILES_BYTES} bytes in all; keep generated models small")
    toolchains = _toolchains(meta, where)
    stages = _stages(meta, where, entry, time_limit, memory, toolchains)
    artifact = _artifact(meta, where, tuple(f.name for f in shared))
    metrics = _metrics(meta, where)
    cpp = _cpp(meta, where, entry, language, shared, toolchains)
    generated = _generated(meta, where, path)
    timing = _timing(meta, where, path, generated, language)
    bundle = Bundle(
        path=path,
        slug=slug,
        title=_get(meta, "title", str, where),
        track=_get(meta, "track", str, where),
        item=_get(meta, "item", str, where, ""),
        difficulty=difficulty,
        tags=tuple(tags),
        entry_point=entry,
        signature=signature,
        time_limit_s=time_limit,
        memory_limit_mb=memory,
        output_limit_kb=output_kb,
        process_per_case=_get(meta, "process_per_case", bool, where, False),
        checker=checker,
        cases=tuple(cases),
        toolchains=toolchains,
        stages=stages,
        artifact=artifact,
        metrics=metrics,
        language=language,
        cpp=cpp,
        generated=generated,
        timing=timing,
    )
    if bundle.language == "cuda":
        _check_cuda(bundle, where)
    return bundle


def _cpp(
    meta: dict[str, Any], where: str, entry: str, language: str, shared: list[Path], toolchains: tuple[str, ...]
) -> CppSpec | None:
    if language != "cpp":
        if "cpp" in meta:
            raise BundleError(f'{where}: a [cpp] table needs `language = "cpp"`')
        return None
    for key in ("stages", "artifact", "metrics"):
        if key in meta:
            raise BundleError(f"{where}: a C++ bundle is graded by [checker]; it cannot have `{key}`")
    if shared or toolchains:
        raise BundleError(f"{where}: a C++ bundle has no files/ and no toolchains")
    try:
        return parse_cpp_spec(meta.get("cpp"), entry, where)
    except SpecError as exc:
        raise BundleError(str(exc)) from None


def find_bundles(root: str | Path = EXERCISES_DIR) -> list[Path]:
    """Bundle folders under `root` (those holding an exercise.toml), sorted by slug."""
    return sorted(p.parent for p in Path(root).glob("*/exercise.toml"))


def load_all(root: str | Path = EXERCISES_DIR) -> list[Bundle]:
    return [load_bundle(p) for p in find_bundles(root)]
