"""Vacations: days without study that neither get plan entries nor break a streak."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tracker.models import User, Vacation
from tracker.services.planning import plan_rebuild

MAX_VACATION_DAYS = 366


class VacationError(Exception):
    """A vacation that cannot be saved; the message says why."""


@transaction.atomic
def vacation_add(*, user: User, start_date: dt.date, end_date: dt.date, label: str = "") -> Vacation:
    """Adds a vacation and re-plans around it."""
    if end_date < start_date:
        raise VacationError("The vacation ends before it starts; swap the dates.")
    if (end_date - start_date).days >= MAX_VACATION_DAYS:
        raise VacationError("A vacation of more than a year is a pause: pause your tracks instead.")
    vacation = Vacation.objects.create(user=user, start_date=start_date, end_date=end_date, label=label[:120])
    plan_rebuild(user=user)
    return vacation


@transaction.atomic
def vacation_delete(*, vacation: Vacation) -> None:
    user = vacation.user
    vacation.delete()
    plan_rebuild(user=user)
