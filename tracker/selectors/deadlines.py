"""Deadlines: the public ones and the learner's own."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from tracker.models import Deadline, User


def deadlines_page(*, user: User, now: dt.datetime) -> tuple[list[Deadline], list[Deadline]]:
    """Upcoming deadlines, public and the learner's own, soonest first; and the learner's own that
    passed in the last 30 days, latest first. Two queries."""
    mine_or_public = Q(owner=user) | Q(owner__isnull=True)
    upcoming = list(
        Deadline.objects.filter(mine_or_public, due_at__gte=now).select_related("track").order_by("due_at", "id")
    )
    past = list(
        Deadline.objects.filter(owner=user, due_at__lt=now, due_at__gte=now - dt.timedelta(days=30))
        .select_related("track")
        .order_by("-due_at", "-id")
    )
    return upcoming, past


def own_deadlines(*, user: User) -> QuerySet[Deadline]:
    """Deadlines the learner made (public ones are curated elsewhere)."""
    return Deadline.objects.filter(owner=user)
