"""A learner's enrolments with their progress and where the plan puts them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import EnrollmentFactory, ItemFactory, ProgressFactory, TrackFactory, UserFactory
from tracker.models import StudyProfile
from tracker.selectors import enrollments_with_progress, percent_done

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


def enrol(user, priority, status="active", **kwargs):
    track = TrackFactory()
    ItemFactory(track=track)
    return EnrollmentFactory(user=user, track=track, priority=priority, status=status, **kwargs)


def test_active_tracks_beyond_the_parallel_limit_wait_in_priority_order():
    user = UserFactory()
    StudyProfile.objects.filter(user=user).update(parallel_limit=2)
    first = enrol(user, 1)
    enrol(user, 1, status="paused")  # takes no slot
    second, tied = enrol(user, 2), enrol(user, 2)  # the same priority: the older enrolment goes first
    last = enrol(user, 3)
    rows = enrollments_with_progress(user=user)
    assert {row.pk for row in rows if row.waiting} == {tied.pk, last.pk}
    # A filtered row keeps its answer: it does not depend on which rows are read with it.
    assert rows.get(pk=last.pk).waiting and not rows.get(pk=second.pk).waiting and not rows.get(pk=first.pk).waiting


def test_a_track_misses_its_target_when_active_unfinished_and_planned_to_finish_after_it():
    user = UserFactory()
    late = enrol(user, 1, target_date=MONDAY, projected_finish_date=MONDAY + dt.timedelta(days=1))
    never = enrol(user, 2, target_date=MONDAY, projected_finish_date=None)
    on_time = enrol(user, 3, target_date=MONDAY, projected_finish_date=MONDAY)
    paused = enrol(user, 4, status="paused", target_date=MONDAY, projected_finish_date=None)
    no_target = enrol(user, 5, projected_finish_date=MONDAY + dt.timedelta(days=9))
    done = enrol(user, 6, target_date=MONDAY, projected_finish_date=None)
    ProgressFactory(user=user, item=done.track.items.get())
    rows = {row.pk: row for row in enrollments_with_progress(user=user)}
    assert {pk for pk, row in rows.items() if row.will_miss_target} == {late.pk, never.pk}
    assert {on_time.pk, paused.pk, no_target.pk, done.pk}.isdisjoint(
        pk for pk, row in rows.items() if row.will_miss_target
    )
    assert (rows[done.pk].done_items, rows[done.pk].total_items) == (1, 1)


@pytest.mark.parametrize(
    ("done", "total", "percent"), [(0, 0, 0), (0, 7, 0), (1, 8, 12), (3, 8, 38), (3, 4, 75), (4, 4, 100), (5, 4, 100)]
)
def test_percent_done_is_a_whole_percentage(done, total, percent):
    assert percent_done(done=done, total=total) == percent
