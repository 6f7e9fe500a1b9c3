"""The reading queue: in its order, and as the reading page shows it."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from tracker.models import ReadingQueueEntry, User

READ_HISTORY = 30


def reading_queue(*, user: User) -> QuerySet[ReadingQueueEntry]:
    """The learner's queue in its order, read and dropped entries included, with item and track, and for
    entries that came from a blog feed the post and its feed."""
    return (
        ReadingQueueEntry.objects.filter(user=user)
        .select_related("item", "item__track", "user", "post__feed")
        .order_by("position", "id")
    )


def reading_page(*, user: User) -> tuple[list[ReadingQueueEntry], list[ReadingQueueEntry]]:
    """What is still to read (reading first, then queued, in queue order) and the most recently read
    entries with their summaries. Two queries."""
    to_read = list(
        reading_queue(user=user)
        .filter(status__in=[ReadingQueueEntry.Status.READING, ReadingQueueEntry.Status.QUEUED])
        .order_by(
            Case(When(status="reading", then=Value(0)), default=Value(1), output_field=IntegerField()),
            "position",
            "id",
        )
    )
    read = list(
        reading_queue(user=user).filter(status=ReadingQueueEntry.Status.READ).order_by("-read_at", "-id")[:READ_HISTORY]
    )
    return to_read, read
