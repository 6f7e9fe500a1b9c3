"""Exercise bundles: a folder with `exercise.toml`, `statement.md`, `starter.py`, `reference.py`, optional
`checker.py`, and `cases/` (`NN.in.npz` and/or `NN.in.json` per case, `NN.out.npz` written by the build).

`load_bundle` validates the metadata and says what is wrong and where. A `Bundle` is the trusted view (it can
read the reference and every expected output); `Bundle.public_view()` is what a learner may see: the
statement, the starter, the signature and the visible cases with their inputs and expected outputs. The
reference solution and hidden expected outputs are never part of it.
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

from grader.outputs import Outputs, load_outputs_file

EXERCISES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "exercises"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CASE_RE = re.compile(r"^[a-z0-9_-]{1,40}$")
IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CheckerKind = Literal["exact", "text", "numeric", "unordered", "custom"]
CHECKER_KINDS: tuple[str, ...] = ("exact", "text", "numeric", "unordered", "custom")
DIFFICULTIES = ("easy", "medium", "hard")
MAX_INPUT_BYTES = 8 << 20

# rtol, atol by dtype: float32 work cannot be held to float64 precision.
DEFAULT_TOLERANCES: dict[str, tuple[float, float]] = {
    "float16": (1e-3, 1e-3),
    "float32": (1e-5, 1e-6),
    "float64": (1e-9, 1e-12),
    "complex64": (1e-5, 1e-6),
    "complex128": (1e-9, 1e-12),
}


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
class Case:
    name: str
    visible: bool
    points: float
    input_npz: Path | None
    input_json: Path | None
    output_path: Path

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

    @property
    def statement_md(self) -> str:
        return (self.path / "statement.md").read_text(encoding="utf-8")

    @property
    def starter(self) -> str:
        return (self.path / "starter.py").read_text(encoding="utf-8")

    @property
    def reference_path(self) -> Path:
        return self.path / "reference.py"

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
    entry = _get(meta, "entry_point", str, where)
    if not IDENTIFIER_RE.match(entry):
        raise BundleError(f"{where}: `entry_point` must be a Python identifier")
    signature = _get(meta, "signature", str, where)
    if not signature.startswith(f"def {entry}("):
        raise BundleError(f"{where}: `signature` must start with 'def {entry}('")
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
        cases.append(
            Case(
                name=name,
                visible=_get(raw, "visible", bool, case_where),
                points=points,
                input_npz=npz if npz.is_file() else None,
                input_json=js if js.is_file() else None,
                output_path=path / "cases" / f"{name}.out.npz",
            )
        )
    checker = _checker(meta, where)
    for required in ("statement.md", "starter.py", "reference.py"):
        if not (path / required).is_file():
            raise BundleError(f"{path / required}: missing")
    if checker.kind == "custom" and not (path / "checker.py").is_file():
        raise BundleError(f"{where}: [checker] kind is custom but checker.py is missing")
    return Bundle(
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
    )


def find_bundles(root: str | Path = EXERCISES_DIR) -> list[Path]:
    """Bundle folders under `root` (those holding an exercise.toml), sorted by slug."""
    return sorted(p.parent for p in Path(root).glob("*/exercise.toml"))


def load_all(root: str | Path = EXERCISES_DIR) -> list[Bundle]:
    return [load_bundle(p) for p in find_bundles(root)]
