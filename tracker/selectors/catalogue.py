"""The catalogue, a learner's enrolments with progress, and a track's item tree."""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tracker.models import Enrollment, Item, Progress, Track, User


def _count(qs: QuerySet, group: str) -> Coalesce:  # type: ignore[type-arg]
    """A correlated COUNT(*) subquery; 0 when nothing matches."""
    counted = qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def leaf_items() -> QuerySet[Item]:
    """Items that are studied themselves, not groups of others (a chapter is done through its sections)."""
    return Item.objects.filter(~Exists(Item.objects.filter(parent=OuterRef("pk"))))


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


def catalogue_tracks(*, user: User, kind: str | None = None, query: str = "") -> QuerySet[Track]:
    """Published curated tracks with their size and whether the learner is enrolled. One query."""
    tracks = Track.objects.filter(owner__isnull=True, is_published=True)
    if kind:
        tracks = tracks.filter(kind=kind)
    if query:
        tracks = tracks.filter(Q(title__icontains=query) | Q(title_en__icontains=query) | Q(summary__icontains=query))
    return tracks.annotate(
        total_items=_count(leaf_items().filter(track=OuterRef("pk")), "track"),
        is_enrolled=Exists(Enrollment.objects.filter(user=user, track=OuterRef("pk"))),
    ).order_by("kind", "title_en")


def track_visible_to(*, user: User) -> QuerySet[Track]:
    """Tracks a learner may open: published curated ones and their own."""
    return Track.objects.filter(Q(owner__isnull=True, is_published=True) | Q(owner=user))


def track_items_with_progress(*, track: Track, user: User) -> QuerySet[Item]:
    """The track's items in study order, each with `my_progress` (a list of 0 or 1). Two queries."""
    return (
        Item.objects.filter(track=track)
        .annotate(child_count=Count("children"))
        .order_by("position", "id")
        .prefetch_related(Prefetch("progress", queryset=Progress.objects.filter(user=user), to_attr="my_progress"))
    )
