"""Grading records its verdict and latency where the result is saved; the grading task its retries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from grader.results import CaseResult, GradeResult, Verdict
from tests.factories import SubmissionFactory
from tests.metrics_support import value
from tracker.models import Exercise, Submission
from tracker.services import exercises as services
from tracker.tasks import grade_submission

pytestmark = pytest.mark.django_db

WRONG = GradeResult(
    slug="vector-add",
    verdict=Verdict.WA,
    score=0.0,
    max_score=10.0,
    cases=(CaseResult(name="one", visible=True, verdict=Verdict.WA, points=0.0, max_points=10.0, time_ms=3.0),),
)


def test_a_saved_result_counts_its_verdict_and_the_time_since_it_was_sent(
    exercise: Exercise, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_run_grader", lambda submission: WRONG)
    sent_at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(sent_at, tick=False):
        submission = SubmissionFactory(exercise=exercise, kind=Submission.Kind.SUBMIT)
    verdicts = value("brainqueue_grading_verdicts_total", kind="submit", verdict="WA")
    latencies = value("brainqueue_grading_latency_seconds_count", kind="submit")
    total = value("brainqueue_grading_latency_seconds_sum", kind="submit")
    with time_machine.travel(sent_at + dt.timedelta(seconds=7), tick=False):
        assert services.submission_grade(submission_id=submission.pk) == "graded"
    assert value("brainqueue_grading_verdicts_total", kind="submit", verdict="WA") == verdicts + 1
    assert value("brainqueue_grading_latency_seconds_count", kind="submit") == latencies + 1
    assert value("brainqueue_grading_latency_seconds_sum", kind="submit") == pytest.approx(total + 7)
    # Within 10 s: the observation fell in the 10-second bucket, not the 5-second one.
    assert value("brainqueue_grading_latency_seconds_bucket", kind="submit", le="10.0") > value(
        "brainqueue_grading_latency_seconds_bucket", kind="submit", le="5.0"
    )


def test_a_regrade_counts_its_verdict_but_not_as_latency(exercise: Exercise, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_run_grader", lambda submission: WRONG)
    submission = SubmissionFactory(
        exercise=exercise, kind=Submission.Kind.RUN, finished_at=timezone.now() - dt.timedelta(days=30)
    )
    verdicts = value("brainqueue_grading_verdicts_total", kind="run", verdict="WA")
    latencies = value("brainqueue_grading_latency_seconds_count", kind="run")
    assert services.submission_grade(submission_id=submission.pk) == "graded"
    assert value("brainqueue_grading_verdicts_total", kind="run", verdict="WA") == verdicts + 1
    assert value("brainqueue_grading_latency_seconds_count", kind="run") == latencies


def test_a_submission_skipped_by_a_second_worker_records_nothing(exercise: Exercise) -> None:
    submission = SubmissionFactory(exercise=exercise, status=Submission.Status.DONE)
    before = value("brainqueue_grading_verdicts_total", kind="submit", verdict="AC")
    assert services.submission_grade(submission_id=submission.pk) == "skipped"
    assert value("brainqueue_grading_verdicts_total", kind="submit", verdict="AC") == before


def test_the_grading_task_counts_its_retries_then_the_internal_error(
    exercise: Exercise, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_run_grader", lambda submission: None)
    task = {"task": "tracker.tasks.grade_submission", "queue": "grading"}
    retries = value("brainqueue_celery_tasks_total", **task, outcome="retry")
    successes = value("brainqueue_celery_tasks_total", **task, outcome="success")
    errors = value("brainqueue_grading_verdicts_total", kind="submit", verdict="IE")
    submission = SubmissionFactory(exercise=exercise)
    assert grade_submission.apply(args=[submission.pk]).get() == "graded"  # eager: the retries run at once
    assert value("brainqueue_celery_tasks_total", **task, outcome="retry") == retries + 3
    assert value("brainqueue_celery_tasks_total", **task, outcome="success") == successes + 1
    assert value("brainqueue_grading_verdicts_total", kind="submit", verdict="IE") == errors + 1
