"""A learner's plan over a range of dates, and the vacations it plans around."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tracker.models import PlanEntry, User, Vacation


def plan_between(*, user: User, start: dt.date, end: dt.date) -> QuerySet[PlanEntry]:
    """Plan entries from `start` to `end` inclusive, by day and order, with item and track. One query."""
    return (
        PlanEntry.objects.filter(user=user, date__gte=start, date__lte=end)
        .select_related("item", "item__track", "enrollment")
        .order_by("date", "position", "id")
    )


def vacations_of(*, user: User) -> QuerySet[Vacation]:
    """The learner's vacations, latest first."""
    return Vacation.objects.filter(user=user).select_related("user").order_by("-start_date", "-id")
