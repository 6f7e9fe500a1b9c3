"""The leaderboard of a timed exercise: one row per learner (their best), ties by the earlier submission,
held and rejected speed-ups left out, handles shown only when published; one query."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ExerciseFactory, TimedSubmissionFactory, UserFactory, timing_figures
from tracker.models import Exercise, StudyProfile, User
from tracker.selectors.leaderboards import exercise_leaderboard

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def gemm() -> Exercise:
    return ExerciseFactory(slug="gemm-blocked", timed=True)


def _learner(handle: str = "") -> User:
    user = UserFactory()
    StudyProfile.objects.filter(user=user).update(public_handle=handle)
    return user


def _submit(user: User, exercise: Exercise, ratio: float, minutes: int = 0, **fields: object) -> object:
    row = TimedSubmissionFactory(user=user, exercise=exercise, ratio=ratio, **fields)
    type(row).objects.filter(pk=row.pk).update(created_at=T0 + dt.timedelta(minutes=minutes))
    return row


def test_each_learner_is_ranked_once_by_their_best_speedup(gemm: Exercise, django_assert_num_queries) -> None:
    ada, bo, cy = _learner("ada"), _learner("bo_42"), _learner("cy-x")
    _submit(ada, gemm, 4.5, 1)
    _submit(ada, gemm, 7.0, 2)
    _submit(bo, gemm, 6.0, 3)
    _submit(cy, gemm, 9.0, 4)
    _submit(cy, gemm, 5.0, 5)
    # The board: 1. the submissions ranked per learner (a window), kept where best, with the handle joined.
    with django_assert_num_queries(1):
        board = exercise_leaderboard(exercise=gemm, viewer=ada)
    assert [(r.rank, r.handle, r.speedup) for r in board] == [(1, "cy-x", 9.0), (2, "ada", 7.0), (3, "bo_42", 6.0)]


def test_a_tie_goes_to_the_earlier_submission(gemm: Exercise) -> None:
    late, early = _learner("late"), _learner("early")
    _submit(late, gemm, 5.0, minutes=30)
    _submit(early, gemm, 5.0, minutes=10)
    _submit(early, gemm, 5.0, minutes=40)  # the same speed-up again does not move them: the earlier one counts
    board = exercise_leaderboard(exercise=gemm, viewer=late)
    assert [(r.handle, r.submitted_at) for r in board] == [
        ("early", T0 + dt.timedelta(minutes=10)),
        ("late", T0 + dt.timedelta(minutes=30)),
    ]


def test_held_and_rejected_speedups_are_left_out_and_approved_ones_ranked(gemm: Exercise) -> None:
    held, rejected, approved = _learner("held"), _learner("rejected"), _learner("approved")
    big = timing_figures(speedup=40.0, held_for_review=True)
    _submit(held, gemm, 40.0, timing=big, review="pending")
    _submit(rejected, gemm, 50.0, timing=big, review="rejected")
    _submit(rejected, gemm, 4.1)  # their honest submission still counts
    _submit(approved, gemm, 30.0, timing=big, review="approved")
    board = exercise_leaderboard(exercise=gemm, viewer=held)
    assert [(r.handle, r.speedup) for r in board] == [("approved", 30.0), ("rejected", 4.1)]


def test_only_accepted_graded_submissions_with_a_speedup_count(gemm: Exercise) -> None:
    ranked = _learner("ranked")
    _submit(ranked, gemm, 5.0)
    _submit(_learner("slow"), gemm, 2.0, verdict="WA")  # correct but under min_speedup
    _submit(_learner("runner"), gemm, 8.0, kind="run")
    _submit(_learner("error"), gemm, 8.0, status="error")
    _submit(_learner("noratio"), gemm, 1.0, speedup=None, timing=timing_figures(status="rejected"))
    other = ExerciseFactory(slug="dot-avx2", timed=True)
    _submit(_learner("elsewhere"), other, 9.0)
    board = exercise_leaderboard(exercise=gemm, viewer=ranked)
    assert [r.handle for r in board] == ["ranked"]


def test_a_learner_without_a_handle_is_ranked_but_anonymous_and_sees_their_own_row(
    gemm: Exercise, django_assert_num_queries
) -> None:
    anon, named = _learner(), _learner("named")
    mine = _submit(anon, gemm, 8.0)
    _submit(named, gemm, 6.0)
    seen_by_named = exercise_leaderboard(exercise=gemm, viewer=named)
    first = seen_by_named[0]
    assert (first.handle, first.is_you, first.submission_id) == ("", False, None)
    assert all(anon.username not in repr(r) for r in seen_by_named)
    seen_by_anon = exercise_leaderboard(exercise=gemm, viewer=anon)
    assert (seen_by_anon[0].is_you, seen_by_anon[0].submission_id) == (True, mine.pk)
    assert seen_by_anon[1].submission_id is None  # another learner's submission is not the viewer's to open


def test_an_untimed_exercise_has_no_board_and_costs_no_query(django_assert_num_queries) -> None:
    untimed = ExerciseFactory(timed=False)
    viewer = TimedSubmissionFactory(exercise=untimed).user
    with django_assert_num_queries(0):
        assert exercise_leaderboard(exercise=untimed, viewer=viewer) == []


def test_a_learner_without_a_profile_row_is_still_ranked(gemm: Exercise) -> None:
    user = UserFactory()
    StudyProfile.objects.filter(user=user).delete()
    _submit(user, gemm, 5.0)
    assert [(r.handle, r.speedup) for r in exercise_leaderboard(exercise=gemm, viewer=user)] == [("", 5.0)]
    assert timezone.is_aware(exercise_leaderboard(exercise=gemm, viewer=user)[0].submitted_at)
