"""A learner's enrolments with their progress, and their progress on one item."""

from __future__ import annotations

from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When

from tracker.models import Enrollment, Item, Progress, Track, User
from tracker.selectors.curriculum import _count, leaf_items


def enrollments_of(*, user: User) -> QuerySet[Enrollment]:
    """The learner's enrolments with their track, by priority."""
    return Enrollment.objects.filter(user=user).select_related("track", "user").order_by("priority", "id")


def enrollment_for(*, user: User, track: Track) -> Enrollment | None:
    """The learner's enrolment in the track, if any. One query."""
    return Enrollment.objects.filter(user=user, track=track).first()


def enrollments_with_progress(*, user: User) -> QuerySet[Enrollment]:
    """The learner's enrolments, best priority first, with `total_items` and `done_items`. One query."""
    return (
        Enrollment.objects.filter(user=user)
        .select_related("track")
        .annotate(
            total_items=_count(leaf_items().filter(track=OuterRef("track_id")), "track"),
            done_items=_count(
                # Leaves only, like the total: a chapter is done through its sections.
                Progress.objects.filter(
                    user=OuterRef("user_id"),
                    item__track=OuterRef("track_id"),
                    status__in=Progress.COMPLETED_STATUSES,
                ).filter(~Exists(Item.objects.filter(parent=OuterRef("item_id")))),
                "user",
            ),
        )
        .order_by(
            # Active tracks first, then paused, finished and dropped; within each, by priority.
            Case(
                *[When(status=status, then=Value(rank)) for rank, status in enumerate(Enrollment.Status.values)],
                output_field=IntegerField(),
            ),
            "priority",
            "id",
        )
    )


def progress_of(*, user: User, item: Item) -> Progress:
    """The learner's progress on the item; an unsaved todo row when they never touched it. One query."""
    found = Progress.objects.filter(user=user, item=item).first()
    return found or Progress(user=user, item=item, status=Progress.Status.TODO)
