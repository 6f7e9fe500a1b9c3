"""Enrolling: one enrolment per learner and track, said so by a specific error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import QuerySet

from tests.factories import EnrollmentFactory, TrackFactory, UserFactory
from tracker.models import Enrollment
from tracker.services.enrollments import AlreadyEnrolled, EnrollmentError, enrollment_create

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


def test_enrolling_twice_raises_already_enrolled_and_keeps_the_first_enrolment():
    user, track = UserFactory(), TrackFactory()
    first = enrollment_create(user=user, track=track, start_date=MONDAY, pace_per_day=45)
    with pytest.raises(AlreadyEnrolled, match="already enrolled"):
        enrollment_create(user=user, track=track, start_date=MONDAY, pace_per_day=90)
    assert list(Enrollment.objects.filter(user=user).values_list("pk", "pace_per_day")) == [(first.pk, 45)]


def test_an_enrolment_made_meanwhile_is_already_enrolled_too(monkeypatch):
    user, track = UserFactory(), TrackFactory()
    EnrollmentFactory(user=user, track=track)
    real_exists = QuerySet.exists
    checks: list[QuerySet] = []

    def misses_the_first_time(queryset: QuerySet) -> bool:
        # The first check runs before the other request's enrolment is committed.
        checks.append(queryset)
        return False if len(checks) == 1 else real_exists(queryset)

    monkeypatch.setattr(QuerySet, "exists", misses_the_first_time)
    with pytest.raises(AlreadyEnrolled):
        enrollment_create(user=user, track=track, start_date=MONDAY)
    assert len(checks) == 2 and Enrollment.objects.filter(user=user).count() == 1


def test_someone_elses_track_is_an_enrollment_error_but_not_already_enrolled():
    with pytest.raises(EnrollmentError, match="another learner") as raised:
        enrollment_create(user=UserFactory(), track=TrackFactory(owner=UserFactory()), start_date=MONDAY)
    assert not isinstance(raised.value, AlreadyEnrolled)
