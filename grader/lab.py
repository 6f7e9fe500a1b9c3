"""Grading the deployment lab's exercises: stages, artifacts and metrics (the keys are documented at the top of
grader/bundles.py).

A case goes through the bundle's stages in order, each a run of the submission in a sandbox of its own with
the stage's limits (one process per stage for all cases, as the grader does for one stage). A stage's files
under `out/` are copied back (plain files, capped) and handed to the next stage as `artifact_dir`. When the
bundle declares an `[artifact]`, the last stage's files are checked here (names, count, sizes) and opened by
the kind's trusted loader in another sandbox: the stage "load". The loader's facts are held against the
constraints and its outputs against the reference's, metric by metric; each figure is reported with its bar.

A case's verdict is the first stage's that is not AC, then WA when a constraint or metric fails. The loader's
failures are the submission's when the model caused them (TLE, MLE, RE for a runtime crash, WA for a model it
refused), and IE only for the loader's own errors.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from grader.artifacts import ARTIFACT_KINDS, HARD_MAX_NODES, LOADER_ENTRY, MAX_ARTIFACT_FILES
from grader.bundles import Bundle, Case, MetricSpec, StageSpec
from grader.checkers import run_checker
from grader.constraints import FactsError, check_constraints, describe_failure, parse_facts
from grader.metrics import describe, evaluate
from grader.outputs import OutputError, Outputs, decode_outputs, npz_bytes
from grader.results import CaseResult, MetricResult, StageResult, Verdict
from grader.sandbox import FAILED_RUN_VERDICT, CaseInput, Job, RawResult, SandboxConfig, Status, run_job
from grader.toolchains import TOOLCHAINS

logger = logging.getLogger(__name__)

LOAD_STAGE = "load"
DEFAULT_ARTIFACT_LIMIT = 16 << 20
# The loader is trusted code: only what the model made it do is the learner's.
_LOADER_VERDICT = {
    Status.CRASHED: Verdict.RE,
    Status.MEMORY: Verdict.MLE,
    Status.OUTPUT: Verdict.OLE,
    Status.TIMEOUT: Verdict.TLE,
    Status.EXCEPTION: Verdict.IE,
    Status.BAD_OUTPUT: Verdict.IE,
    Status.COMPILE_ERROR: Verdict.IE,
    Status.INTERNAL: Verdict.IE,
}


@dataclass
class CaseRun:
    """One case's way through the stages: each stage's result, and the raw result whose payload is judged."""

    stages: list[StageResult] = field(default_factory=list)
    failed: bool = False
    files: bytes = b""  # the last stage's out/ files (an .npz of uint8 arrays)
    final: RawResult | None = None


def _modules(toolchains: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(TOOLCHAINS[t].module for t in toolchains if t != "numpy")


def decode_files(
    data: bytes, *, max_bytes: int, accepted: Any, max_files: int = MAX_ARTIFACT_FILES
) -> dict[str, bytes]:
    """The files a stage left under out/, from untrusted .npz bytes: sizes checked in the zip directory first,
    names checked against the kind's pattern. Raises OutputError saying what is wrong."""
    if not data:
        return {}
    if len(data) > max_bytes + (1 << 16):
        raise OutputError(f"the files under out/ are over the limit of {max_bytes} bytes")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise OutputError(f"the files could not be read back ({exc})") from None
    if len(infos) > max_files:
        raise OutputError(f"{len(infos)} files under out/; at most {max_files}")
    if sum(i.file_size for i in infos) > max_bytes + len(infos) * 256:
        raise OutputError(f"the files under out/ are over the limit of {max_bytes} bytes")
    files: dict[str, bytes] = {}
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        for name in npz.files:
            if accepted is not None and not accepted.match(name):
                raise OutputError(f"out/{name}: this exercise accepts no file by that name")
            array = npz[name]
            if array.dtype != np.uint8 or array.ndim != 1:
                raise OutputError(f"out/{name}: not a file's bytes")
            files[name] = array.tobytes()
    if sum(len(v) for v in files.values()) > max_bytes:
        raise OutputError(f"the files under out/ are over the limit of {max_bytes} bytes")
    return files


def encode_files(files: dict[str, bytes]) -> bytes:
    return npz_bytes({name: np.frombuffer(data, dtype=np.uint8) for name, data in files.items()}) if files else b""


def _stage_result(stage: StageSpec, raw: RawResult) -> StageResult:
    time_ms = raw.cpu_ms if raw.cpu_ms is not None else raw.wall_ms
    if raw.status is Status.OK:
        if raw.cpu_ms is not None and raw.cpu_ms > stage.time_limit_s * 1000:
            return StageResult(stage.name, Verdict.TLE, time_ms, raw.peak_kb, f"used {raw.cpu_ms:.0f} ms of CPU time")
        limit_kb = stage.memory_limit_mb * 1024
        if raw.peak_kb is not None and raw.peak_kb > limit_kb:
            return StageResult(
                stage.name, Verdict.MLE, time_ms, raw.peak_kb, f"peak memory {raw.peak_kb} KB over {limit_kb} KB"
            )
        return StageResult(stage.name, Verdict.AC, time_ms, raw.peak_kb)
    verdict = FAILED_RUN_VERDICT[raw.status]
    message = raw.message or raw.error_type
    if verdict is Verdict.IE:
        message = "the grader failed to run this stage; it was not your code's fault"
    return StageResult(stage.name, verdict, time_ms, raw.peak_kb, message)


def _loader_result(raw: RawResult, limit_s: float) -> StageResult:
    time_ms = raw.cpu_ms if raw.cpu_ms is not None else raw.wall_ms
    if raw.status is Status.OK:
        return StageResult(LOAD_STAGE, Verdict.AC, time_ms, raw.peak_kb)
    verdict = _LOADER_VERDICT[raw.status]
    if verdict is Verdict.IE:
        logger.error("the artifact loader failed: %s %s", raw.status, raw.message[-2000:])
        return StageResult(
            LOAD_STAGE, verdict, time_ms, raw.peak_kb, "the grader failed to load the model; not your fault"
        )
    what = {
        Verdict.TLE: f"loading and running your model took more than {limit_s:g} s",
        Verdict.MLE: "loading and running your model went over the memory limit",
        Verdict.OLE: "your model's outputs are over the output limit",
        Verdict.RE: f"the runtime crashed on your model ({raw.message})",
    }[verdict]
    return StageResult(LOAD_STAGE, verdict, time_ms, raw.peak_kb, what)


def run_pipeline(
    bundle: Bundle, code: str, cases: tuple[Case, ...], config: SandboxConfig, *, sandboxed: bool
) -> list[CaseRun]:
    """Runs every stage (and the loader) over `cases`; one CaseRun per case, in order."""
    runs = [CaseRun() for _ in cases]
    shared = tuple((p.name, p.read_bytes()) for p in bundle.shared_files)
    artifact = bundle.artifact
    artifact_limit = artifact.max_total_kb * 1024 if artifact else DEFAULT_ARTIFACT_LIMIT
    for number, stage in enumerate(bundle.stages):
        last = number == len(bundle.stages) - 1
        alive = [i for i, run in enumerate(runs) if not run.failed]
        if not alive:
            break
        inputs = tuple(CaseInput(i, *cases[i].input_bytes(), files=runs[i].files) for i in alive)
        job = Job(
            entry_point=stage.entry_point,
            code=code,
            cases=inputs,
            cpu_limit_s=stage.time_limit_s,
            memory_limit_mb=stage.memory_limit_mb,
            output_limit_bytes=bundle.output_limit_kb * 1024,
            process_per_case=bundle.process_per_case,
            files=shared,
            preload=_modules(stage.toolchains),
            want_output=last and artifact is None,
            collect_out=not last or artifact is not None,
            artifact_limit_bytes=artifact_limit,
        )
        for i, raw in zip(alive, run_job(job, config, sandboxed=sandboxed), strict=True):
            result = _stage_result(stage, raw)
            runs[i].stages.append(result)
            runs[i].files = raw.files or b""
            if result.verdict is not Verdict.AC:
                runs[i].failed = True
            elif last and artifact is None:
                runs[i].final = raw
    if artifact is None:
        return runs
    kind = ARTIFACT_KINDS[artifact.kind]
    loader_inputs = []
    for i, run in enumerate(runs):
        if run.failed:
            continue
        try:
            files = decode_files(run.files, max_bytes=artifact_limit, accepted=kind.accepted)
            missing = [name for name in artifact.files if name not in files]
            if missing:
                raise OutputError(f"the submission wrote no out/{missing[0]} (it wrote {sorted(files) or 'nothing'})")
        except OutputError as exc:
            run.stages.append(StageResult(LOAD_STAGE, Verdict.WA, message=str(exc)))
            run.failed = True
            continue
        params = {
            "constraints": {
                **_constraints_dict(bundle),
                "files": list(artifact.files),
                "max_nodes_hard": HARD_MAX_NODES,
            },
            "evaluate": cases[i].eval_npz is not None,
        }
        eval_path = cases[i].eval_npz
        evaluation = eval_path.read_bytes() if eval_path is not None else b""
        loader_inputs.append(CaseInput(i, evaluation, json.dumps(params).encode(), files=encode_files(files)))
    if not loader_inputs:
        return runs
    job = Job(
        entry_point=LOADER_ENTRY,
        code=kind.loader_source(),
        cases=tuple(loader_inputs),
        cpu_limit_s=artifact.time_limit_s,
        memory_limit_mb=artifact.memory_limit_mb,
        output_limit_bytes=bundle.output_limit_kb * 1024,
        files=(),
        preload=_modules(kind.toolchains),
    )
    for case_input, raw in zip(loader_inputs, run_job(job, config, sandboxed=sandboxed), strict=True):
        run = runs[case_input.index]
        result = _loader_result(raw, artifact.time_limit_s)
        run.stages.append(result)
        if result.verdict is Verdict.AC:
            run.final = raw
        else:
            run.failed = True
    return runs


def _constraints_dict(bundle: Bundle) -> dict[str, Any]:
    assert bundle.artifact is not None  # noqa: S101 - only called for artifact bundles
    c = bundle.artifact.constraints
    return {"checker": c.checker}


def _default_metrics(bundle: Bundle) -> tuple[MetricSpec, ...]:
    if bundle.metrics:
        return bundle.metrics
    return (MetricSpec("allclose"),) if bundle.artifact is not None else ()


def judge_case(bundle: Bundle, case: Case, run: CaseRun) -> CaseResult:
    times = [s.time_ms for s in run.stages if s.time_ms is not None]
    memories = [s.peak_memory_kb for s in run.stages if s.peak_memory_kb is not None]
    base = CaseResult(
        name=case.name,
        visible=case.visible,
        verdict=Verdict.IE,
        points=0.0,
        max_points=case.points,
        time_ms=sum(times) if times else None,
        peak_memory_kb=max(memories) if memories else None,
        stages=tuple(run.stages),
    )
    failed = next((s for s in run.stages if s.verdict is not Verdict.AC), None)
    if failed is not None:
        return replace(base, verdict=failed.verdict, message=f"stage {failed.name}: {failed.message}".rstrip(": "))
    if run.final is None:
        return replace(base, message="no stage produced a result")
    try:
        actual = decode_outputs(run.final.payload or b"", max_bytes=bundle.output_limit_kb * 1024)
    except OutputError as exc:
        return replace(base, verdict=Verdict.WA, message=str(exc))
    try:
        expected = bundle.expected(case)
        return _compare(bundle, case, base, expected, actual)
    except FactsError:
        logger.exception("the loader's report for %s case %s is broken", bundle.slug, case.name)
        return replace(base, message="the grader could not read the loader's report; not your fault")
    except Exception:
        logger.exception("checking %s case %s failed", bundle.slug, case.name)
        return replace(base, message="the checker failed; the grader's team was told")


def judge_outputs(bundle: Bundle, case: Case, expected: Outputs, actual: Outputs) -> CaseResult:
    """`actual` judged against `expected` as a submission's outputs are: the artifact's constraints, then the
    bundle's metrics (or its checker)."""
    base = CaseResult(name=case.name, visible=case.visible, verdict=Verdict.IE, points=0.0, max_points=case.points)
    return _compare(bundle, case, base, expected, actual)


def _compare(bundle: Bundle, case: Case, base: CaseResult, expected: Outputs, actual: Outputs) -> CaseResult:
    figures: list[MetricResult] = []
    problems: list[str] = []
    exp_parts, act_parts = list(expected.parts), list(actual.parts)
    if bundle.artifact is not None:
        facts = parse_facts(str(act_parts.pop(0)))
        reference = parse_facts(str(exp_parts.pop(0)))
        if not facts.get("ok"):
            problems.append(describe_failure(facts))
        original = bundle.artifact.constraints.original
        original_size = (bundle.files_dir / original).stat().st_size if original else None
        figures += check_constraints(
            facts, bundle.artifact.constraints, original_size=original_size, reference_facts=reference
        )
        if not facts.get("ok"):
            return replace(base, verdict=Verdict.WA, message=problems[0], metrics=tuple(figures))
    # An artifact checked without hidden inputs has only its constraints (no outputs to compare).
    specs = _default_metrics(bundle) if exp_parts or act_parts or bundle.artifact is None else ()
    if specs:
        figures += evaluate(specs, exp_parts, act_parts, labels=_labels(case))
        failing = [f for f in figures if not f.passed]
        if failing:
            return replace(
                base,
                verdict=Verdict.WA,
                message="; ".join(describe(f) for f in failing[:6]),
                metrics=tuple(figures),
            )
        return replace(base, verdict=Verdict.AC, points=case.points, metrics=tuple(figures))
    outcome = run_checker(
        bundle.checker,
        Outputs(tuple(exp_parts), expected.is_tuple),
        Outputs(tuple(act_parts), actual.is_tuple),
        arguments=case.arguments() if bundle.checker.kind == "custom" else None,
        custom=bundle.custom_checker_path if bundle.checker.kind == "custom" else None,
    )
    failing = [f for f in figures if not f.passed]
    if failing:
        return replace(
            base, verdict=Verdict.WA, message="; ".join(describe(f) for f in failing[:6]), metrics=tuple(figures)
        )
    verdict = Verdict.AC if outcome.accepted else Verdict.WA
    return replace(
        base,
        verdict=verdict,
        points=round(case.points * outcome.fraction, 6),
        message=outcome.message,
        diff=outcome.diff,
        metrics=tuple(figures),
    )


def _labels(case: Case) -> np.ndarray | None:
    """The case's hidden `labels` (in NN.eval.npz, trusted), for accuracy metrics."""
    if case.eval_npz is None:
        return None
    with np.load(case.eval_npz, allow_pickle=False) as data:
        return np.asarray(data["labels"]) if "labels" in data.files else None


def hide(result: CaseResult) -> CaseResult:
    """A hidden case keeps its verdicts, times and figures; never a message (it could carry hidden data)."""
    stages = tuple(replace(s, message="") for s in result.stages)
    return replace(result, message="", diff="", stages=stages)


def reference_payloads(bundle: Bundle, code: str, config: SandboxConfig) -> list[RawResult | None]:
    """The reference's final raw result per case (the build's expected outputs), run without the sandbox."""
    runs = run_pipeline(bundle, code, bundle.cases, config, sandboxed=False)
    return [run.final if not run.failed else None for run in runs]


def failure_of(run: CaseRun) -> str:
    stage = next((s for s in run.stages if s.verdict is not Verdict.AC), None)
    return f"stage {stage.name}: {stage.verdict} {stage.message}" if stage else "no result"
