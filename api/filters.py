"""Query-string filters (django-filter) of the list endpoints."""

from __future__ import annotations

import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django_filters.fields import IsoDateTimeField

from api.serializers.base import MAX_OFFSET
from tracker.models import Deadline, Enrollment, FeedPost, PlanEntry, Progress, ReadingQueueEntry, Skill, Track
from tracker.selectors.curriculum import LearnerTrack


class _OffsetCheckedDateTimeField(IsoDateTimeField):
    def to_python(self, value: object) -> dt.datetime | None:
        parsed: dt.datetime | None = super().to_python(value)
        offset = parsed.utcoffset() if parsed is not None else None
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise forms.ValidationError("The offset must be between -14:00 and +14:00.", code="invalid")
        return parsed


class DateTimeFilter(filters.IsoDateTimeFilter):
    """ISO 8601 with an offset no wider than any zone's."""

    field_class = _OffsetCheckedDateTimeField


class TrackFilter(filters.FilterSet):
    search = filters.CharFilter(method="filter_search", help_text="Words in the title, English title or summary.")
    kind = filters.ChoiceFilter(choices=Track.Kind.choices)
    tag = filters.CharFilter(field_name="tags__slug", distinct=True, help_text="A tag slug, e.g. cuda.")
    mine = filters.BooleanFilter(field_name="owner", lookup_expr="isnull", exclude=True, help_text="Your own tracks.")
    enrolled = filters.BooleanFilter(method="filter_enrolled", help_text="Tracks you are enrolled in (or not).")

    class Meta:
        model = Track
        fields = ["search", "kind", "tag", "mine", "enrolled"]

    def filter_search(self, queryset: QuerySet[Track], name: str, value: str) -> QuerySet[Track]:
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(title_en__icontains=word) | Q(summary__icontains=word)
            )
        return queryset

    def filter_enrolled(self, queryset: QuerySet[LearnerTrack], name: str, value: bool) -> QuerySet[LearnerTrack]:
        return queryset.filter(enrollment_id__isnull=not value)


class EnrollmentFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Enrollment.Status.choices)

    class Meta:
        model = Enrollment
        fields = ["status"]


class ProgressFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Progress.Status.choices)
    track = filters.NumberFilter(
        field_name="item__track_id", min_value=1, max_value=2**53, decimal_places=0, help_text="A track id."
    )

    class Meta:
        model = Progress
        fields = ["status", "track"]


class DeadlineFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Deadline.Kind.choices)
    scope = filters.ChoiceFilter(
        choices=[("mine", "Yours"), ("public", "Public")], method="filter_scope", help_text="Yours or public only."
    )
    due_after = DateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = DateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Deadline
        fields = ["kind", "scope", "due_after", "due_before"]

    def filter_scope(self, queryset: QuerySet[Deadline], name: str, value: str) -> QuerySet[Deadline]:
        return queryset.filter(owner__isnull=value == "public")


class ReadingFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ReadingQueueEntry.Status.choices)

    class Meta:
        model = ReadingQueueEntry
        fields = ["status"]


class SkillFilter(filters.FilterSet):
    tier = filters.ChoiceFilter(choices=Skill.Tier.choices)

    class Meta:
        model = Skill
        fields = ["tier"]


class PlanFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=PlanEntry.Kind.choices)
    status = filters.ChoiceFilter(choices=PlanEntry.Status.choices)

    class Meta:
        model = PlanEntry
        fields = ["kind", "status"]


class FeedPostFilter(filters.FilterSet):
    feed = filters.NumberFilter(
        field_name="feed_id", min_value=1, max_value=2**53, decimal_places=0, help_text="A feed id (`feed.id`)."
    )
    in_queue = filters.BooleanFilter(help_text="Posts already in your reading queue (or not).")

    class Meta:
        model = FeedPost
        fields = ["feed", "in_queue"]
