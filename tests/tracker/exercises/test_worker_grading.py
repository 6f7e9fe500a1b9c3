"""End to end: a submission graded by a real Celery worker (consuming a grading queue of its own) on
the real Redis broker, in the real sandbox, writing to the real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from grader.bundles import Bundle
from tests.factories import SubmissionFactory
from tests.tracker.test_worker import database_url_of_the_test_database
from tracker.models import Exercise, Submission
from tracker.tasks import grade_submission

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="the sandbox needs bubblewrap (make test-system-deps)")
@pytest.mark.django_db(transaction=True)
def test_a_submission_is_graded_by_a_real_worker(postgres: None, redis_url: str, exercise: Exercise, bundle: Bundle):
    queue = f"test-grading-{uuid.uuid4().hex[:8]}"  # never eats anyone else's grading tasks
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_of_the_test_database(),
        "REDIS_URL": redis_url,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
         "--queues", queue, "--hostname", f"{queue}@%h", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        submission = SubmissionFactory(exercise=exercise, code=bundle.reference_source())
        grade_submission.apply_async(args=[submission.pk], queue=queue, soft_time_limit=75, time_limit=105)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not Submission.objects.get(pk=submission.pk).is_finished:
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else "worker exited"
            time.sleep(0.5)
        submission.refresh_from_db()
        assert (submission.status, submission.verdict, submission.score) == ("done", "AC", 10), submission.message
        assert submission.results.count() == 10 and submission.sandboxed
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "tracker.tasks.grade_submission" in output and "succeeded" in output
