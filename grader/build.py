"""`build` writes each case's expected outputs by running the bundle's reference solution; `check` proves the
reference passes every case (through the sandbox when there is one) and that the stored outputs are current.

`cases/MANIFEST.json` records the SHA-256 of the reference, of each case's inputs and of each expected output
at build time, so `check` can tell "the reference or an input changed since the last build" from a real failure.

A bundle with a `generate.py` (the lab's models, inputs and hidden evaluation sets, made from fixed seeds) is
regenerated first by `build`; `check` regenerates it into a temporary copy and fails unless every generated
file is byte-identical to the one in the repository.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.bundles import Bundle, load_bundle
from grader.cpp_build import CompileFailed, kernel_parts
from grader.lab import judge_outputs, reference_payloads
from grader.outputs import OutputError, decode_outputs, load_outputs_file, outputs_npz
from grader.results import Verdict
from grader.run import bundle_job, grade
from grader.sandbox import SandboxConfig, Status, run_job, sandbox_problem

MANIFEST = "MANIFEST.json"
# Content rules for shipped exercises (tests' own small bundles are exempt).
MIN_CASES = 8
MIN_VISIBLE = 3


class BuildError(RuntimeError):
    pass


@dataclass
class CheckReport:
    slug: str
    problems: list[str] = field(default_factory=list)
    sandboxed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _input_hash(bundle: Bundle, name: str) -> str:
    case = next(c for c in bundle.cases if c.name == name)
    npz, js = case.input_bytes()
    digest = _sha(npz).encode() + _sha(js).encode()
    if case.eval_npz is not None:
        digest += _sha(case.eval_npz.read_bytes()).encode()
    return _sha(digest)


def _manifest(bundle: Bundle) -> dict[str, object]:
    extra: dict[str, object] = {}
    if bundle.shared_files:
        extra["files"] = {p.name: _sha(p.read_bytes()) for p in bundle.shared_files}
    return {
        **extra,
        "reference_sha256": _sha(bundle.reference_path.read_bytes()),
        "cases": {
            c.name: {"inputs_sha256": _input_hash(bundle, c.name), "output_sha256": _sha(c.output_path.read_bytes())}
            for c in bundle.cases
        },
    }


GENERATOR = "generate.py"


def _generator(path: Path) -> object:
    spec = importlib.util.spec_from_file_location(f"bundle_generator_{path.parent.name.replace('-', '_')}", path)
    if spec is None or spec.loader is None:
        raise BuildError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generate = getattr(module, "generate", None)
    if not callable(generate):
        raise BuildError(f"{path} defines no generate(bundle_dir)")
    return generate


def generate_bundle(folder: Path) -> None:
    """Runs the bundle's generate.py (trusted content, reviewed like code) on `folder`, when it has one."""
    script = folder / GENERATOR
    if script.is_file():
        generate = _generator(script)
        assert callable(generate)  # noqa: S101 - checked by _generator
        generate(folder)


def _generated_files(folder: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted([*folder.glob("files/*"), *folder.glob("cases/*.in.*"), *folder.glob("cases/*.eval.npz")]):
        if path.is_file():
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def generation_problems(bundle: Bundle) -> list[str]:
    """Regenerates into a temporary copy: what differs from the repository's files (nothing when current)."""
    if not (bundle.path / GENERATOR).is_file():
        return []
    with tempfile.TemporaryDirectory(prefix="bq-generate-") as tmp:
        copy = Path(tmp) / bundle.path.name
        shutil.copytree(bundle.path, copy, ignore=shutil.ignore_patterns("__pycache__"))
        for helper in bundle.path.parent.glob("*.py"):  # shared generators beside the bundles (lab_models.py)
            shutil.copy(helper, Path(tmp) / helper.name)
        for stale in [*copy.glob("files/*"), *copy.glob("cases/*.in.*"), *copy.glob("cases/*.eval.npz")]:
            stale.unlink()
        generate_bundle(copy)
        fresh = _generated_files(copy)
    stored = _generated_files(bundle.path)
    problems = [
        f"{name} is not what generate.py makes: rebuild" for name in sorted(stored) if fresh.get(name) != stored[name]
    ]
    problems += [f"{name} is missing: rebuild" for name in sorted(set(fresh) - set(stored))]
    return problems


def run_reference(bundle: Bundle) -> list[bytes]:
    """The reference's raw outputs per case (trusted: a plain subprocess with the bundle's limits)."""
    if bundle.is_lab:
        finals = reference_payloads(bundle, bundle.reference_source(), SandboxConfig())
        lab_payloads = []
        for case, final in zip(bundle.cases, finals, strict=True):
            if final is None or final.payload is None:
                raise BuildError(f"{bundle.slug}: the reference failed on case {case.name}")
            lab_payloads.append(final.payload)
        return lab_payloads
    config = SandboxConfig()
    try:
        parts = kernel_parts(bundle.cpp, bundle.reference_source(), config, sandboxed=sandbox_problem(config) is None)
    except CompileFailed as failed:
        result = failed.result
        raise BuildError(
            f"{bundle.slug}: the reference does not compile ({result.verdict}): {result.message}"
        ) from None
    job = bundle_job(bundle, bundle.reference_source(), bundle.cases, config, parts=parts)
    payloads = []
    for case, raw in zip(bundle.cases, run_job(job, config, sandboxed=False), strict=True):
        if raw.status is not Status.OK or raw.payload is None:
            detail = f"{raw.error_type} {raw.message}".strip()
            raise BuildError(f"{bundle.slug}: the reference failed on case {case.name}: {raw.status} {detail}")
        payloads.append(raw.payload)
    return payloads


def build_bundle(bundle: Bundle) -> list[str]:
    """Regenerate (generate.py), then write `cases/NN.out.npz` and the manifest; returns the names of the
    outputs that changed."""
    if (bundle.path / GENERATOR).is_file():
        generate_bundle(bundle.path)  # a second run in a row writes the same bytes
        bundle = load_bundle(bundle.path)
    changed = []
    for case, payload in zip(bundle.cases, run_reference(bundle), strict=True):
        data = outputs_npz(decode_outputs(payload, max_bytes=bundle.output_limit_kb * 1024))
        if not case.output_path.is_file() or case.output_path.read_bytes() != data:
            case.output_path.write_bytes(data)
            changed.append(case.name)
    (bundle.path / "cases" / MANIFEST).write_text(json.dumps(_manifest(bundle), indent=2, sort_keys=True) + "\n")
    return changed


def _same(stored: np.ndarray, fresh: np.ndarray, *, lab: bool = False) -> bool:
    """Equal, allowing a few ulps for floats (a different CPU may round a SIMD reduction differently). A lab
    bundle's outputs come from a runtime whose kernels differ by CPU: they agree to rtol 1e-4 / atol 1e-6,
    and its loader's report (a JSON text) on what was checked, not on the bytes."""
    if stored.dtype != fresh.dtype or stored.shape != fresh.shape:
        return False
    if lab and stored.dtype.kind == "U" and stored.ndim == 0:
        keys = ("ok", "nodes", "op_counts", "opset", "inputs", "outputs")
        before, after = json.loads(str(stored)), json.loads(str(fresh))
        return all(before.get(k) == after.get(k) for k in keys)
    if lab and stored.dtype.kind in "fc":
        return bool(np.allclose(fresh, stored, rtol=1e-4, atol=1e-6, equal_nan=True))
    if stored.dtype.kind in "fc":
        eps = float(np.finfo(stored.dtype).eps)
        scale = float(np.nanmax(np.abs(stored))) if stored.size and np.isfinite(stored).any() else 1.0
        return bool(np.allclose(fresh, stored, rtol=64 * eps, atol=64 * eps * max(scale, 1.0), equal_nan=True))
    return bool(np.array_equal(stored, fresh))


def check_bundle(bundle: Bundle, *, content_rules: bool = True, sandbox: SandboxConfig | None = None) -> CheckReport:
    report = CheckReport(bundle.slug)
    problems = report.problems
    if content_rules:
        if len(bundle.cases) < MIN_CASES:
            problems.append(f"has {len(bundle.cases)} cases; an exercise needs at least {MIN_CASES}")
        if len(bundle.visible_cases) < MIN_VISIBLE:
            problems.append(f"has {len(bundle.visible_cases)} visible cases; at least {MIN_VISIBLE} are needed")
    problems += generation_problems(bundle)
    missing = [c.name for c in bundle.cases if not c.output_path.is_file()]
    if missing:
        problems.append(f"no expected output for case(s) {', '.join(missing)}: run `python -m grader build`")
        return report
    manifest_path = bundle.path / "cases" / MANIFEST
    try:
        recorded = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        recorded = None
    if recorded != _manifest(bundle):
        problems.append("stored outputs are stale (reference, inputs or outputs changed since the last build)")
    try:
        fresh = run_reference(bundle)
    except BuildError as exc:
        problems.append(str(exc))
        return report
    for case, payload in zip(bundle.cases, fresh, strict=True):
        try:
            now = decode_outputs(payload, max_bytes=bundle.output_limit_kb * 1024)
            stored = load_outputs_file(case.output_path.read_bytes())
        except OutputError as exc:
            problems.append(f"case {case.name}: {exc}")
            continue
        same = now.is_tuple == stored.is_tuple and len(now.parts) == len(stored.parts)
        lab = bundle.is_lab
        if same and all(_same(s, f, lab=lab) for s, f in zip(stored.parts, now.parts, strict=True)):
            continue
        # A runtime's kernels differ by CPU beyond a few ulps (ONNX Runtime's int8 ones with and without
        # AVX-512 VNNI): stored outputs built on another worker are still current when the reference, judged
        # against them as a learner's submission is, passes every bar.
        if lab and same and judge_outputs(bundle, case, stored, now).verdict is Verdict.AC:
            continue
        problems.append(f"case {case.name}: the stored output differs from the reference's: rebuild")
    # The reference must pass its own checker, graded the way a learner is (sandboxed when possible).
    config = sandbox or SandboxConfig()
    report.sandboxed = sandbox_problem(config) is None
    result = grade(bundle, bundle.reference_source(), sandbox=config, trusted=not report.sandboxed)
    for outcome in result.cases:
        if outcome.verdict is not Verdict.AC:
            problems.append(f"case {outcome.name}: the reference gets {outcome.verdict} {outcome.message}".rstrip())
    return report


def bundle_files(bundle: Bundle) -> list[Path]:
    return sorted(p for p in bundle.path.rglob("*") if p.is_file())


def write_manifest(bundle: Bundle) -> None:
    """Records the current reference, inputs and outputs in `cases/MANIFEST.json` (after outputs were written
    some other way than `build_bundle`, e.g. by `grader.intake` from a sandboxed run)."""
    (bundle.path / "cases" / MANIFEST).write_text(json.dumps(_manifest(bundle), indent=2, sort_keys=True) + "\n")
