"""Setting an item's status by name, for clients that send the state they want (the REST API)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tracker.models import Item, Progress, User
from tracker.services.progress import ProgressError, progress_mark_done, progress_skip, progress_start, progress_undo


@transaction.atomic
def progress_set_status(*, user: User, item: Item, status: str, now: dt.datetime | None = None) -> Progress:
    """Moves the item to `status` through the action that gets it there: todo undoes, doing starts,
    done finishes, skipped skips. `review` is reached by rating a review, not set. Setting the status
    the item already has changes nothing."""
    current = Progress.objects.filter(user=user, item=item).values_list("status", flat=True).first()
    current = current or Progress.Status.TODO
    if status == Progress.Status.REVIEW:
        raise ProgressError("An item goes into review when you rate it; mark it done, then rate it.")
    if status == current:
        return Progress.objects.filter(user=user, item=item).first() or Progress(user=user, item=item)
    if status == Progress.Status.DONE:
        return progress_mark_done(user=user, item=item, now=now)
    if status == Progress.Status.SKIPPED:
        return progress_skip(user=user, item=item, now=now)
    if status == Progress.Status.DOING:
        if current != Progress.Status.TODO and current != Progress.Status.SKIPPED:
            progress_undo(user=user, item=item, now=now)
        return progress_start(user=user, item=item, now=now)
    if status == Progress.Status.TODO:
        progress = progress_undo(user=user, item=item, now=now)
        if progress.status != Progress.Status.TODO:
            # Undo keeps a started item as doing; todo asks for a clean slate.
            progress.status = Progress.Status.TODO
            progress.started_at = None
            progress.save(update_fields=["status", "started_at", "updated_at"])
        return progress
    raise ProgressError(f"Status must be one of {', '.join(Progress.Status.values)}, not {status!r}.")
