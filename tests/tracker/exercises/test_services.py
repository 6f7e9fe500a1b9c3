"""Submitting and grading through the service, in the real sandbox (bubblewrap)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from grader.bundles import Bundle
from tests.exercises_support import BUNDLE_COUNT, WRONG, assert_no_secrets
from tests.factories import ExerciseFactory, SubmissionFactory, UserFactory
from tracker.models import Exercise, Submission, SubmissionCaseResult
from tracker.services import exercises as services
from tracker.services.exercises import (
    GradingInternalError,
    SubmissionError,
    SubmissionRateLimited,
    exercises_sync,
    submission_create,
    submission_grade,
    submission_regrade,
)

pytestmark = pytest.mark.django_db
needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="the sandbox needs bubblewrap (make test-system-deps)"
)


def test_seed_loads_every_bundle_once_and_again_changes_nothing() -> None:
    first = exercises_sync()
    assert len(first.created) == BUNDLE_COUNT and Exercise.objects.count() == BUNDLE_COUNT
    again = exercises_sync()
    assert not again.changed and len(again.unchanged) == BUNDLE_COUNT
    vector = Exercise.objects.get(slug="vector-add")
    assert vector.visible_cases == 3 and vector.hidden_cases == 7 and vector.max_score == 10
    assert {t.slug for t in vector.tags.all()} == {"tvm", "simd", "numpy"}


def test_an_exercise_row_holds_only_the_public_view(exercise: Exercise, bundle: Bundle) -> None:
    values = " ".join(str(v) for v in Exercise.objects.filter(pk=exercise.pk).values().get().values())
    assert_no_secrets(values, bundle)


def test_seed_unpublishes_an_exercise_whose_bundle_is_gone() -> None:
    ExerciseFactory(slug="gone-away")
    report = exercises_sync()
    assert report.unpublished == ["gone-away"]
    assert not Exercise.objects.get(slug="gone-away").is_published


@needs_bwrap
def test_the_reference_is_accepted_through_the_service(exercise: Exercise, bundle: Bundle) -> None:
    submission = submission_create(user=UserFactory(), exercise=exercise, code=bundle.reference_source())
    assert submission.status == "queued"
    assert submission_grade(submission_id=submission.pk) == "graded"
    submission.refresh_from_db()
    assert (submission.status, submission.verdict, submission.score, submission.max_score) == ("done", "AC", 10, 10)
    assert submission.sandboxed and submission.finished_at and submission.memory_kb
    assert submission.results.count() == 10
    assert set(submission.results.values_list("verdict", flat=True)) == {"AC"}


@needs_bwrap
def test_a_wrong_answer_has_details_on_visible_cases_only(exercise: Exercise, bundle: Bundle) -> None:
    submission = submission_create(user=UserFactory(), exercise=exercise, code=WRONG)
    submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.verdict == "WA" and submission.score == 0
    results = list(submission.results.all())
    visible = [r for r in results if r.visible]
    hidden = [r for r in results if not r.visible]
    assert len(visible) == 3 and len(hidden) == 7
    assert all(r.verdict == "WA" and r.message for r in visible)
    assert all(r.verdict == "WA" and not r.message and not r.diff for r in hidden)
    assert_no_secrets(" ".join(f"{r.message} {r.diff}" for r in results) + submission.message, bundle)


@needs_bwrap
def test_run_examples_grades_only_the_visible_cases(exercise: Exercise, bundle: Bundle) -> None:
    submission = submission_create(user=UserFactory(), exercise=exercise, code=bundle.reference_source(), kind="run")
    submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.verdict == "AC" and submission.max_score == 3
    assert list(submission.results.values_list("visible", flat=True)) == [True, True, True]


@needs_bwrap
def test_grading_twice_leaves_one_set_of_results(exercise: Exercise, bundle: Bundle) -> None:
    submission = submission_create(user=UserFactory(), exercise=exercise, code=WRONG)
    assert submission_grade(submission_id=submission.pk) == "graded"
    assert submission_grade(submission_id=submission.pk) == "skipped"  # a redelivered task: already graded
    assert SubmissionCaseResult.objects.filter(submission=submission).count() == 10
    submission.refresh_from_db()
    assert submission.attempts == 1 and submission.status == "done"


@needs_bwrap
def test_a_regrade_is_a_new_submission_and_the_old_result_stays(exercise: Exercise, bundle: Bundle) -> None:
    learner = UserFactory()
    submission = submission_create(user=learner, exercise=exercise, code=WRONG)
    submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    curator = UserFactory(is_superuser=True)
    again = submission_regrade(submission=submission, requested_by=curator, as_curator=True)
    assert again.pk != submission.pk and again.regrade_of == submission and again.user == learner
    assert again.code == submission.code and again.status == "queued"
    assert submission_grade(submission_id=again.pk) == "graded"
    submission.refresh_from_db()
    again.refresh_from_db()
    assert submission.status == "done" and submission.results.count() == 10
    assert again.results.count() == 10 and again.version == exercise.current_version


def test_a_result_row_is_unique_per_submission_and_case() -> None:
    submission = SubmissionFactory()
    SubmissionCaseResult.objects.create(submission=submission, case="01", visible=True, verdict="AC")
    with pytest.raises(IntegrityError):
        SubmissionCaseResult.objects.create(submission=submission, case="01", visible=True, verdict="WA")


def test_a_hidden_case_cannot_store_a_message() -> None:
    with pytest.raises(IntegrityError):
        SubmissionCaseResult.objects.create(
            submission=SubmissionFactory(), case="09", visible=False, verdict="WA", message="expected 3.0"
        )


def test_a_claimed_submission_is_not_graded_by_a_second_worker(exercise: Exercise) -> None:
    submission = SubmissionFactory(exercise=exercise, status="running", started_at=timezone.now())
    assert submission_grade(submission_id=submission.pk) == "skipped"
    assert not submission.results.exists()


def test_an_internal_error_releases_the_claim_then_is_recorded_on_the_last_try(
    exercise: Exercise, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_run_grader", lambda submission: None)
    submission = SubmissionFactory(exercise=exercise)
    with pytest.raises(GradingInternalError):
        submission_grade(submission_id=submission.pk, final_attempt=False)
    submission.refresh_from_db()
    assert submission.status == "queued"
    assert submission_grade(submission_id=submission.pk, final_attempt=True) == "graded"
    submission.refresh_from_db()
    assert (submission.status, submission.verdict) == ("error", "IE")
    assert "not your code's fault" in submission.message


def test_code_over_64_kb_is_refused_with_the_limit(exercise: Exercise) -> None:
    with pytest.raises(SubmissionError, match=r"the limit is 64 KB"):
        submission_create(user=UserFactory(), exercise=exercise, code="x = 1\n" * 11_000)
    assert not Submission.objects.exists()


def test_empty_code_is_refused(exercise: Exercise) -> None:
    with pytest.raises(SubmissionError, match="empty"):
        submission_create(user=UserFactory(), exercise=exercise, code="  \n")


def test_one_submission_is_graded_at_a_time_per_learner(exercise: Exercise) -> None:
    learner = UserFactory()
    submission_create(user=learner, exercise=exercise, code=WRONG)
    with pytest.raises(SubmissionRateLimited, match="still being graded"):
        submission_create(user=learner, exercise=exercise, code=WRONG)
    submission_create(user=UserFactory(), exercise=exercise, code=WRONG)  # another learner is not held up


def test_at_most_n_submissions_a_minute(exercise: Exercise, settings) -> None:
    settings.GRADING_MAX_PER_MINUTE = 2
    learner = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(2):
            Submission.objects.filter(user=learner).update(status="done")
            submission_create(user=learner, exercise=exercise, code=WRONG)
        Submission.objects.filter(user=learner).update(status="done")
        with pytest.raises(SubmissionRateLimited, match="at most 2") as refused:
            submission_create(user=learner, exercise=exercise, code=WRONG)
        assert 1 <= refused.value.retry_after <= 60
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        submission_create(user=learner, exercise=exercise, code=WRONG)


def test_submitting_queues_the_task_on_commit_with_limits_from_the_bundle(
    exercise: Exercise, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[dict[str, object]] = []
    from tracker import tasks

    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda **kwargs: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_create(user=UserFactory(), exercise=exercise, code=WRONG)
    # 30 s sandbox start-up + 10 cases x (1 s CPU x 2 + 1 s) wall-clock + 15 s; the hard limit 30 s later.
    assert sent == [{"args": (submission.pk,), "soft_time_limit": 75, "time_limit": 105}]
