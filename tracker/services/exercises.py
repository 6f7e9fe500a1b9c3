"""Exercises and submissions: loading the grader's bundles, accepting a learner's code (size and rate
limits), grading it in a worker through the sandbox, and re-grading on a newer version.

The grader (`grader/`) is Django-free; this module (with exercise_drafts.py, which publishes uploaded and
edited bundles) is the only place that joins it to the database. Grading is idempotent: a worker first
claims the submission with a guarded update (queued → running, `started_at` being the claim's token), and
the results replace any earlier ones in one transaction, so a redelivered task never leaves two sets of
results. A re-grade is a new submission with the same code (`regrade_of`), so the old result stays.

Each submission records the `ExerciseVersion` it was graded against: the exercise's current version when
the worker took it. A version's bundle is the curated folder (fixtures) or its archive, unpacked once per
machine into EXERCISE_BUNDLE_CACHE under its content hash (a new version never reuses an old folder).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from grader import toolchains
from grader.bundles import Bundle, BundleError, load_all, load_bundle
from grader.cuda import LANGUAGE as CUDA_LANGUAGE
from grader.intake import IntakeError, bundle_digest, unpack_archive
from grader.results import GradeResult
from grader.results import Verdict as GraderVerdict
from grader.run import SubmissionTooLarge, grade, validate_submission
from grader.sandbox import SandboxConfig
from tracker import metrics
from tracker.jobs import tracker_task
from tracker.models import Exercise, ExerciseVersion, Item, Submission, SubmissionCaseResult, Tag, Track, User
from tracker.models.timing import ranked_speedup, validate_device, validate_timing

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
        "toolchains": list(bundle_toolchains(bundle)),
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
        "timed": bundle_is_timed(bundle),
        "is_published": True,
    }


def bundle_is_timed(bundle: Bundle) -> bool:
    """Whether the bundle has a `[timing]` table (graded for speed, with a leaderboard); a bundle without
    the key (or a grader that does not know it yet) is untimed."""
    return getattr(bundle, "timing", None) is not None


def exercise_version_next(exercise: Exercise, *, content_hash: str, **fields: object) -> ExerciseVersion:
    """Makes a new version (the next number) the exercise's current one. The caller holds the transaction and
    the exercise's row lock (seed's transaction, or exercise_drafts' select_for_update)."""
    last = ExerciseVersion.objects.filter(exercise=exercise).order_by("-number").values_list("number", flat=True)
    number = (last.first() or 0) + 1
    version = ExerciseVersion.objects.create(exercise=exercise, number=number, content_hash=content_hash, **fields)
    exercise.current_version = version
    Exercise.objects.filter(pk=exercise.pk).update(current_version=version, updated_at=timezone.now())
    return version


def exercise_public_fields_apply(*, bundle: Bundle, exercise: Exercise | None = None) -> tuple[Exercise, bool]:
    """Creates or updates the Exercise row from a bundle's public view (linked to its curated track and
    item when they exist) and its tags; returns (exercise, changed). Never touches versions."""
    track = Track.objects.filter(owner__isnull=True, slug=bundle.track).first()
    item = Item.objects.filter(track=track, key=bundle.item).first() if track and bundle.item else None
    wanted = _public_fields(bundle, track, item)
    if exercise is None:
        exercise = Exercise.objects.create(slug=bundle.slug, **wanted)
        changed = True
    else:
        changes = {k: v for k, v in wanted.items() if getattr(exercise, k) != v}
        for key, value in changes.items():
            setattr(exercise, key, value)
        if changes:
            exercise.save()
        changed = bool(changes)
    tag_slugs = set(bundle.tags)
    if {t.slug for t in exercise.tags.all()} != tag_slugs:
        for slug in tag_slugs:
            Tag.objects.get_or_create(slug=slug)
        exercise.tags.set(Tag.objects.filter(slug__in=tag_slugs))
        changed = True
    return exercise, changed


@transaction.atomic
def exercises_sync(*, root: Path | None = None) -> ExerciseSyncReport:
    """Creates or updates an Exercise per bundle under `root` (settings.EXERCISES_DIR by default), linked to
    its curated track and item when they exist; exercises whose bundle is gone are unpublished. A bundle
    whose content changed becomes a new version. An exercise whose current version was uploaded or edited
    in the admin is left as it is (with a warning): the admin's version is newer than the folder.
    Idempotent: a second run changes nothing. Raises BundleError (naming file and field) before writing."""
    bundles = load_all(root or settings.EXERCISES_DIR)
    report = ExerciseSyncReport()
    authored = set(
        Exercise.objects.exclude(current_version__source=ExerciseVersion.Source.FIXTURES)
        .filter(current_version__isnull=False)
        .values_list("slug", flat=True)
    )
    for slug in sorted(authored & {b.slug for b in bundles}):
        report.warnings.append(f"{slug}: its current version was made in the admin; the folder was not loaded")
    bundles = [b for b in bundles if b.slug not in authored]
    tracks = {t.slug: t for t in Track.objects.filter(owner__isnull=True, slug__in={b.track for b in bundles})}
    items = {
        (i.track.slug, i.key): i
        for i in Item.objects.filter(track__in=tracks.values(), key__in={b.item for b in bundles}).select_related(
            "track"
        )
    }
    existing = {e.slug: e for e in Exercise.objects.select_related("current_version").prefetch_related("tags")}
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
        content_hash = bundle_digest(bundle.path)
        if exercise.current_version is None or exercise.current_version.content_hash != content_hash:
            exercise_version_next(exercise, content_hash=content_hash, source=ExerciseVersion.Source.FIXTURES)
            if bundle.slug in report.unchanged:
                report.unchanged.remove(bundle.slug)
                report.updated.append(bundle.slug)
    gone = (
        Exercise.objects.filter(is_published=True)
        .exclude(slug__in=[b.slug for b in bundles])
        .exclude(slug__in=authored)
    )
    report.unpublished = sorted(gone.values_list("slug", flat=True))
    gone.update(is_published=False, updated_at=timezone.now())
    return report


def version_cache_folder(*, content_hash: str, slug: str) -> Path:
    """Where this machine keeps an uploaded or edited version's bundle, unpacked."""
    return Path(settings.EXERCISE_BUNDLE_CACHE) / content_hash / slug


def version_cache_fill(*, folder: Path, content_hash: str) -> None:
    """Copies a bundle folder already unpacked (the one a worker just validated) into this machine's cache,
    so the first grading here need not unpack the archive again. Best effort: a failure only costs that."""
    target = version_cache_folder(content_hash=content_hash, slug=folder.name)
    if (target / "exercise.toml").is_file():
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".copy-", dir=target.parent))
    except OSError:
        logger.warning("could not keep the bundle %s in %s", content_hash[:12], target, exc_info=True)
        return
    try:
        shutil.copytree(folder, staging / folder.name, ignore=shutil.ignore_patterns("__pycache__"))
        os.rename(staging / folder.name, target)
    except OSError:
        logger.warning("could not keep the bundle %s in %s", content_hash[:12], target, exc_info=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def version_bundle_folder(*, version: ExerciseVersion) -> Path:
    """The folder of a version's bundle on this machine: the curated folder, or the version's archive
    unpacked once into EXERCISE_BUNDLE_CACHE/<content hash>/<slug>/ (an atomic rename, so two workers
    unpacking at once both end with the same whole folder). May cost a query (the archive)."""
    if version.source == ExerciseVersion.Source.FIXTURES:
        return Path(settings.EXERCISES_DIR) / version.exercise.slug
    folder = version_cache_folder(content_hash=version.content_hash, slug=version.exercise.slug)
    if (folder / "exercise.toml").is_file():
        return folder
    archive = ExerciseVersion.objects.filter(pk=version.pk).values_list("archive", flat=True).get()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=folder.parent))
    try:
        unpacked = unpack_archive(bytes(archive), staging, derived=True)
        try:
            os.rename(unpacked, folder)
        except OSError:
            if not (folder / "exercise.toml").is_file():
                raise
    except IntakeError as exc:
        raise BundleError(f"version {version}: its archive does not unpack ({exc})") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def exercise_bundle(*, exercise: Exercise, version: ExerciseVersion | None = None) -> Bundle:
    """The bundle of `version` (the exercise's current one by default; the curated folder when it has none),
    read from disk: trusted, it can read the reference. Raises BundleError. May cost a query."""
    version = version or exercise.current_version
    if version is None:
        return load_bundle(exercise.bundle_path)
    if version.exercise_id == exercise.pk:
        version.exercise = exercise  # the folder is named by the slug: no query for it
    return load_bundle(version_bundle_folder(version=version))


def bundle_toolchains(bundle: Bundle) -> tuple[str, ...]:
    """Every toolchain the bundle needs: its own `toolchains = [...]`, its stages' and its artifact loader's."""
    return bundle.all_toolchains


def missing_toolchains_message(*, names: list[str] | tuple[str, ...]) -> str:
    """'' when every toolchain `names` lists is installed on this machine; otherwise what is missing and
    what to install (grader.toolchains). An unknown name counts as missing."""
    known = [n for n in names if n in toolchains.TOOLCHAINS]
    unknown = [n for n in names if n not in toolchains.TOOLCHAINS]
    missing = toolchains.missing(known) if known else []
    if not missing and not unknown:
        return ""
    parts = [toolchains.install_hint(missing)] if missing else []
    if unknown:
        parts.append(f"Unknown toolchain(s) {', '.join(unknown)}: known are {', '.join(toolchains.TOOLCHAIN_NAMES)}.")
    return " ".join(parts)


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


def grading_uses_gpu(*, bundle: Bundle) -> bool:
    """Whether grading `bundle` goes to the gpu queue and runs on a GPU: CUDA kernels, once
    GRADING_GPU_QUEUE_ENABLED says a worker with a GPU consumes that queue. Otherwise they run on numba's
    CUDA simulator on the grading queue. (A GPU worker whose sandbox finds no GPU falls back to the
    simulator, and the result's device says so.)"""
    return bool(settings.GRADING_GPU_QUEUE_ENABLED) and bundle.language == CUDA_LANGUAGE


def submission_enqueue(*, submission: Submission) -> None:
    """Queues the grading task once the current transaction commits, with time limits from the bundle; CUDA
    exercises go to the gpu queue when `grading_uses_gpu`, everything else where CELERY_TASK_ROUTES says."""
    routing: dict[str, Any] = {}
    try:
        bundle = exercise_bundle(exercise=submission.exercise)
        soft, hard = grading_time_limits(bundle, visible_only=submission.kind == Submission.Kind.RUN)
        if grading_uses_gpu(bundle=bundle):
            routing["queue"] = settings.GPU_QUEUE
    except (BundleError, OSError):
        soft, hard = MAX_SOFT_LIMIT_S, MAX_SOFT_LIMIT_S + HARD_LIMIT_EXTRA_S  # the task records the IE
    pk = submission.pk
    grade_submission = tracker_task("grade_submission")
    transaction.on_commit(
        lambda: grade_submission.apply_async(args=(pk,), soft_time_limit=soft, time_limit=hard, **routing)
    )


def submission_regrade(*, submission: Submission, requested_by: User, as_curator: bool = False) -> Submission:
    """Grades the submission's code again, on the exercise's current version, as a new submission
    (`regrade_of` points back); the old one keeps its result and version.

    `as_curator` (the admin's action, which checks the `regrade_submission` permission) re-grades any
    finished submission. A learner re-grades their own, only when a newer version was published since it
    was graded, and within their rate limit (SubmissionRateLimited). Raises SubmissionError saying why."""
    exercise = submission.exercise
    curator = as_curator
    if not curator and submission.user_id != requested_by.pk:
        raise SubmissionError("You can re-grade only your own submissions.")
    if not submission.is_finished:
        raise SubmissionError("This submission is still being graded: wait for its result, then re-grade it.")
    if not exercise.is_published:
        raise SubmissionError("This exercise is no longer offered.")
    if not curator and submission.version_id is not None and submission.version_id == exercise.current_version_id:
        raise SubmissionError("This submission was graded on the current version already; nothing has changed.")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=submission.user_id).first()
        if not curator:
            _rate_check(requested_by, timezone.now())
        again = Submission.objects.create(
            user_id=submission.user_id,
            exercise=exercise,
            code=submission.code,
            kind=submission.kind,
            max_score=exercise.max_score if submission.kind == Submission.Kind.SUBMIT else 0,
            regrade_of=submission,
        )
        submission_enqueue(submission=again)
    return again


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
    """The grader's result on the exercise's current version as loaded with the submission (the version
    recorded with the result), or None when the grader itself failed (a missing bundle, no sandbox...)."""
    try:
        bundle = exercise_bundle(exercise=submission.exercise)
        return grade(
            bundle,
            submission.code,
            cases="visible" if submission.kind == Submission.Kind.RUN else "all",
            sandbox=SandboxConfig(unsandboxed=settings.GRADER_UNSANDBOXED, gpu=grading_uses_gpu(bundle=bundle)),
        )
    except Exception:  # also the task's SoftTimeLimitExceeded: never the learner's fault
        logger.exception("grading submission %s failed", submission.pk)
        return None


def _as_dict(value: object) -> object:
    """A result part as the grader's `to_dict()` writes it: a plain dict as it is, an object through its
    `to_dict`, None as None."""
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def _speed_fields(result: GradeResult | None) -> dict[str, object]:
    """Where the result ran, its timing and the speed-up a leaderboard ranks, and whether it waits for a
    curator's review; all empty without a result. Read defensively: a grader that does not report them yet
    (or reports a shape that is not the contract's, which is logged) stores none of them."""
    fields: dict[str, object] = {"device_kind": "", "device_name": "", "timing": None, "speedup": None}
    fields["review"] = Submission.Review.NONE
    if result is None:
        return fields
    device, timing = _as_dict(getattr(result, "device", None)), _as_dict(getattr(result, "timing", None))
    try:
        validate_device(device)
    except ValidationError:
        if device is not None:
            logger.error("the grader's device %r is not the contract's shape; not stored", device)
    else:
        if isinstance(device, dict):
            fields.update(device_kind=device["kind"], device_name=device["name"])
    try:
        validate_timing(timing)
    except ValidationError:
        logger.error("the grader's timing %r is not the contract's shape; not stored", timing)
        return fields
    if isinstance(timing, dict):
        fields.update(timing=timing, speedup=ranked_speedup(timing))
        if timing["held_for_review"]:
            fields["review"] = Submission.Review.PENDING
    return fields


def submission_grade(*, submission_id: int, final_attempt: bool = True) -> Outcome:
    """Claims the submission, grades it in the sandbox and stores the verdict and one row per case, with
    where it ran and (timed exercises) its timing and speed-up, in the same guarded update as the verdict; a
    speed-up the grader holds for review is stored pending a curator's decision.

    "skipped" when another worker holds it or it is already graded; "lost" when the claim was taken over
    meanwhile (nothing is written). An internal error (IE) releases the claim and raises
    GradingInternalError, unless `final_attempt`, when the IE is stored with the status "error"."""
    claimed_at = _claim(submission_id)
    if claimed_at is None:
        return "skipped"
    submission = Submission.objects.select_related("exercise", "exercise__current_version").get(pk=submission_id)
    version = submission.exercise.current_version
    # A toolchain missing on this worker is not the learner's fault and no retry here will install it:
    # IE at once, saying what to install (a curator re-grades once it is).
    missing = missing_toolchains_message(names=submission.exercise.toolchains)
    result = None if missing else _run_grader(submission)
    failed = result is None or result.verdict is GraderVerdict.IE
    mine = Submission.objects.filter(pk=submission_id, status=Submission.Status.RUNNING, started_at=claimed_at)
    if failed and not final_attempt and not missing:
        mine.update(status=Submission.Status.QUEUED, updated_at=timezone.now())
        raise GradingInternalError(f"submission {submission_id}: the grader failed; will retry")
    now = timezone.now()
    if result is None:
        changes: dict[str, object] = {
            "verdict": Submission.Verdict.IE,
            "score": 0.0,
            "message": missing
            or "The grader could not run this submission; it was not your code's fault. A curator can re-grade it.",
            "version": version,
            **_speed_fields(None),
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
            "version": version,
            **_speed_fields(result),
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
