"""`grade`: run a submission on a bundle's cases in the sandbox and turn what came back into verdicts.

The comparison happens here, in the trusted process, on plain arrays parsed with `allow_pickle=False`.
Visible cases carry a message and a diff; hidden cases carry only their verdict, time and memory, so a
learner cannot read a hidden input or expected output back through an error message.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import numpy as np

from grader.bundles import Bundle, Case
from grader.checkers import run_checker
from grader.cpp_build import CompileFailed, KernelParts, kernel_parts
from grader.cuda import LANGUAGE as CUDA
from grader.cuda import cuda_device, cuda_job, explain_failure, launch_problem
from grader.generated import DrawnCase, GeneratorError, case_input, drawn_cases, judge_raw
from grader.kernel_inputs import changed_input
from grader.lab import hide, judge_case, run_pipeline
from grader.outputs import OutputError, decode_outputs
from grader.results import CaseResult, GradeResult, Verdict
from grader.sandbox import (
    FAILED_RUN_VERDICT,
    UNSANDBOXED_ENV,
    CaseInput,
    Job,
    RawResult,
    SandboxConfig,
    SandboxUnavailable,
    Status,
    run_job,
)
from grader.timed import GeneratedRun, Program, grade_generated_and_timed, skipped_timing
from grader.toolchains import TOOLCHAINS, install_hint, missing

logger = logging.getLogger(__name__)

MAX_CODE_BYTES = 64 * 1024
UNSANDBOXED_WARNING = (
    "UNSANDBOXED GRADING: this submission ran with the grader's own permissions, without bubblewrap. "
    "Never do this with code you did not write."
)

__all__ = ["MAX_CODE_BYTES", "SandboxConfig", "SandboxUnavailable", "SubmissionTooLarge", "grade"]


class SubmissionTooLarge(ValueError):
    """The code is over MAX_CODE_BYTES; raised by `validate_submission` (grade() answers CE instead)."""


def validate_submission(code: str) -> None:
    """For forms and the API: refuse a submission before it is saved. The message says the limit."""
    size = len(code.encode("utf-8", "surrogatepass"))
    if size > MAX_CODE_BYTES:
        raise SubmissionTooLarge(
            f"The submission is {size / 1024:.1f} KB; the limit is {MAX_CODE_BYTES // 1024} KB. "
            "Remove unused code or data tables and submit again."
        )


def _unsandboxed_allowed(config: SandboxConfig) -> bool:
    if not config.unsandboxed:
        return False
    if os.environ.get(UNSANDBOXED_ENV) != "1":
        raise SandboxUnavailable(
            f"SandboxConfig(unsandboxed=True) also needs {UNSANDBOXED_ENV}=1 in the environment; "
            "it is meant for local development only."
        )
    return True


def _judge(bundle: Bundle, case: Case, raw: RawResult) -> CaseResult:
    base = CaseResult(
        name=case.name,
        visible=case.visible,
        verdict=Verdict.IE,
        points=0.0,
        max_points=case.points,
        time_ms=raw.cpu_ms if raw.cpu_ms is not None else raw.wall_ms,
        peak_memory_kb=raw.peak_kb,
    )
    limit_kb = bundle.memory_limit_mb * 1024
    if raw.status is Status.OK:
        if raw.cpu_ms is not None and raw.cpu_ms > bundle.time_limit_s * 1000:
            return replace(base, verdict=Verdict.TLE, message=f"used {raw.cpu_ms:.0f} ms of CPU time")
        if raw.peak_kb is not None and raw.peak_kb > limit_kb:
            return replace(base, verdict=Verdict.MLE, message=f"peak memory {raw.peak_kb} KB over {limit_kb} KB")
        try:
            actual = decode_outputs(raw.payload or b"", max_bytes=bundle.output_limit_kb * 1024)
        except OutputError as exc:
            return replace(base, verdict=Verdict.WA, message=str(exc))
        no_launch = launch_problem(raw) if bundle.language == CUDA else None
        if no_launch:
            return replace(base, verdict=Verdict.WA, message=no_launch)
        sent = _echoed_inputs(bundle, case)
        if sent is not None:
            changed = changed_input(sent, raw.inputs_after, max_bytes=len(case.input_bytes()[0]) + (1 << 16))
            if changed:
                return replace(base, verdict=Verdict.WA, message=changed)
        try:
            expected = bundle.expected(case)
            outcome = run_checker(
                bundle.checker,
                expected,
                actual,
                arguments=case.arguments() if bundle.checker.kind == "custom" else None,
                custom=bundle.custom_checker_path if bundle.checker.kind == "custom" else None,
            )
        except Exception:
            logger.exception("checker failed on %s case %s", bundle.slug, case.name)
            return replace(base, verdict=Verdict.IE, message="the checker failed; the grader's team was told")
        verdict = Verdict.AC if outcome.accepted else Verdict.WA
        return replace(
            base,
            verdict=verdict,
            points=round(case.points * outcome.fraction, 6),
            message=outcome.message,
            diff=outcome.diff,
        )
    verdict = FAILED_RUN_VERDICT[raw.status]
    message = raw.message
    if raw.error_type and raw.status in (Status.EXCEPTION, Status.MEMORY, Status.OUTPUT):
        message = message or raw.error_type
    if verdict is Verdict.IE:
        message = "the grader failed to run this case; it was not your code's fault"
    return replace(base, verdict=verdict, message=message)


def _echoed_inputs(bundle: Bundle, case: Case) -> dict[str, object] | None:
    """The arrays the harness sends back after a case, to be checked unchanged: a C++ kernel's `in` arrays, a
    CUDA launch function's array arguments; None for other bundles."""
    if bundle.cpp is not None:
        in_names = {a["name"] for a in bundle.cpp.args if a["role"] == "in"}
        return {name: value for name, value in case.arguments().items() if name in in_names}
    if bundle.language == CUDA:
        return {name: value for name, value in case.arguments().items() if isinstance(value, np.ndarray)}
    return None


def _hide(result: CaseResult) -> CaseResult:
    return replace(result, message="", diff="")


def grade(
    bundle: Bundle,
    code: str,
    *,
    cases: Literal["all", "visible"] = "all",
    sandbox: SandboxConfig | None = None,
    trusted: bool = False,
) -> GradeResult:
    """Grade `code` on the bundle's cases ("visible" runs only the examples, for a quick "Run" button).

    Raises SandboxUnavailable when bubblewrap is missing (with how to install it) and the unsandboxed
    development mode was not asked for both ways. `trusted=True` (the build, check and benchmark running
    a bundle's own reference) runs without the sandbox and without a warning.
    """
    config = sandbox or SandboxConfig()
    chosen = bundle.cases if cases == "all" else bundle.visible_cases
    max_score = sum(c.points for c in chosen)
    try:
        validate_submission(code)
    except SubmissionTooLarge as exc:
        return GradeResult(slug=bundle.slug, verdict=Verdict.CE, score=0.0, max_score=max_score, message=str(exc))

    sandboxed = not trusted and not _unsandboxed_allowed(config)
    notes: tuple[str, ...] = ()
    if not sandboxed and not trusted:
        warnings.warn(UNSANDBOXED_WARNING, RuntimeWarning, stacklevel=2)
        logger.warning(UNSANDBOXED_WARNING)
        notes = (UNSANDBOXED_WARNING,)

    absent = missing(bundle.all_toolchains)
    if absent:
        logger.error("cannot grade %s: this worker lacks %s", bundle.slug, ", ".join(absent))
        return GradeResult(
            slug=bundle.slug,
            verdict=Verdict.IE,
            score=0.0,
            max_score=max_score,
            message=install_hint(absent),
            sandboxed=sandboxed,
            warnings=notes,
        )
    if bundle.is_lab:
        runs = run_pipeline(bundle, code, chosen, config, sandboxed=sandboxed)
        lab_results = []
        for case, case_run in zip(chosen, runs, strict=True):
            judged = judge_case(bundle, case, case_run)
            lab_results.append(judged if case.visible else hide(judged))
        first = runs[0].stages[0].message if runs and runs[0].stages else ""
        return _summary(bundle, lab_results, max_score, sandboxed, notes, first_message=first)

    try:
        parts = kernel_parts(bundle.cpp, code, config, sandboxed=sandboxed)
    except CompileFailed as failed:
        return _not_built(bundle, chosen, failed.result.verdict, failed.result.message, max_score, sandboxed, notes)
    if bundle.language == CUDA:
        return _grade_cuda(bundle, code, chosen, config, sandboxed=sandboxed, notes=notes, all_cases=cases == "all")
    raws = run_job(bundle_job(bundle, code, chosen, config, parts=parts), config, sandboxed=sandboxed)
    results = []
    for case, raw in zip(chosen, raws, strict=True):
        judged = _judge(bundle, case, raw)
        results.append(judged if case.visible else _hide(judged))
    first = raws[0].message if raws else ""
    stopped = first.startswith(("importing the submission", "loading the compiled kernel")) or any(
        r.verdict is Verdict.CE for r in results
    )
    if bundle.generated is None or cases != "all" or stopped:
        why = "only the examples were run" if cases != "all" else "the submission did not load"
        untimed = GeneratedRun(timing=skipped_timing(bundle, f"not timed: {why}")) if bundle.timing else None
        return _summary(bundle, results, max_score, sandboxed, notes, first_message=first, generated=untimed)
    try:
        program = Program(code, parts.library, parts.kernel)
        correct = all(r.verdict is Verdict.AC for r in results)
        extra = grade_generated_and_timed(bundle, program, config, sandboxed=sandboxed, time_it=correct)
    except GeneratorError as exc:
        return _generator_failed(bundle, exc, max_score, sandboxed)
    max_score += sum(c.max_points for c in extra.cases)
    return _summary(bundle, results + extra.cases, max_score, sandboxed, notes, first_message=first, generated=extra)


def _grade_cuda(
    bundle: Bundle,
    code: str,
    chosen: tuple[Case, ...],
    config: SandboxConfig,
    *,
    sandboxed: bool,
    notes: tuple[str, ...],
    all_cases: bool,
) -> GradeResult:
    """A CUDA submission, for correctness only (the simulator's timings say nothing): the stored cases and,
    for a full grading, the `[generated]` cases drawn now from a secret seed, all in one sandboxed run (numba
    is imported once). Every case must launch a kernel and leave its input arrays unchanged."""
    per_drawn = bundle.generated.points if bundle.generated is not None else 0.0
    try:
        drawn = drawn_cases(bundle) if bundle.generated is not None and all_cases else []
    except GeneratorError as exc:
        return _generator_failed(bundle, exc, sum(c.points for c in chosen), sandboxed)
    max_score = sum(c.points for c in chosen) + per_drawn * len(drawn)
    raws = run_job(bundle_job(bundle, code, chosen, config, drawn=drawn), config, sandboxed=sandboxed)
    stored_raws, drawn_raws = raws[: len(chosen)], raws[len(chosen) :]
    results = []
    for case, raw in zip(chosen, stored_raws, strict=True):
        judged = _judge(bundle, case, raw)
        results.append(judged if case.visible else _hide(judged))
    message = ""
    for drawn_case, raw in zip(drawn, drawn_raws, strict=True):
        judgement = judge_raw(bundle, drawn_case, raw)
        results.append(
            CaseResult(
                name=drawn_case.name,
                visible=False,
                verdict=judgement.verdict,
                points=per_drawn if judgement.verdict is Verdict.AC else 0.0,
                max_points=per_drawn,
                time_ms=raw.cpu_ms,
                peak_memory_kb=raw.peak_kb,
            )
        )
        if judgement.verdict is not Verdict.AC and not message:
            detail = f": {explain_failure(judgement.message)}" if judgement.public and judgement.message else ""
            message = f"a generated case of size {drawn_case.size} got {judgement.verdict}{detail}"
    explained = [replace(c, message=explain_failure(c.message)) for c in results]
    first = raws[0].message if raws else ""
    summary = _summary(bundle, explained, max_score, sandboxed, notes, first_message=first)
    stored_passed = all(r.verdict is Verdict.AC for r in results[: len(chosen)])
    if message and stored_passed and not summary.message:  # the stored cases pass: say what a drawn one got
        summary = replace(summary, message=message)
    return replace(summary, device=cuda_device(raws, gpu=config.gpu))


def _generator_failed(bundle: Bundle, exc: GeneratorError, max_score: float, sandboxed: bool) -> GradeResult:
    logger.error("generated cases of %s failed on the trusted side: %s", bundle.slug, exc)
    message = "the grader could not make or time this exercise's generated cases; the grader's team was told"
    return GradeResult(
        slug=bundle.slug, verdict=Verdict.IE, score=0.0, max_score=max_score, message=message, sandboxed=sandboxed
    )


def bundle_job(
    bundle: Bundle,
    code: str,
    cases: tuple[Case, ...],
    config: SandboxConfig,
    *,
    parts: KernelParts | None = None,
    drawn: Sequence[DrawnCase] = (),
) -> Job:
    """The sandbox job that runs `code`'s entry point on `cases` (a plain, one-stage bundle), then on `drawn`
    generated cases (CUDA): grading, the build and the intake's reference run all go through it, so a CUDA
    bundle gets its numba settings and a C++ one its compiled library (`parts`, from `kernel_parts`)."""
    parts = parts or KernelParts()
    stored = [CaseInput(i, *case.input_bytes()) for i, case in enumerate(cases)]
    job = Job(
        entry_point=bundle.entry_point,
        code=code,
        cases=(*stored, *(case_input(len(stored) + i, d.inputs) for i, d in enumerate(drawn))),
        cpu_limit_s=bundle.time_limit_s,
        memory_limit_mb=bundle.memory_limit_mb,
        output_limit_bytes=bundle.output_limit_kb * 1024,
        process_per_case=bundle.process_per_case,
        preload=tuple(TOOLCHAINS[t].module for t in bundle.all_toolchains if t != "numpy"),
        library=parts.library,
        kernel=parts.kernel,
    )
    return cuda_job(job, gpu=config.gpu) if bundle.language == CUDA else job


def _not_built(
    bundle: Bundle,
    chosen: tuple[Case, ...],
    verdict: Verdict,
    message: str,
    max_score: float,
    sandboxed: bool,
    notes: tuple[str, ...],
) -> GradeResult:
    """A C++ submission that did not compile (CE) or hit a compile limit: every case gets that verdict, and the
    compiler's message is shown once (it is about the learner's own code, so hidden cases do not hide it)."""
    results = [
        CaseResult(name=c.name, visible=c.visible, verdict=verdict, points=0.0, max_points=c.points) for c in chosen
    ]
    return GradeResult(
        slug=bundle.slug,
        verdict=verdict,
        score=0.0,
        max_score=max_score,
        cases=tuple(results),
        message=message,
        sandboxed=sandboxed,
        warnings=notes,
    )


def _summary(
    bundle: Bundle,
    results: list[CaseResult],
    max_score: float,
    sandboxed: bool,
    notes: tuple[str, ...],
    *,
    first_message: str = "",
    generated: GeneratedRun | None = None,
) -> GradeResult:
    first_failure = next((r for r in results if r.verdict is not Verdict.AC), None)
    verdict = first_failure.verdict if first_failure else Verdict.AC
    message = ""
    score = round(sum(r.points for r in results), 6)
    timing = generated.timing if generated else None
    if generated and generated.message and verdict is not Verdict.AC and first_failure in generated.cases:
        message = generated.message
    if timing is not None and timing.status != "skipped":
        # Correctness points times the speed-up's band; too slow (or an impossible time) is a wrong answer.
        score = round(score * timing.band_score, 6)
        if verdict is Verdict.AC and not timing.passed:
            assert generated is not None  # noqa: S101 - timing comes from it
            verdict, message = generated.timing_verdict, timing.message
    if verdict is Verdict.CE:
        # A compile error is the same for every case: show it once (its traceback names only submission.py).
        message = first_message or results[0].message or "the submission could not be imported"
    elif first_message.startswith(("importing the submission", "loading the compiled kernel")):
        message = first_message  # the same for every case, hidden ones included: it is the learner's own code
    return GradeResult(
        slug=bundle.slug,
        verdict=verdict,
        score=score,
        max_score=max_score,
        cases=tuple(results),
        message=message,
        sandboxed=sandboxed,
        warnings=notes,
        timing=timing,
    )
