"""A learner's enrolments with their progress and where the plan puts them, and their progress on one
item. The web pages and the API read these, so both give the same answers."""

from __future__ import annotations

from typing import TypedDict

from django.db.models import BooleanField, Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django_stubs_ext import WithAnnotations

from tracker.models import Enrollment, Item, Progress, StudyProfile, Track, User
from tracker.selectors.curriculum import _count, leaf_items

_ACTIVE = Enrollment.Status.ACTIVE


def enrollments_of(*, user: User) -> QuerySet[Enrollment]:
    """The learner's enrolments with their track, by priority."""
    return Enrollment.objects.filter(user=user).select_related("track", "user").order_by("priority", "id")


def enrollment_for(*, user: User, track: Track) -> Enrollment | None:
    """The learner's enrolment in the track, if any. One query."""
    return Enrollment.objects.filter(user=user, track=track).first()


def percent_done(*, done: int, total: int) -> int:
    """How much of a track is done, as a whole percentage: 0 for a track without items, at most 100."""
    return min(100, round(100 * done / total)) if total else 0


class EnrollmentProgress(TypedDict):
    """What `enrollments_with_progress` adds to each enrolment."""

    total_items: int
    done_items: int
    active_ahead: int
    parallel_limit: int
    waiting: bool
    will_miss_target: bool


type EnrollmentWithProgress = WithAnnotations[Enrollment, EnrollmentProgress]


def enrollments_with_progress(*, user: User) -> QuerySet[EnrollmentWithProgress]:
    """The learner's enrolments, active first, then by priority, each with:

    - `total_items` and `done_items`: the track's leaves, and those the learner completed;
    - `waiting`: an active track that gets no slot, because as many active tracks as the parallel limit
      come before it by priority;
    - `will_miss_target`: an active, unfinished track whose last plan finishes it after its target date
      (or not at all within the plan).

    One query, and filters and pages keep each row's answers (they do not depend on the other rows shown).
    """
    default_limit = StudyProfile._meta.get_field("parallel_limit").get_default()
    ahead = Enrollment.objects.filter(user=OuterRef("user_id"), status=_ACTIVE).filter(
        Q(priority__lt=OuterRef("priority")) | Q(priority=OuterRef("priority"), pk__lt=OuterRef("pk"))
    )
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
            active_ahead=_count(ahead, "user"),
            parallel_limit=Coalesce(F("user__study_profile__parallel_limit"), Value(default_limit)),
        )
        .annotate(
            waiting=Case(
                When(status=_ACTIVE, active_ahead__gte=F("parallel_limit"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            will_miss_target=Case(
                When(
                    Q(status=_ACTIVE, target_date__isnull=False, done_items__lt=F("total_items"))
                    & (Q(projected_finish_date__isnull=True) | Q(projected_finish_date__gt=F("target_date"))),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
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
