"""`build` writes each case's expected outputs by running the bundle's reference solution; `check` proves the
reference passes every case (through the sandbox when there is one) and that the stored outputs are current.

`cases/MANIFEST.json` records the SHA-256 of the reference, of each case's inputs and of each expected output
at build time, so `check` can tell "the reference or an input changed since the last build" from a real failure.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.bundles import Bundle
from grader.outputs import OutputError, decode_outputs, load_outputs_file, outputs_npz
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import CaseInput, Job, SandboxConfig, Status, run_job, sandbox_problem

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
    return _sha(_sha(npz).encode() + _sha(js).encode())


def _manifest(bundle: Bundle) -> dict[str, object]:
    return {
        "reference_sha256": _sha(bundle.reference_path.read_bytes()),
        "cases": {
            c.name: {"inputs_sha256": _input_hash(bundle, c.name), "output_sha256": _sha(c.output_path.read_bytes())}
            for c in bundle.cases
        },
    }


def run_reference(bundle: Bundle) -> list[bytes]:
    """The reference's raw outputs per case (trusted: a plain subprocess with the bundle's limits)."""
    job = Job(
        entry_point=bundle.entry_point,
        code=bundle.reference_source(),
        cases=tuple(CaseInput(i, *c.input_bytes()) for i, c in enumerate(bundle.cases)),
        cpu_limit_s=bundle.time_limit_s,
        memory_limit_mb=bundle.memory_limit_mb,
        output_limit_bytes=bundle.output_limit_kb * 1024,
        process_per_case=bundle.process_per_case,
    )
    payloads = []
    for case, raw in zip(bundle.cases, run_job(job, SandboxConfig(), sandboxed=False), strict=True):
        if raw.status is not Status.OK or raw.payload is None:
            detail = f"{raw.error_type} {raw.message}".strip()
            raise BuildError(f"{bundle.slug}: the reference failed on case {case.name}: {raw.status} {detail}")
        payloads.append(raw.payload)
    return payloads


def build_bundle(bundle: Bundle) -> list[str]:
    """Write `cases/NN.out.npz` and the manifest; returns the names of the outputs that changed."""
    changed = []
    for case, payload in zip(bundle.cases, run_reference(bundle), strict=True):
        data = outputs_npz(decode_outputs(payload, max_bytes=bundle.output_limit_kb * 1024))
        if not case.output_path.is_file() or case.output_path.read_bytes() != data:
            case.output_path.write_bytes(data)
            changed.append(case.name)
    (bundle.path / "cases" / MANIFEST).write_text(json.dumps(_manifest(bundle), indent=2, sort_keys=True) + "\n")
    return changed


def _same(stored: np.ndarray, fresh: np.ndarray) -> bool:
    """Equal, allowing a few ulps for floats (a different CPU may round a SIMD reduction differently)."""
    if stored.dtype != fresh.dtype or stored.shape != fresh.shape:
        return False
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
        if not same or not all(_same(s, f) for s, f in zip(stored.parts, now.parts, strict=True)):
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
