"""Curators' exercise bundles: an uploaded zip, or an edit of an exercise's parts in the admin, becomes a
draft; a worker validates it and publishes it as a new version only when everything passed.

The protocol (the same shape as grading's):

1. `exercise_draft_upload` / `exercise_draft_edit` (the web process) check the archive without running any of
   it (`grader.intake.unpack_archive` into a temporary folder: zip bombs, `../` and absolute paths, links,
   too many or too big files, non-UTF-8 text are refused at once with their message), store a `queued`
   draft and queue `exercise_draft_validate` on the grading queue after the transaction commits.
2. The task claims the draft (queued → validating, `started_at` its token), unpacks it again in a folder of
   its own, validates the schema, runs the reference on every case in the sandbox, writes the expected
   outputs and grades the reference against them (`grader.intake.prepare_bundle`). Nothing of the bundle
   runs in the web process.
3. In one transaction, with the exercise's row locked: the new `ExerciseVersion` (the bundle as a zip, named
   by its content's SHA-256), the Exercise row's public fields and its current version, and the draft
   marked published; or the draft marked refused with its report. A draft never reaches learners: pages and
   the API read only Exercise rows, which change in that transaction alone.

A custom checker (checker.py) runs inside the grading worker, not in the sandbox: a draft that adds or
changes one needs the `publish_custom_checker` permission.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from grader.bundles import BundleError, load_bundle
from grader.intake import (
    IntakeError,
    IntakeLimits,
    PrepareReport,
    bundle_digest,
    edited_archive,
    pack_bundle,
    prepare_bundle,
    unpack_archive,
)
from grader.sandbox import SandboxConfig, SandboxUnavailable
from tracker.jobs import tracker_task
from tracker.models import Exercise, ExerciseDraft, ExerciseVersion, User
from tracker.services.exercises import (
    exercise_public_fields_apply,
    exercise_version_next,
    missing_toolchains_message,
    version_bundle_folder,
    version_cache_fill,
)

logger = logging.getLogger(__name__)

DraftOutcome = Literal["published", "refused", "skipped", "lost"]
# Longer than the validation task's hard time limit: a claim this old belongs to a worker that died.
CLAIM_STALE_AFTER = dt.timedelta(minutes=15)


class DraftError(ValueError):
    """A bundle refused before it was queued; the message says what was wrong and what to do."""


class DraftRetry(RuntimeError):
    """The sandbox could not run on this worker; the claim was released for a retry."""


def _limits() -> IntakeLimits:
    return IntakeLimits(max_archive_bytes=settings.EXERCISE_UPLOAD_MAX_MB << 20)


def _inspect(archive: bytes) -> tuple[str, str]:
    """(slug, checker.py's text or '') of an archive that unpacks; DraftError otherwise. Runs nothing."""
    with tempfile.TemporaryDirectory(prefix="bq-draft-") as tmp:
        try:
            folder = unpack_archive(archive, Path(tmp), limits=_limits())
        except IntakeError as exc:
            raise DraftError(str(exc)) from exc
        checker = folder / "checker.py"
        return folder.name, checker.read_text(encoding="utf-8") if checker.is_file() else ""


def _current_checker(exercise: Exercise | None) -> str:
    if exercise is None or exercise.current_version is None:
        return ""
    try:
        checker = version_bundle_folder(version=exercise.current_version) / "checker.py"
    except (BundleError, OSError):
        return ""
    return checker.read_text(encoding="utf-8") if checker.is_file() else ""


def _queue(draft: ExerciseDraft) -> None:
    pk = draft.pk
    task = tracker_task("exercise_draft_validate")
    transaction.on_commit(lambda: task.delay(pk))


def _create(*, archive: bytes, name: str, source: str, user: User, exercise: Exercise | None = None) -> ExerciseDraft:
    slug, checker = _inspect(archive)
    if exercise is not None and slug != exercise.slug:
        raise DraftError(
            f"exercise.toml: `slug` is {slug!r} but this is {exercise.slug!r}; a slug cannot change in an edit "
            "(upload a new bundle to make another exercise)"
        )
    exercise = exercise or Exercise.objects.select_related("current_version").filter(slug=slug).first()
    if checker and checker != _current_checker(exercise) and not user.has_perm("tracker.publish_custom_checker"):
        raise DraftError(
            "checker.py is new or changed: a custom checker runs inside the grading worker, outside the sandbox, "
            "so publishing one needs the 'Can publish bundles with a custom checker' permission. Ask an "
            "administrator, or use a built-in checker kind (exact, text, numeric, unordered)."
        )
    with transaction.atomic():
        draft = ExerciseDraft.objects.create(
            source=source, archive=archive, archive_name=name[:200], slug=slug, exercise=exercise, created_by=user
        )
        _queue(draft)
    return draft


def exercise_draft_upload(*, archive: bytes, name: str, user: User) -> ExerciseDraft:
    """Stores an uploaded bundle zip as a draft and queues its validation. A zip with an exercise's slug is
    a new version of that exercise once published. Raises DraftError (nothing stored) when the archive
    is refused."""
    return _create(archive=archive, name=name, source=ExerciseVersion.Source.UPLOAD, user=user)


def exercise_draft_edit(
    *, exercise: Exercise, parts: dict[str, str], cases_zip: bytes | None = None, user: User
) -> ExerciseDraft:
    """A draft of `exercise` with some text parts replaced (exercise.toml, statement.md, starter.py,
    reference.py, checker.py: an empty checker.py removes it) and, when `cases_zip` is given, its case inputs
    replaced by the zip's. Raises DraftError when the result is refused or the current bundle is unreadable."""
    if exercise.current_version is None:
        raise DraftError("This exercise has no published version to edit; run `manage.py seed` or upload it.")
    try:
        current = version_bundle_folder(version=exercise.current_version)
        archive = edited_archive(current, parts=parts, cases_zip=cases_zip, limits=_limits())
    except (BundleError, OSError) as exc:
        raise DraftError(f"The current bundle could not be read: {exc}") from exc
    except IntakeError as exc:
        raise DraftError(str(exc)) from exc
    return _create(
        archive=archive,
        name=f"{exercise.slug} (edited)",
        source=ExerciseVersion.Source.EDIT,
        user=user,
        exercise=exercise,
    )


def _claim(draft_id: int) -> dt.datetime | None:
    """queued → validating, or a validating claim older than the task's hard limit (its worker died)."""
    now = timezone.now()
    fields = {
        "status": ExerciseDraft.Status.VALIDATING,
        "started_at": now,
        "attempts": F("attempts") + 1,
        "updated_at": now,
    }
    rows = ExerciseDraft.objects.filter(pk=draft_id)
    if rows.filter(status=ExerciseDraft.Status.QUEUED).update(**fields):
        return now
    stale = rows.filter(status=ExerciseDraft.Status.VALIDATING, started_at__lt=now - CLAIM_STALE_AFTER)
    return now if stale.update(**fields) else None


def _refuse(draft_id: int, claimed_at: dt.datetime, message: str, report: PrepareReport | None) -> DraftOutcome:
    now = timezone.now()
    done = ExerciseDraft.objects.filter(
        pk=draft_id, status=ExerciseDraft.Status.VALIDATING, started_at=claimed_at
    ).update(
        status=ExerciseDraft.Status.REFUSED,
        message=message,
        report=[c.to_dict() for c in report.cases] if report else [],
        sandboxed=report.sandboxed if report else True,
        finished_at=now,
        updated_at=now,
    )
    return "refused" if done else "lost"


def _summary(report: PrepareReport) -> str:
    failed = [c for c in report.cases if not c.ok]
    lines = list(report.problems)
    lines += [f"case {c.name}: {c.message}" for c in failed[:10]]
    if len(failed) > 10:
        lines.append(f"… and {len(failed) - 10} more failing case(s)")
    return "Refused: " + "; ".join(lines) if lines else "Refused."


def exercise_draft_validate(*, draft_id: int, final_attempt: bool = True) -> DraftOutcome:
    """Claims the draft, validates it and runs its reference in the sandbox, then publishes it as a new
    version or refuses it with its report. "skipped" when it is not queued (another worker has it, or it is
    done); "lost" when the claim was taken meanwhile. When the sandbox cannot start here, the claim is
    released and DraftRetry raised, unless `final_attempt`: then the draft is refused saying so."""
    claimed_at = _claim(draft_id)
    if claimed_at is None:
        return "skipped"
    draft = ExerciseDraft.objects.get(pk=draft_id)
    with tempfile.TemporaryDirectory(prefix="bq-draft-") as tmp:
        try:
            folder = unpack_archive(bytes(draft.archive), Path(tmp), limits=_limits())
        except IntakeError as exc:
            return _refuse(draft_id, claimed_at, f"Refused: {exc}", None)
        try:
            needs = load_bundle(folder).all_toolchains
        except BundleError:
            needs = ()  # prepare_bundle reports the schema error
        missing = missing_toolchains_message(names=needs)
        if missing:
            return _refuse(draft_id, claimed_at, f"Refused: the reference cannot run here. {missing}", None)
        try:
            report = prepare_bundle(folder, sandbox=SandboxConfig(unsandboxed=settings.GRADER_UNSANDBOXED))
        except SandboxUnavailable as exc:
            if not final_attempt:
                ExerciseDraft.objects.filter(pk=draft_id, started_at=claimed_at).update(
                    status=ExerciseDraft.Status.QUEUED, updated_at=timezone.now()
                )
                raise DraftRetry(f"draft {draft_id}: {exc}") from exc
            return _refuse(draft_id, claimed_at, f"Refused: the sandbox could not run on the worker ({exc}).", None)
        except Exception as exc:  # also the task's soft time limit: the bundle's fault or the worker's, reported
            logger.exception("validating exercise draft %s failed", draft_id)
            return _refuse(draft_id, claimed_at, f"Refused: validation stopped ({type(exc).__name__}: {exc}).", None)
        if not report.ok:
            return _refuse(draft_id, claimed_at, _summary(report), report)
        try:
            return _publish(draft, claimed_at, folder, report)
        except (BundleError, OSError) as exc:
            logger.exception("publishing exercise draft %s failed", draft_id)
            return _refuse(draft_id, claimed_at, f"Refused: it could not be published ({exc}).", report)


def _publish(draft: ExerciseDraft, claimed_at: dt.datetime, folder: Path, report: PrepareReport) -> DraftOutcome:
    bundle = load_bundle(folder)
    content_hash = bundle_digest(folder)
    archive = pack_bundle(folder)
    now = timezone.now()
    with transaction.atomic():
        exercise = (
            Exercise.objects.select_for_update(of=("self",))
            .select_related("current_version")
            .filter(slug=bundle.slug)
            .first()
        )
        current = exercise.current_version if exercise else None
        if exercise is not None and current is not None and current.content_hash == content_hash:
            version = current
            message = f"Published: the same content as version {current.number} ({current.short_hash}), kept."
        else:
            exercise, _ = exercise_public_fields_apply(bundle=bundle, exercise=exercise)
            version = exercise_version_next(
                exercise,
                content_hash=content_hash,
                source=draft.source,
                archive=archive,
                created_by_id=draft.created_by_id,
            )
            message = f"Published as version {version.number} ({version.short_hash})."
        done = ExerciseDraft.objects.filter(
            pk=draft.pk, status=ExerciseDraft.Status.VALIDATING, started_at=claimed_at
        ).update(
            status=ExerciseDraft.Status.PUBLISHED,
            exercise=exercise,
            version=version,
            slug=bundle.slug,
            message=message,
            report=[c.to_dict() for c in report.cases],
            sandboxed=report.sandboxed,
            finished_at=now,
            updated_at=now,
        )
        if not done:
            transaction.set_rollback(True)
            return "lost"
    version_cache_fill(folder=folder, content_hash=content_hash)
    return "published"
