"""Storing a graded submission's device and timing, the review hold, and a curator's decision on it.

The grader's result is built here (a GradeResult with `device` and `timing`, as the timed grader returns
them), never by a real timed grading: these tests are about what the database keeps."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from grader.bundles import Bundle, load_bundle
from grader.results import GradeResult, Verdict
from tests.factories import ExerciseFactory, SubmissionFactory, UserFactory, timing_figures
from tracker.models import Exercise, LearnerState, StudyProfile, Submission, User
from tracker.services import exercises as services
from tracker.services.leaderboards import ReviewError, submission_reviews_decide
from tracker.services.users import ProfileError, study_profile_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """The messages asserted are the English ones, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@dataclass(frozen=True)
class TimedResult(GradeResult):
    """A grader result with the contract's two keys (plain dicts, as `to_dict()` writes them)."""

    device: dict[str, Any] | None = field(default_factory=lambda: {"kind": "cpu", "name": "x86_64 (4 cores)"})
    timing: dict[str, Any] | None = None


def _grade(monkeypatch: pytest.MonkeyPatch, result: GradeResult, **submission: Any) -> Submission:
    monkeypatch.setattr(services, "_run_grader", lambda s: result)
    row = SubmissionFactory(exercise=ExerciseFactory(timed=True), **submission)
    assert services.submission_grade(submission_id=row.pk) == "graded"
    row.refresh_from_db()
    return row


def _result(verdict: Verdict = Verdict.AC, **fields: Any) -> TimedResult:
    return TimedResult(slug="gemm", verdict=verdict, score=10.0, max_score=10.0, **fields)


def test_a_timed_result_is_stored_with_its_device_timing_and_speedup(monkeypatch: pytest.MonkeyPatch) -> None:
    timing = timing_figures(speedup=5.5)
    row = _grade(monkeypatch, _result(device={"kind": "gpu", "name": "NVIDIA H200"}, timing=timing))
    assert (row.status, row.verdict) == ("done", "AC")
    assert (row.device_kind, row.device_name) == ("gpu", "NVIDIA H200")
    assert row.timing == timing
    assert row.speedup == 5.5
    assert row.review == ""


def test_an_untimed_result_stores_its_device_and_no_timing(monkeypatch: pytest.MonkeyPatch) -> None:
    row = _grade(monkeypatch, _result(device={"kind": "cuda-simulator", "name": "numba CUDA simulator"}))
    assert (row.device_kind, row.timing, row.speedup) == ("cuda-simulator", None, None)


def test_a_plain_python_result_ran_on_the_cpu_and_has_no_timing(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = GradeResult(slug="vector-add", verdict=Verdict.AC, score=1.0, max_score=1.0)
    row = _grade(monkeypatch, plain)
    assert (row.device_kind, row.timing, row.speedup, row.review) == ("cpu", None, None, "")
    assert row.device_name  # the worker's processor, as the grader names it


@pytest.mark.parametrize("status", ["rejected", "skipped"])
def test_a_rejected_or_skipped_timing_has_no_ranked_speedup(monkeypatch: pytest.MonkeyPatch, status: str) -> None:
    timing = timing_figures(status=status, speedup=None if status == "skipped" else 40.0, message="below the minimum")
    row = _grade(monkeypatch, _result(Verdict.WA, timing=timing))
    assert row.timing == timing
    assert row.speedup is None


def test_a_noisy_timing_keeps_its_speedup(monkeypatch: pytest.MonkeyPatch) -> None:
    row = _grade(monkeypatch, _result(timing=timing_figures(status="noisy", cv=0.2, speedup=4.2)))
    assert row.speedup == 4.2


@pytest.mark.parametrize(
    "bad",
    [
        {"status": "fast"},
        {"speedup": "5x"},
        {"band_score": 1.5},
        {"rounds": -1},
        {"submission_ms": {"p50": 1.0}},
        {"roofline": {"bytes": 1}},
        {"held_for_review": "yes"},
        {"extra": 1},
        {"speedup": float("nan")},
    ],
)
def test_a_timing_not_in_the_contract_shape_is_not_stored(monkeypatch: pytest.MonkeyPatch, bad: dict) -> None:
    row = _grade(monkeypatch, _result(timing=timing_figures(**bad)))
    assert (row.verdict, row.timing, row.speedup, row.review) == ("AC", None, None, "")
    assert row.device_kind == "cpu"  # the device was fine


def test_a_device_not_in_the_contract_shape_is_not_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    row = _grade(monkeypatch, _result(device={"kind": "tpu", "name": "x"}))
    assert (row.device_kind, row.device_name) == ("", "")


def test_a_speedup_held_for_review_is_pending(monkeypatch: pytest.MonkeyPatch) -> None:
    timing = timing_figures(speedup=23.0, held_for_review=True, message="23× the baseline: held for review")
    row = _grade(monkeypatch, _result(timing=timing))
    assert (row.review, row.speedup) == ("pending", 23.0)


def test_the_timing_goes_in_the_same_guarded_update_as_the_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker whose claim was taken over writes nothing: neither the verdict nor the timing."""
    row = SubmissionFactory(exercise=ExerciseFactory(timed=True))

    def taken_over(submission: Submission) -> GradeResult:
        Submission.objects.filter(pk=submission.pk).update(started_at=None)  # another worker's claim now
        return _result(timing=timing_figures(speedup=6.0))

    monkeypatch.setattr(services, "_run_grader", taken_over)
    assert services.submission_grade(submission_id=row.pk) == "lost"
    row.refresh_from_db()
    assert (row.verdict, row.timing, row.speedup, row.device_kind) == ("", None, None, "")


def test_an_internal_error_clears_no_timing_it_never_had(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_run_grader", lambda s: None)
    row = SubmissionFactory(exercise=ExerciseFactory(timed=True))
    services.submission_grade(submission_id=row.pk)
    row.refresh_from_db()
    assert (row.verdict, row.timing, row.speedup, row.review) == ("IE", None, None, "")


def test_the_database_refuses_a_speedup_without_a_timing() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionFactory(speedup=3.0)


def test_the_database_refuses_a_review_without_a_timing() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionFactory(review="pending")


def _held() -> Submission:
    timing = timing_figures(speedup=30.0, held_for_review=True)
    return SubmissionFactory(
        exercise=ExerciseFactory(timed=True), status="done", verdict="AC", timing=timing, speedup=30.0, review="pending"
    )


def test_a_curator_approves_or_rejects_a_pending_submission_once() -> None:
    curator, first, second = UserFactory(is_staff=True), _held(), _held()
    assert submission_reviews_decide(submission_ids=[first.pk], decision="approved", curator=curator) == 1
    assert submission_reviews_decide(submission_ids=[first.pk, second.pk], decision="rejected", curator=curator) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.review, first.reviewed_by, second.review) == ("approved", curator, "rejected")
    assert first.reviewed_at is not None


def test_an_unknown_decision_is_refused() -> None:
    with pytest.raises(ReviewError, match="approved or rejected"):
        submission_reviews_decide(submission_ids=[_held().pk], decision="pending", curator=UserFactory())


def test_a_submission_not_held_cannot_be_decided() -> None:
    plain = SubmissionFactory(status="done", verdict="AC")
    assert submission_reviews_decide(submission_ids=[plain.pk], decision="approved", curator=UserFactory()) == 0
    plain.refresh_from_db()
    assert plain.review == ""


@pytest.mark.django_db(transaction=True)
def test_two_curators_deciding_at_once_record_one_decision() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    held, curators = _held(), [UserFactory(is_staff=True) for _ in range(2)]
    decided: list[int] = []
    barrier = threading.Barrier(2)

    def decide(curator: Any, decision: str) -> None:
        barrier.wait()
        decided.append(submission_reviews_decide(submission_ids=[held.pk], decision=decision, curator=curator))
        connection.close()

    threads = [
        threading.Thread(target=decide, args=(c, d)) for c, d in zip(curators, ("approved", "rejected"), strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(decided) == [0, 1]
    held.refresh_from_db()
    assert held.review in ("approved", "rejected") and held.reviewed_by in curators


def _version(user: User) -> int:
    return LearnerState.objects.filter(user=user).values_list("version", flat=True).first() or 0


def test_publishing_a_handle_is_a_profile_write_that_bumps_the_learners_version() -> None:
    user = UserFactory()
    before = _version(user)
    profile = study_profile_update(user=user, public_handle="ada_99")
    assert profile.public_handle == "ada_99"
    assert _version(user) > before
    assert study_profile_update(user=user, public_handle="").public_handle == ""  # unpublished again


@pytest.mark.parametrize("bad", ["ab", "x" * 31, "has space", "ünï", "a/b", "<script>"])
def test_a_handle_must_be_3_to_30_letters_digits_dashes_or_underscores(bad: str) -> None:
    user = UserFactory()
    with pytest.raises(ProfileError, match=r"public_handle: A handle has 3 to 30 characters"):
        study_profile_update(user=user, public_handle=bad)
    assert StudyProfile.objects.get(user=user).public_handle == ""


def test_a_handle_is_unique_whatever_its_case() -> None:
    study_profile_update(user=UserFactory(), public_handle="Ada")
    with pytest.raises(ProfileError, match="This handle is taken: choose another"):
        study_profile_update(user=UserFactory(), public_handle="ada")
    # Unpublished (empty) handles are not "taken": any number of learners keep theirs private.
    for _ in range(2):
        study_profile_update(user=UserFactory(), public_handle="")


@dataclass(frozen=True)
class TimedBundle(Bundle):
    """A bundle with the `[timing]` table the timed grader's bundles have (any value but None)."""

    timing: object = None


def test_a_bundle_with_timing_makes_a_timed_exercise_and_one_without_an_untimed_one() -> None:
    untimed = load_bundle(Exercise(slug="vector-add").bundle_path)
    exercise, _ = services.exercise_public_fields_apply(bundle=untimed)
    assert exercise.timed is False
    values = {f.name: getattr(untimed, f.name) for f in fields(untimed)}
    timed = TimedBundle(**{**values, "timing": {"size": 512}})
    exercise, changed = services.exercise_public_fields_apply(bundle=timed, exercise=exercise)
    assert changed and Exercise.objects.get(pk=exercise.pk).timed is True
