"""Tracks and items: which a learner may open, the catalogue with its filters, and a track's item tree."""

from __future__ import annotations

from typing import Any, TypedDict

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django_stubs_ext import WithAnnotations

from tracker.models import Enrollment, Item, Progress, Tag, Track, User


def _count(qs: QuerySet[Any], group: str) -> Coalesce:
    """A correlated COUNT(*) subquery; 0 when nothing matches."""
    counted = qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def leaf_items() -> QuerySet[Item]:
    """Items that are studied themselves, not groups of others (a chapter is done through its sections)."""
    return Item.objects.filter(~Exists(Item.objects.filter(parent=OuterRef("pk"))))


def track_visible_to(*, user: User) -> QuerySet[Track]:
    """Tracks a learner may open: published curated ones and their own."""
    return Track.objects.filter(Q(owner__isnull=True, is_published=True) | Q(owner=user))


def items_visible_to(*, user: User) -> QuerySet[Item]:
    """Items of the tracks a learner may open (`track_visible_to`), with their track joined."""
    return Item.objects.filter(track__in=track_visible_to(user=user)).select_related("track")


class CatalogueCounts(TypedDict):
    """What `catalogue_tracks` adds to each track."""

    total_items: int
    is_enrolled: bool


type CatalogueTrack = WithAnnotations[Track, CatalogueCounts]


def catalogue_tracks(*, user: User, kind: str | None = None, query: str = "") -> QuerySet[CatalogueTrack]:
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


def catalogue_filtered(*, user: User, kind: str = "", tag: str = "", query: str = "") -> QuerySet[CatalogueTrack]:
    """The catalogue (see `catalogue_tracks`) narrowed to a kind, a tag and a search text, with the
    tracks' tags prefetched. Two queries."""
    tracks = catalogue_tracks(user=user, kind=kind or None, query=query.strip())
    if tag:
        tracks = tracks.filter(tags__slug=tag)
    return tracks.prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("slug")))


def catalogue_tags() -> QuerySet[Tag]:
    """Tags on at least one published curated track, for the catalogue's filter. One query."""
    return Tag.objects.filter(tracks__owner__isnull=True, tracks__is_published=True).distinct().order_by("slug")


class LearnerTrackCounts(TypedDict):
    """What `tracks_for_learner` adds to each track."""

    total_items: int
    enrollment_id: int | None


type LearnerTrack = WithAnnotations[Track, LearnerTrackCounts]


def tracks_for_learner(*, user: User) -> QuerySet[LearnerTrack]:
    """Published curated tracks and the learner's own, each with `total_items` and `enrollment_id`
    (null when not enrolled), tags prefetched. Two queries."""
    return (
        track_visible_to(user=user)
        .annotate(
            total_items=_count(leaf_items().filter(track=OuterRef("pk")), "track"),
            enrollment_id=Subquery(
                Enrollment.objects.filter(user=user, track=OuterRef("pk")).values("pk")[:1],
                output_field=IntegerField(),
            ),
        )
        .prefetch_related("tags")
        .order_by("kind", "title_en", "id")
    )


class ItemProgress(TypedDict):
    """What `track_items_with_progress` adds to each item (`my_progress`: a prefetch, a list of 0 or 1)."""

    child_count: int
    my_progress: list[Progress]


type TrackItem = WithAnnotations[Item, ItemProgress]


def track_items_with_progress(*, track: Track, user: User) -> QuerySet[TrackItem]:
    """The track's items in study order, each with `my_progress` (a list of 0 or 1). Two queries."""
    return (
        Item.objects.filter(track=track)
        .annotate(child_count=Count("children"))
        .order_by("position", "id")
        .prefetch_related(Prefetch("progress", queryset=Progress.objects.filter(user=user), to_attr="my_progress"))
    )
