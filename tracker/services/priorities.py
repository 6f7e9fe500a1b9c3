"""Reordering a learner's tracks: priority decides which tracks take the parallel slots."""

from __future__ import annotations

from typing import Literal

from django.db import transaction

from tracker.models import Enrollment
from tracker.services.planning import plan_rebuild


class PriorityError(Exception):
    """A reordering that cannot be done; the message says why."""


@transaction.atomic
def enrollment_move(*, enrollment: Enrollment, direction: Literal["up", "down"]) -> Enrollment:
    """Moves the track one place up (more important) or down among the learner's enrolments, renumbers
    their priorities 1..n in the new order, and re-plans once. At the top (or bottom) it stays put."""
    if direction not in ("up", "down"):
        raise PriorityError(f"Move a track up or down, not {direction!r}.")
    ordered = list(Enrollment.objects.select_for_update().filter(user_id=enrollment.user_id).order_by("priority", "id"))
    index = next(n for n, e in enumerate(ordered) if e.pk == enrollment.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    changed = []
    for priority, row in enumerate(ordered, start=1):
        if row.priority != priority:
            row.priority = priority
            changed.append(row)
    if changed:
        Enrollment.objects.bulk_update(changed, ["priority"])
        plan_rebuild(user=enrollment.user)
    return next(e for e in ordered if e.pk == enrollment.pk)
