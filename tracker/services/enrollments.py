"""Enrolling in tracks."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from tracker.models import Enrollment, Track, User
from tracker.services.planning import plan_rebuild


class EnrollmentError(Exception):
    """An enrolment that cannot be made; the message says why and what to do."""


class AlreadyEnrolled(EnrollmentError):
    """The learner is enrolled in the track already: there is one enrolment per learner and track."""

    def __init__(self) -> None:
        super().__init__("You are already enrolled in this track; find it on your home page.")


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
    """Enrols the learner and re-plans; without a priority the track goes after their current ones.

    Raises AlreadyEnrolled when they are enrolled in the track already, and EnrollmentError when the
    track is not theirs to take."""
    if track.owner_id is not None and track.owner_id != user.pk:
        raise EnrollmentError("This track belongs to another learner.")
    if not track.is_published and track.owner_id is None:
        raise EnrollmentError("This track is not published yet.")
    if Enrollment.objects.filter(user=user, track=track).exists():
        raise AlreadyEnrolled
    if priority is None:
        highest = Enrollment.objects.filter(user=user).aggregate(m=Max("priority"))["m"]
        priority = (highest or 0) + 1
    try:
        # A savepoint: an enrolment made meanwhile (a second tab) breaks the unique constraint, not the
        # whole transaction.
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                user=user,
                track=track,
                priority=priority,
                pace_unit=pace_unit,
                pace_per_day=pace_per_day,
                start_date=start_date,
                target_date=target_date,
            )
    except IntegrityError as exc:
        if Enrollment.objects.filter(user=user, track=track).exists():
            raise AlreadyEnrolled from exc
        raise
    # The new track's first items belong on today's plan straight away.
    plan_rebuild(user=user)
    return enrollment


_UNSET = object()


@transaction.atomic
def enrollment_update(
    *,
    enrollment: Enrollment,
    priority: int | None = None,
    status: str | None = None,
    pace_unit: str | None = None,
    pace_per_day: int | None = None,
    start_date: dt.date | None = None,
    target_date: dt.date | object | None = _UNSET,
) -> Enrollment:
    """Changes an enrolment and re-plans from today: pausing a track frees its slot for the next one
    by priority, a new priority or pace reorders the days ahead."""
    changes: dict[str, object] = {
        "priority": priority,
        "status": status,
        "pace_unit": pace_unit,
        "pace_per_day": pace_per_day,
        "start_date": start_date,
    }
    for name, value in changes.items():
        if value is not None:
            setattr(enrollment, name, value)
    if target_date is not _UNSET:
        enrollment.target_date = target_date  # type: ignore[assignment]
    try:
        enrollment.full_clean(exclude=["user", "track"])
    except ValidationError as exc:
        raise EnrollmentError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
    enrollment.save()
    plan_rebuild(user=enrollment.user)
    return enrollment


@transaction.atomic
def enrollment_delete(*, enrollment: Enrollment) -> None:
    """Leaves a track: its future plan entries go, progress and history stay (re-enrolling finds them)."""
    user = enrollment.user
    enrollment.delete()
    plan_rebuild(user=user)
