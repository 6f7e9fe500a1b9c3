"""End to end: a submission graded by a real Celery worker (consuming a grading queue of its own) on
the real Redis broker, in the real sandbox, writing to the real PostgreSQL."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from grader.bundles import Bundle
from tests.factories import SubmissionFactory
from tests.workers import start_worker, stop_worker, wait_for, worker_env
from tracker.models import Exercise, Submission
from tracker.tasks import grade_submission

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="the sandbox needs bubblewrap (make test-system-deps)")
@pytest.mark.django_db(transaction=True)
def test_a_submission_is_graded_by_a_real_worker(postgres: None, redis_url: str, exercise: Exercise, bundle: Bundle):
    queue = f"test-grading-{uuid.uuid4().hex[:8]}"  # never eats anyone else's grading tasks
    worker = start_worker(queue, worker_env(redis_url), pool=("--pool", "prefork", "--concurrency", "1"))
    try:
        submission = SubmissionFactory(exercise=exercise, code=bundle.reference_source())
        grade_submission.apply_async(args=[submission.pk], queue=queue, soft_time_limit=75, time_limit=105)
        wait_for(lambda: Submission.objects.get(pk=submission.pk).is_finished, worker, "grade it", seconds=90)
        submission.refresh_from_db()
        assert (submission.status, submission.verdict, submission.score) == ("done", "AC", 10), submission.message
        assert submission.results.count() == 10 and submission.sandboxed
    finally:
        output = stop_worker(worker)
    assert "tracker.tasks.grade_submission" in output and "succeeded" in output
