"""Progress on items and spaced review (api/views/progress.py)."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.base import MS, S
from tracker.models import Progress, ReviewCard
from tracker.services.reviews import RATINGS


class ReviewCardSerializer(MS[ReviewCard]):
    class Meta:
        model = ReviewCard
        fields = ["item", "due", "state", "reps", "last_review"]


class ProgressSerializer(S):
    """The learner's state on an item; an item never touched reads as todo with empty fields."""

    item = serializers.IntegerField(source="item_id")
    status = serializers.ChoiceField(choices=Progress.Status.choices)
    started_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    time_spent_minutes = serializers.IntegerField()
    updated_at = serializers.DateTimeField(allow_null=True)


class ProgressUpdateSerializer(S):
    status = serializers.ChoiceField(
        choices=[c for c in Progress.Status.choices if c[0] != Progress.Status.REVIEW],
        required=False,
        help_text="todo undoes, doing starts, done finishes, skipped skips; rate a review to reach `review`.",
    )
    note = serializers.CharField(allow_blank=True, max_length=20_000, required=False, trim_whitespace=False)


class ProgressDoneSerializer(S):
    minutes_spent = serializers.IntegerField(
        min_value=1, max_value=1440, required=False, help_text="Added to the time spent; default: the estimate."
    )


class ProgressTimeSerializer(S):
    minutes = serializers.IntegerField(min_value=1, max_value=1440)


class ReviewRateSerializer(S):
    rating = serializers.ChoiceField(choices=list(RATINGS))
    duration_seconds = serializers.IntegerField(min_value=0, max_value=86_400, required=False, allow_null=True)
