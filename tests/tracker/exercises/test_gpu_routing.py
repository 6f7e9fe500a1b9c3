"""Where CUDA exercises are graded: the grading queue on numba's CUDA simulator by default, the gpu queue on a
GPU once GRADING_GPU_QUEUE_ENABLED; everything else where CELERY_TASK_ROUTES sends it."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.bundles import EXERCISES_DIR, load_bundle
from grader.results import GradeResult
from grader.run import grade
from tests.authoring_fixtures import needs_bwrap
from tests.factories import UserFactory
from tracker.models import Exercise, Submission
from tracker.services import exercises as services
from tracker.services.exercises import exercises_sync, grading_uses_gpu, submission_create, submission_grade

CUDA_SLUG = "cuda-vector-add"


@pytest.mark.parametrize(
    ("slug", "enabled", "expected"),
    [
        ("cuda-vector-add", True, True),
        ("cuda-vector-add", False, False),
        ("vector-add", True, False),
        ("vector-add", False, False),
    ],
)
def test_only_cuda_exercises_go_to_the_gpu_and_only_when_enabled(
    settings, slug: str, enabled: bool, expected: bool
) -> None:
    settings.GRADING_GPU_QUEUE_ENABLED = enabled
    assert grading_uses_gpu(bundle=load_bundle(EXERCISES_DIR / slug)) is expected


def _sent_for(slug: str, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    from tracker import tasks

    sent: list[dict[str, object]] = []
    monkeypatch.setattr(tasks.grade_submission, "apply_async", lambda **kwargs: sent.append(kwargs))
    exercises_sync()
    exercise = Exercise.objects.get(slug=slug)
    with django_capture_on_commit_callbacks(execute=True):
        submission_create(user=UserFactory(), exercise=exercise, code=exercise.starter)
    (kwargs,) = sent
    return kwargs


@pytest.mark.django_db
def test_a_cuda_submission_is_queued_on_the_gpu_queue_when_enabled(
    settings, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.GRADING_GPU_QUEUE_ENABLED = True
    assert _sent_for(CUDA_SLUG, django_capture_on_commit_callbacks, monkeypatch)["queue"] == settings.GPU_QUEUE
    # Python exercises keep the grading queue of CELERY_TASK_ROUTES.
    assert "queue" not in _sent_for("vector-add", django_capture_on_commit_callbacks, monkeypatch)


@pytest.mark.django_db
def test_a_cuda_submission_keeps_the_grading_queue_by_default(
    settings, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.GRADING_GPU_QUEUE_ENABLED = False
    assert "queue" not in _sent_for(CUDA_SLUG, django_capture_on_commit_callbacks, monkeypatch)


@pytest.mark.slow
@needs_bwrap
@pytest.mark.django_db
@pytest.mark.parametrize(("enabled", "name"), [(False, "numba CUDA simulator"), (True, "found no GPU")])
def test_the_service_grades_cuda_on_the_simulator_and_the_result_says_so(
    settings, monkeypatch: pytest.MonkeyPatch, enabled: bool, name: str
) -> None:
    if enabled and list(Path("/dev").glob("nvidia*")):
        pytest.skip("this machine has an NVIDIA device: the GPU run would use it")
    settings.GRADING_GPU_QUEUE_ENABLED = enabled
    results: list[GradeResult] = []

    def grade_and_keep(*args: object, **kwargs: object) -> GradeResult:
        result = grade(*args, **kwargs)  # type: ignore[arg-type]
        results.append(result)
        return result

    monkeypatch.setattr(services, "grade", grade_and_keep)
    exercises_sync()
    exercise = Exercise.objects.get(slug=CUDA_SLUG)
    code = load_bundle(EXERCISES_DIR / CUDA_SLUG).reference_source()
    submission = submission_create(user=UserFactory(), exercise=exercise, code=code)
    assert submission_grade(submission_id=submission.pk) == "graded"
    submission.refresh_from_db()
    assert submission.verdict == Submission.Verdict.AC
    (result,) = results
    assert result.device.kind == "cuda-simulator" and name in result.device.name
