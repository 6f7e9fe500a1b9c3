"""Reordering tracks: one place up or down, priorities renumbered, one re-plan."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import EnrollmentFactory, ItemFactory, TrackFactory, UserFactory
from tracker.models import Enrollment, PlanEntry, StudyProfile
from tracker.services.planning import plan_rebuild
from tracker.services.priorities import PriorityError, enrollment_move

pytestmark = pytest.mark.django_db


def enrolled(user, n):
    rows = []
    for priority in (1, 3, 7)[:n]:
        track = TrackFactory()
        for position in range(10):
            ItemFactory(track=track, position=position)
        rows.append(EnrollmentFactory(user=user, track=track, priority=priority, start_date=dt.date(2026, 3, 1)))
    return rows


def test_moving_a_track_up_swaps_it_with_the_one_above_and_renumbers():
    user = UserFactory()
    first, second, third = enrolled(user, 3)
    enrollment_move(enrollment=third, direction="up")
    order = list(Enrollment.objects.filter(user=user).order_by("priority").values_list("pk", "priority"))
    assert order == [(first.pk, 1), (third.pk, 2), (second.pk, 3)]


def test_the_top_track_moving_up_stays_and_nothing_fails():
    user = UserFactory()
    first, _second = enrolled(user, 2)
    enrollment_move(enrollment=first, direction="up")
    assert Enrollment.objects.get(pk=first.pk).priority == 1
    with pytest.raises(PriorityError, match="up or down"):
        enrollment_move(enrollment=first, direction="sideways")  # type: ignore[arg-type]


def test_moving_the_waiting_track_up_gives_it_the_only_slot():
    user = UserFactory()
    StudyProfile.objects.filter(user=user).update(parallel_limit=1)
    first, second = enrolled(user, 2)
    plan_rebuild(user=user, today=dt.date(2026, 3, 2))
    assert PlanEntry.objects.filter(user=user).order_by("date", "position").first().enrollment_id == first.pk
    enrollment_move(enrollment=second, direction="up")
    today = PlanEntry.objects.filter(user=user, status="planned").order_by("date", "position").first()
    assert today is not None and today.enrollment_id == second.pk
