"""Enrolling in tracks."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max

from tracker.models import Enrollment, Track, User


class EnrollmentError(Exception):
    """An enrolment that cannot be made; the message says why and what to do."""


@transaction.atomic
def enrollment_create(
    *,
    user: User,
    track: Track,
    start_date: dt.date,
    priority: int | None = None,
    pace_unit: str = Enrollment.PaceUnit.MINUTES,
    pace_per_day: int = 60,
    target_date: dt.date | None = None,
) -> Enrollment:
    """Enrols the learner; without a priority the track goes after their current ones."""
    if track.owner_id is not None and track.owner_id != user.pk:
        raise EnrollmentError("This track belongs to another learner.")
    if not track.is_published and track.owner_id is None:
        raise EnrollmentError("This track is not published yet.")
    if Enrollment.objects.filter(user=user, track=track).exists():
        raise EnrollmentError("You are already enrolled in this track; find it on your home page.")
    if priority is None:
        highest = Enrollment.objects.filter(user=user).aggregate(m=Max("priority"))["m"]
        priority = (highest or 0) + 1
    return Enrollment.objects.create(
        user=user,
        track=track,
        priority=priority,
        pace_unit=pace_unit,
        pace_per_day=pace_per_day,
        start_date=start_date,
        target_date=target_date,
    )
