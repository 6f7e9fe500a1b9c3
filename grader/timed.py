"""Generated cases and timed grading of a submission against the bundle's baseline.

`grade_generated_and_timed` serves the submission in its own sandboxed process (grader/serve.py) and:

1. grades it on `[generated]` cases: every size x `inputs_per_size` fresh inputs from a `secrets`-seeded
   generator, expected outputs from the trusted reference, judged like hidden cases (verdicts only);
2. for a `[timing]` bundle whose generated cases all pass, serves the baseline in ANOTHER sandboxed process
   and interleaves baseline, submission, baseline, ... on fresh inputs of `[timing] size` every round, each
   round's outputs checked against the reference (a program that is right only on the graded cases, or
   does less work after warm-up, fails here). CPU times come from /proc, read by this process.
   `grader.timing_stats` decides when to stop and what the figures are; a noisy measurement is run once
   more, its rounds added to the first's, then reported as "noisy" (not a failure). A time under the
   machine's physical floor (grader/roofline.py) is "rejected" (WA); a speed-up over `REVIEW_SPEEDUP` is held
   for a curator's review.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field

import numpy as np

from grader.bundles import Bundle
from grader.cpp_build import CompileFailed, kernel_parts
from grader.generated import Generator, GeneratorError, draw, judge_call, load_generator
from grader.results import CaseResult, Roofline, TimingReport, Verdict
from grader.roofline import machine_peaks
from grader.sandbox import SandboxConfig, Status
from grader.serve import ServeSession
from grader.timing_stats import TimingPolicy, TimingSummary, should_continue, summarise

logger = logging.getLogger(__name__)
REVIEW_SPEEDUP = 10.0
WARMUP_CALLS = 1  # untimed (but checked) calls of each program before the rounds: caches, lazy imports


@dataclass(frozen=True)
class Program:
    """What a serving process runs: Python source, or a compiled C++ kernel and its call header."""

    code: str
    library: bytes = b""
    kernel: dict[str, object] | None = None


_baselines: dict[tuple[str, str], Program] = {}


def baseline_program(bundle: Bundle, config: SandboxConfig, *, sandboxed: bool) -> Program:
    """The bundle's baseline; a C++ one compiled (in the sandbox, like a submission) once per source."""
    source = bundle.baseline_path.read_text(encoding="utf-8")
    if bundle.cpp is None:
        return Program(source)
    key = (str(bundle.baseline_path), hashlib.sha256(source.encode() + repr(bundle.cpp).encode()).hexdigest())
    if key not in _baselines:
        try:
            parts = kernel_parts(bundle.cpp, source, config, sandboxed=sandboxed)
        except CompileFailed as failed:
            raise GeneratorError(f"{bundle.slug}: baseline.cpp does not build: {failed.result.message}") from None
        _baselines[key] = Program(source, parts.library, parts.kernel)
    return _baselines[key]


@dataclass
class GeneratedRun:
    cases: list[CaseResult] = field(default_factory=list)
    timing: TimingReport | None = None
    message: str = ""  # for the whole result: a rule a generated case broke (shown though the cases are hidden)
    timing_verdict: Verdict = Verdict.WA  # the verdict when the timing fails (RE for a thread in a timed round)


def _policy(bundle: Bundle) -> TimingPolicy:
    spec = bundle.timing
    assert spec is not None  # noqa: S101 - only timed bundles get here
    return TimingPolicy(spec.min_speedup, spec.bands, spec.min_rounds, spec.max_rounds, spec.target_cv)


def _session(bundle: Bundle, program: Program, config: SandboxConfig, sandboxed: bool, calls: int) -> ServeSession:
    return ServeSession(
        program.code,
        bundle.entry_point,
        library=program.library,
        kernel=program.kernel,
        config=config,
        sandboxed=sandboxed,
        cpu_limit_s=bundle.time_limit_s,
        memory_limit_mb=bundle.memory_limit_mb,
        calls=calls,
    )


def _calls(bundle: Bundle) -> int:
    generated = bundle.generated
    assert generated is not None  # noqa: S101
    rounds = 2 * bundle.timing.max_rounds + WARMUP_CALLS if bundle.timing else 0
    return len(generated.sizes) * generated.inputs_per_size + rounds


def grade_generated_and_timed(
    bundle: Bundle, program: Program, config: SandboxConfig, *, sandboxed: bool, time_it: bool = True
) -> GeneratedRun:
    """Generated cases (and the timing, for a timed bundle) of one submission (for C++, already compiled).
    `time_it=False` (the stored cases failed) grades the generated cases and skips the timing."""
    spec = bundle.generated
    assert spec is not None  # noqa: S101 - only bundles with [generated] get here
    run = GeneratedRun()
    rng = np.random.default_rng(secrets.randbits(128))
    generator = load_generator(bundle)
    with _session(bundle, program, config, sandboxed, _calls(bundle)) as submission:
        started = submission.start()
        names = [f"generated-{size}-{i + 1}" for size in spec.sizes for i in range(spec.inputs_per_size)]
        if started.status is not Status.OK:
            judged = judge_call(bundle, started, {}, None)
            run.cases = [_case(name, judged.verdict, spec.points) for name in names]
            run.message = judged.message
            run.timing = skipped_timing(bundle, "not timed: the submission did not start")
            return run
        for size in spec.sizes:
            for i in range(spec.inputs_per_size):
                inputs, expected = draw(generator, rng, size)
                outcome = submission.call(inputs)
                judged = judge_call(bundle, outcome, inputs, expected)
                run.cases.append(_case(f"generated-{size}-{i + 1}", judged.verdict, spec.points, outcome.cpu_ms))
                if judged.verdict is not Verdict.AC:
                    logger.info(
                        "%s: generated case of size %s: %s %s", bundle.slug, size, judged.verdict, judged.message
                    )
                if judged.verdict is not Verdict.AC and not run.message:
                    detail = f": {judged.message}" if judged.public and judged.message else ""
                    run.message = f"a generated case of size {size} got {judged.verdict}{detail}"
        if bundle.timing is None:
            return run
        if not time_it or any(case.verdict is not Verdict.AC for case in run.cases):
            run.timing = skipped_timing(bundle, "not timed: the submission is not correct on every case")
            return run
        try:
            run.timing = _measure(bundle, config, sandboxed, submission, generator, rng)
        except _RoundFailed as failed:
            run.timing, run.timing_verdict = failed.report, failed.verdict
    return run


def _case(name: str, verdict: Verdict, points: float, cpu_ms: float | None = None) -> CaseResult:
    earned = points if verdict is Verdict.AC else 0.0
    return CaseResult(name=name, visible=False, verdict=verdict, points=earned, max_points=points, time_ms=cpu_ms)


def skipped_timing(bundle: Bundle, message: str) -> TimingReport:
    assert bundle.timing is not None  # noqa: S101
    return TimingReport(status="skipped", min_speedup=bundle.timing.min_speedup, message=message)


class _RoundFailed(Exception):
    def __init__(self, report: TimingReport, verdict: Verdict) -> None:
        self.report = report
        self.verdict = verdict


def _measure(
    bundle: Bundle,
    config: SandboxConfig,
    sandboxed: bool,
    submission: ServeSession,
    generator: Generator,
    rng: np.random.Generator,
) -> TimingReport:
    timing = bundle.timing
    assert timing is not None  # noqa: S101
    policy = _policy(bundle)
    reference_program = baseline_program(bundle, config, sandboxed=sandboxed)
    with _session(bundle, reference_program, config, sandboxed, _calls(bundle)) as baseline:
        started = baseline.start()
        if started.status is not Status.OK:
            raise GeneratorError(f"{bundle.slug}: the baseline does not start: {started.message}")
        for _ in range(WARMUP_CALLS):
            _round(bundle, generator, rng, baseline, submission)
        base_ms, sub_ms = _rounds(bundle, policy, generator, rng, baseline, submission)
        summary = summarise(policy, base_ms, sub_ms)
        if summary.noisy:
            # The re-run's rounds join the first run's: on a machine whose per-call times wander by 15-20 %,
            # twice the rounds halves the spread of the figure between gradings (ten gradings of cpp-int8-gemm
            # at 256³: the speed-up from -4.6..+5.0 % with the re-run alone to -2.4..+3.2 % pooled).
            more_base, more_sub = _rounds(bundle, policy, generator, rng, baseline, submission)
            summary = summarise(policy, base_ms + more_base, sub_ms + more_sub)
    return _report(bundle, policy, summary, generator)


def _rounds(
    bundle: Bundle,
    policy: TimingPolicy,
    generator: Generator,
    rng: np.random.Generator,
    baseline: ServeSession,
    submission: ServeSession,
) -> tuple[list[float], list[float]]:
    """One measurement: rounds until `should_continue` says stop; the baseline's and the submission's times."""
    base_ms: list[float] = []
    sub_ms: list[float] = []
    while should_continue(policy, base_ms, sub_ms):
        b, s = _round(bundle, generator, rng, baseline, submission)
        base_ms.append(max(b, 1e-6))
        sub_ms.append(max(s, 1e-6))
    return base_ms, sub_ms


def _round(
    bundle: Bundle, generator: Generator, rng: np.random.Generator, baseline: ServeSession, submission: ServeSession
) -> tuple[float, float]:
    """One round on fresh inputs: the baseline, then the submission; both answers checked."""
    timing = bundle.timing
    assert timing is not None  # noqa: S101
    inputs, expected = draw(generator, rng, timing.size)
    base = baseline.call(inputs)
    judged = judge_call(bundle, base, inputs, expected)
    if judged.verdict is not Verdict.AC:
        raise GeneratorError(f"{bundle.slug}: the baseline got {judged.verdict} in a timed round: {judged.message}")
    sub = submission.call(inputs)
    judged = judge_call(bundle, sub, inputs, expected)
    if judged.verdict is not Verdict.AC:
        detail = judged.message if judged.public else "the answer differs from the reference's"
        report = TimingReport(
            status="rejected",
            min_speedup=timing.min_speedup,
            message=f"a timed round on fresh inputs of size {timing.size} got {judged.verdict}: {detail}",
        )
        raise _RoundFailed(report, judged.verdict)
    return base.cpu_ms, sub.cpu_ms


def _report(bundle: Bundle, policy: TimingPolicy, summary: TimingSummary, generator: Generator) -> TimingReport:
    timing = bundle.timing
    assert timing is not None  # noqa: S101
    roofline = None
    rejected = ""
    if generator.work is not None:
        work = generator.work(timing.size)
        peaks = machine_peaks()
        seconds = summary.submission.p50 / 1000
        roofline = Roofline(
            bytes=int(work["bytes"]),
            flops=int(work["flops"]),
            achieved_gbps=work["bytes"] / seconds / 1e9,
            achieved_gflops=work["flops"] / seconds / 1e9,
            peak_gbps=peaks.gbps,
            peak_gflops=peaks.gflops,
        )
        floor = peaks.floor_ms(int(work["bytes"]), int(work["flops"]))
        if summary.submission.p50 < floor:
            rejected = (
                f"the measured time ({summary.submission.p50:.4f} ms) is below what this machine can do "
                f"({floor:.4f} ms for {work['bytes']} bytes and {work['flops']} floating-point operations): "
                "the work was not done in the timed call"
            )
    speedup = summary.speedup
    if rejected:
        status, message = "rejected", rejected
    elif summary.passed:
        status, message = ("noisy" if summary.noisy else "measured"), f"{speedup:.1f}× the baseline"
    else:
        status = "noisy" if summary.noisy else "measured"
        message = f"correct, but {speedup:.1f}× the baseline; this exercise needs ≥ {policy.min_speedup:g}×"
    if summary.noisy and not rejected:
        message += f" (noisy: the per-round ratios varied by {summary.cv:.1%} after two measurements)"
    return TimingReport(
        status=status,
        min_speedup=policy.min_speedup,
        message=message,
        speedup=speedup,
        passed=summary.passed and not rejected,
        band_score=0.0 if rejected else summary.band_score,
        rounds=summary.rounds,
        cv=summary.cv,
        submission_ms=summary.submission.to_dict(),
        baseline_ms=summary.baseline.to_dict(),
        ratio=summary.ratio.to_dict(),
        roofline=roofline,
        held_for_review=speedup > REVIEW_SPEEDUP,
    )
