"""Exercises and submissions: loading the grader's bundles, accepting a learner's code (size and rate
limits), grading it in a worker through the sandbox, and re-grading.

The grader (`grader/`) is Django-free; this module is the only place that joins it to the database.
Grading is idempotent: a worker first claims the submission with a guarded update (queued → running,
`started_at` being the claim's token), and the results replace any earlier ones in one transaction, so
a redelivered task or a re-grade never leaves two sets of results.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from grader.bundles import Bundle, BundleError, load_all, load_bundle
from grader.results import GradeResult
from grader.results import Verdict as GraderVerdict
from grader.run import SubmissionTooLarge, grade, validate_submission
from grader.sandbox import SandboxConfig
from tracker import metrics
from tracker.jobs import tracker_task
from tracker.models import Exercise, Item, Submission, SubmissionCaseResult, Tag, Track, User

logger = logging.getLogger(__name__)

RATE_WINDOW = dt.timedelta(minutes=1)
# A claim older than this belongs to a worker that died (every task's hard time limit is shorter), so
# another worker may take the submission over, and it no longer counts as "being graded" for the limit.
CLAIM_STALE_AFTER = dt.timedelta(minutes=10)
MAX_SOFT_LIMIT_S = 480
HARD_LIMIT_EXTRA_S = 30

Outcome = Literal["graded", "skipped", "lost"]


class SubmissionError(ValueError):
    """A submission that cannot be accepted; the message says why and what to do."""


class SubmissionRateLimited(SubmissionError):
    """Too many submissions, or one still being graded; `retry_after` is in seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class GradingInternalError(RuntimeError):
    """The grader failed (IE); the claim was released so that a retry can grade it again."""


# --- Loading bundles (manage.py seed) ---


@dataclass
class ExerciseSyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.unpublished)


def _public_fields(bundle: Bundle, track: Track | None, item: Item | None) -> dict[str, object]:
    visible = len(bundle.visible_cases)
    return {
        "title": bundle.title,
        "track": track,
        "item": item,
        "difficulty": bundle.difficulty,
        "statement_md": bundle.statement_md,
        "starter": bundle.starter,
        "entry_point": bundle.entry_point,
        "signature": bundle.signature,
        "time_limit_s": bundle.time_limit_s,
        "memory_limit_mb": bundle.memory_limit_mb,
        "visible_cases": visible,
        "hidden_cases": len(bundle.cases) - visible,
        "max_score": bundle.max_score,
        "is_published": True,
    }


@transaction.atomic
def exercises_sync(*, root: Path | None = None) -> ExerciseSyncReport:
    """Creates or updates an Exercise per bundle under `root` (settings.EXERCISES_DIR by default), linked to
    its curated track and item when they exist; exercises whose bundle is gone are unpublished.
    Idempotent: a second run changes nothing. Raises BundleError (naming file and field) before writing."""
    bundles = load_all(root or settings.EXERCISES_DIR)
    report = ExerciseSyncReport()
    tracks = {t.slug: t for t in Track.objects.filter(owner__isnull=True, slug__in={b.track for b in bundles})}
    items = {
        (i.track.slug, i.key): i
        for i in Item.objects.filter(track__in=tracks.values(), key__in={b.item for b in bundles}).select_related(
            "track"
        )
    }
    existing = {e.slug: e for e in Exercise.objects.prefetch_related("tags")}
    for bundle in bundles:
        track = tracks.get(bundle.track)
        item = items.get((bundle.track, bundle.item)) if bundle.item else None
        if track is None:
            report.warnings.append(f"{bundle.slug}: no curated track {bundle.track!r}; left unlinked")
        elif bundle.item and item is None:
            report.warnings.append(f"{bundle.slug}: track {bundle.track!r} has no item {bundle.item!r}")
        wanted = _public_fields(bundle, track, item)
        tag_slugs = set(bundle.tags)
        exercise = existing.get(bundle.slug)
        if exercise is None:
            exercise = Exercise.objects.create(slug=bundle.slug, **wanted)
            report.created.append(bundle.slug)
            tags_differ = bool(tag_slugs)
        else:
            changes = {k: v for k, v in wanted.items() if getattr(exercise, k) != v}
            for key, value in changes.items():
                setattr(exercise, key, value)
            if changes:
                exercise.save()
            tags_differ = {t.slug for t in exercise.tags.all()} != tag_slugs
            (report.updated if changes or tags_differ else report.unchanged).append(bundle.slug)
        if tags_differ:
            for slug in tag_slugs:
                Tag.objects.get_or_create(slug=slug)
            exercise.tags.set(Tag.objects.filter(slug__in=tag_slugs))
    gone = Exercise.objects.filter(is_published=True).exclude(slug__in=[b.slug for b in bundles])
    report.unpublished = sorted(gone.values_list("slug", flat=True))
    gone.update(is_published=False, updated_at=timezone.now())
    return report


def exercise_bundle(*, exercise: Exercise) -> Bundle:
    """The exercise's bundle, read from disk (trusted: it can read the reference). Raises BundleError."""
    return load_bundle(exercise.bundle_path)


# --- Submitting ---


def grading_time_limits(bundle: Bundle, *, visible_only: bool = False) -> tuple[int, int]:
    """(soft, hard) Celery time limits for grading on this bundle: per sandbox (a stage, or a lab artifact's
    loader) the start-up allowance plus every case's wall-clock limit, so the sandbox's own limits fire first."""
    config = SandboxConfig()
    cases = len(bundle.visible_cases if visible_only else bundle.cases)
    # A lab exercise runs one sandbox per stage, and one more for the loader of its artifact.
    limits = [stage.time_limit_s for stage in bundle.stages]
    if bundle.artifact is not None:
        limits.append(bundle.artifact.time_limit_s)
    soft = sum(config.startup_timeout_s + cases * config.wall_limit(limit) for limit in limits) + 15
    soft_s = min(math.ceil(soft), MAX_SOFT_LIMIT_S)
    return soft_s, soft_s + HARD_LIMIT_EXTRA_S


def _rate_check(user: User, now: dt.datetime) -> None:
    mine = Submission.objects.filter(user=user)
    busy = mine.filter(
        status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING], created_at__gte=now - CLAIM_STALE_AFTER
    )
    if busy.exists():
        raise SubmissionRateLimited(
            "Your previous run is still being graded. Wait for its result (a few seconds), then send again.",
            retry_after=5,
        )
    limit = settings.GRADING_MAX_PER_MINUTE
    recent = list(
        mine.filter(created_at__gte=now - RATE_WINDOW).order_by("-created_at").values_list("created_at", flat=True)
    )[:limit]
    if len(recent) >= limit:
        wait = max(1, math.ceil((recent[-1] + RATE_WINDOW - now).total_seconds()))
        raise SubmissionRateLimited(
            f"You can send at most {limit} runs and submissions a minute. Try again in {wait} seconds.",
            retry_after=wait,
        )


def submission_create(*, user: User, exercise: Exercise, code: str, kind: str = Submission.Kind.SUBMIT) -> Submission:
    """Saves the learner's code and queues it for grading (after the transaction commits).

    Raises SubmissionError for empty or over-64-KB code or an unknown kind, and SubmissionRateLimited when the
    learner already has a run being graded or sent GRADING_MAX_PER_MINUTE in the last minute."""
    if kind not in Submission.Kind.values:
        raise SubmissionError(f"Unknown kind {kind!r}: use {' or '.join(Submission.Kind.values)}.")
    if not exercise.is_published:
        raise SubmissionError("This exercise is no longer offered.")
    if not code.strip():
        raise SubmissionError("The code is empty: write your solution (start from the starter), then send it.")
    try:
        validate_submission(code)
    except SubmissionTooLarge as exc:
        raise SubmissionError(str(exc)) from exc
    with transaction.atomic():
        # One learner's submissions are checked and created one at a time (a row lock on PostgreSQL).
        User.objects.select_for_update().filter(pk=user.pk).first()
        now = timezone.now()
        _rate_check(user, now)
        submission = Submission.objects.create(
            user=user,
            exercise=exercise,
            code=code,
            kind=kind,
            max_score=exercise.max_score if kind == Submission.Kind.SUBMIT else 0,  # a run's comes with its result
        )
        submission_enqueue(submission=submission)
    return submission


def submission_enqueue(*, submission: Submission) -> None:
    """Queues the grading task once the current transaction commits, with time limits from the bundle."""
    try:
        bundle = exercise_bundle(exercise=submission.exercise)
        soft, hard = grading_time_limits(bundle, visible_only=submission.kind == Submission.Kind.RUN)
    except (BundleError, OSError):
        soft, hard = MAX_SOFT_LIMIT_S, MAX_SOFT_LIMIT_S + HARD_LIMIT_EXTRA_S  # the task records the IE
    pk = submission.pk
    grade_submission = tracker_task("grade_submission")
    transaction.on_commit(lambda: grade_submission.apply_async(args=(pk,), soft_time_limit=soft, time_limit=hard))


def submission_regrade(*, submission: Submission) -> bool:
    """Puts a finished (or stuck) submission back in the queue; its results are replaced when graded.
    False when it is being graded right now."""
    stale = timezone.now() - CLAIM_STALE_AFTER
    finished = Submission.objects.filter(
        pk=submission.pk, status__in=[Submission.Status.DONE, Submission.Status.ERROR]
    ).update(status=Submission.Status.QUEUED, updated_at=timezone.now())
    stuck = finished or Submission.objects.filter(
        pk=submission.pk, status=Submission.Status.RUNNING, started_at__lt=stale
    ).update(status=Submission.Status.QUEUED, updated_at=timezone.now())
    if not (finished or stuck):
        return False
    submission.status = Submission.Status.QUEUED
    submission_enqueue(submission=submission)
    return True


# --- Grading (in the worker) ---


def _claim(submission_id: int) -> dt.datetime | None:
    """queued → running (or a running claim abandoned by a dead worker); returns the claim's token."""
    now = timezone.now()
    fields = {"status": Submission.Status.RUNNING, "started_at": now, "attempts": F("attempts") + 1, "updated_at": now}
    rows = Submission.objects.filter(pk=submission_id)
    if rows.filter(status=Submission.Status.QUEUED).update(**fields):
        return now
    if rows.filter(status=Submission.Status.RUNNING, started_at__lt=now - CLAIM_STALE_AFTER).update(**fields):
        return now
    return None


def _run_grader(submission: Submission) -> GradeResult | None:
    """The grader's result, or None when the grader itself failed (a missing bundle, no sandbox...)."""
    try:
        bundle = exercise_bundle(exercise=submission.exercise)
        return grade(
            bundle,
            submission.code,
            cases="visible" if submission.kind == Submission.Kind.RUN else "all",
            sandbox=SandboxConfig(unsandboxed=settings.GRADER_UNSANDBOXED),
        )
    except Exception:  # also the task's SoftTimeLimitExceeded: never the learner's fault
        logger.exception("grading submission %s failed", submission.pk)
        return None


def submission_grade(*, submission_id: int, final_attempt: bool = True) -> Outcome:
    """Claims the submission, grades it in the sandbox and stores the verdict and one row per case.

    "skipped" when another worker holds it or it is already graded; "lost" when the claim was taken over
    meanwhile (nothing is written). An internal error (IE) releases the claim and raises
    GradingInternalError, unless `final_attempt`, when the IE is stored with the status "error"."""
    claimed_at = _claim(submission_id)
    if claimed_at is None:
        return "skipped"
    submission = Submission.objects.select_related("exercise").get(pk=submission_id)
    result = _run_grader(submission)
    failed = result is None or result.verdict is GraderVerdict.IE
    mine = Submission.objects.filter(pk=submission_id, status=Submission.Status.RUNNING, started_at=claimed_at)
    if failed and not final_attempt:
        mine.update(status=Submission.Status.QUEUED, updated_at=timezone.now())
        raise GradingInternalError(f"submission {submission_id}: the grader failed; will retry")
    now = timezone.now()
    if result is None:
        changes: dict[str, object] = {
            "verdict": Submission.Verdict.IE,
            "score": 0.0,
            "message": "The grader could not run this submission; it was not your code's fault. "
            "A curator can re-grade it.",
        }
        rows: list[SubmissionCaseResult] = []
    else:
        times = [c.time_ms for c in result.cases if c.time_ms is not None]
        memories = [c.peak_memory_kb for c in result.cases if c.peak_memory_kb is not None]
        changes = {
            "verdict": str(result.verdict),
            "score": result.score,
            "max_score": result.max_score,
            "message": result.message,
            "time_ms": round(sum(times), 1) if times else None,
            "memory_kb": max(memories) if memories else None,
            "sandboxed": result.sandboxed,
        }
        rows = [
            SubmissionCaseResult(
                submission_id=submission_id,
                case=case.name,
                position=n,
                visible=case.visible,
                verdict=str(case.verdict),
                points=case.points,
                max_points=case.max_points,
                time_ms=None if case.time_ms is None else round(case.time_ms, 1),
                memory_kb=case.peak_memory_kb,
                # The grader already blanks hidden cases' details; blank them here too (a constraint holds it).
                message=case.message if case.visible else "",
                diff=case.diff if case.visible else "",
                stages=[{**stage.to_dict(), "message": stage.message if case.visible else ""} for stage in case.stages],
                metrics=[metric.to_dict() for metric in case.metrics],
            )
            for n, case in enumerate(result.cases)
        ]
    status = Submission.Status.ERROR if failed else Submission.Status.DONE
    with transaction.atomic():
        if not mine.update(status=status, finished_at=now, updated_at=now, **changes):
            return "lost"
        SubmissionCaseResult.objects.filter(submission_id=submission_id).delete()
        SubmissionCaseResult.objects.bulk_create(rows)
    metrics.grading_recorded(submission=submission, verdict=str(changes["verdict"]), finished_at=now)
    return "graded"
