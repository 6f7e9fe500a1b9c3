"""Reads the REST API needs beyond the dashboard's: tracks a learner may open with their counts,
skills with the learner's level, one progress row, a learner's private rows by id."""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery

from tracker.models import Item, Progress, Skill, SkillAssessment, Track, User
from tracker.models.learning import Enrollment
from tracker.selectors.catalogue import _count, leaf_items, track_visible_to


def tracks_for_learner(*, user: User) -> QuerySet[Track]:
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


def items_visible_to(*, user: User) -> QuerySet[Item]:
    """Items of tracks the learner may open: curated published ones and their own."""
    return Item.objects.filter(Q(track__owner__isnull=True, track__is_published=True) | Q(track__owner=user))


def skills_with_level(*, user: User) -> QuerySet[Skill]:
    """Every skill with `my_level`, the learner's self-assessment (null when unrated). Two queries."""
    return (
        Skill.objects.annotate(
            my_level=Subquery(
                SkillAssessment.objects.filter(user=user, skill=OuterRef("pk")).values("level")[:1],
                output_field=IntegerField(),
            )
        )
        .prefetch_related("tracks")
        .order_by("-tier", "position", "key")
    )


def progress_of(*, user: User, item: Item) -> Progress:
    """The learner's progress on the item; an unsaved todo row when they never touched it. One query."""
    found = Progress.objects.filter(user=user, item=item).first()
    return found or Progress(user=user, item=item, status=Progress.Status.TODO)
