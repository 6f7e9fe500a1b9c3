"""The grading task (called directly, as a worker would), the admin's re-grade, and the commands."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client

from grader.bundles import Bundle
from tests.exercises_support import BUNDLE_COUNT, WRONG, assert_no_secrets
from tests.factories import SubmissionFactory, UserFactory
from tracker.models import Exercise, Submission
from tracker.services import exercises as services
from tracker.tasks import grade_submission

pytestmark = pytest.mark.django_db
needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="the sandbox needs bubblewrap (make test-system-deps)"
)


def test_the_task_is_routed_to_the_grading_queue_and_acks_late(settings) -> None:
    assert settings.CELERY_TASK_ROUTES["tracker.tasks.grade_submission"] == {"queue": "grading"}
    assert grade_submission.acks_late and grade_submission.soft_time_limit and grade_submission.time_limit


@needs_bwrap
def test_the_task_grades_and_a_second_run_changes_nothing(exercise: Exercise) -> None:
    submission = SubmissionFactory(exercise=exercise, code=WRONG)
    assert grade_submission.apply(args=[submission.pk]).get() == "graded"
    assert grade_submission.apply(args=[submission.pk]).get() == "skipped"
    assert submission.results.count() == 10


def test_the_task_retries_an_internal_error_only(exercise: Exercise, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_run_grader", lambda submission: None)
    submission = SubmissionFactory(exercise=exercise)
    result = grade_submission.apply(args=[submission.pk])  # eager: retries run at once, up to max_retries
    assert result.get() == "graded"
    submission.refresh_from_db()
    assert (submission.status, submission.verdict, submission.attempts) == ("error", "IE", 4)


def test_a_curator_regrades_from_the_admin(
    exercise: Exercise, client: Client, django_capture_on_commit_callbacks
) -> None:
    curator = UserFactory(is_staff=True)
    curator.groups.add(Group.objects.get(name="Curators"))
    submission = SubmissionFactory(exercise=exercise, status="done", verdict="WA", score=0)
    client.force_login(curator)
    page = client.get(f"/admin/tracker/submission/{submission.pk}/change/")
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            "/admin/tracker/submission/", {"action": "regrade", "_selected_action": [submission.pk]}, follow=True
        )
    assert "1 submission(s) queued" in response.content.decode()
    assert len(queued) == 1
    assert Submission.objects.get(pk=submission.pk).status == "done"  # the old result stays
    again = Submission.objects.get(regrade_of=submission)
    assert again.status == "queued" and again.code == submission.code


def test_the_admin_never_shows_the_reference_or_hidden_outputs(
    exercise: Exercise, bundle: Bundle, admin_client: Client
) -> None:
    submission = SubmissionFactory(exercise=exercise, code=WRONG)
    for url in (
        f"/admin/tracker/exercise/{exercise.pk}/change/",
        f"/admin/tracker/submission/{submission.pk}/change/",
        "/admin/tracker/exercise/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_no_secrets(response.content.decode(), bundle)


@needs_bwrap
def test_grade_command_prints_the_verdicts(tmp_path: Path, bundle: Bundle) -> None:
    good = tmp_path / "good.py"
    good.write_text(bundle.reference_source())
    out = StringIO()
    call_command("grade", "vector-add", str(good), stdout=out)
    assert "vector-add: AC (Accepted), score 10/10" in out.getvalue()
    assert out.getvalue().count(" AC      ") == 10  # one line per case


@needs_bwrap
def test_grade_command_json_and_exit_status_on_a_wrong_answer(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text(WRONG)
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("grade", "vector-add", str(wrong), "--json", stdout=out)
    assert failed.value.returncode == 1
    result = json.loads(out.getvalue())
    assert result["verdict"] == "WA" and len(result["cases"]) == 10
    assert all(case["message"] == "" for case in result["cases"] if not case["visible"])


def test_grade_command_names_an_unknown_exercise(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no exercise named nope") as failed:
        call_command("grade", "nope", str(tmp_path / "x.py"), stdout=StringIO())
    assert failed.value.returncode == 2


@needs_bwrap
def test_exercises_check_proves_the_references_pass() -> None:
    out = StringIO()
    call_command("exercises", "check", "vector-add", "same-padding", stdout=out)
    assert "ok   vector-add: 10 cases pass, outputs current" in out.getvalue()
    assert "ok   same-padding" in out.getvalue()


def test_exercises_build_writes_outputs_into_the_given_folder(tmp_path: Path, settings) -> None:
    shutil.copytree(Path(settings.EXERCISES_DIR) / "same-padding", tmp_path / "same-padding")
    for output in (tmp_path / "same-padding" / "cases").glob("*.out.npz"):
        output.unlink()
    settings.EXERCISES_DIR = tmp_path
    out = StringIO()
    call_command("exercises", "build", stdout=out)
    assert "same-padding: 10 cases, 10 output(s) written" in out.getvalue()
    assert len(list((tmp_path / "same-padding" / "cases").glob("*.out.npz"))) == 10


def test_seed_loads_the_exercises(settings) -> None:
    out = StringIO()
    call_command("seed", "--no-demo", stdout=out, stderr=StringIO())
    assert f"Exercises: {BUNDLE_COUNT} ({BUNDLE_COUNT} new" in out.getvalue()
    call_command("seed", "--no-demo", stdout=(again := StringIO()), stderr=StringIO())
    assert f"Exercises: {BUNDLE_COUNT} (already up to date)" in again.getvalue()
    assert Exercise.objects.filter(track__isnull=False).exists()
