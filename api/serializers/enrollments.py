"""Enrolments (api/views/enrollments.py)."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.base import MS, S
from api.serializers.tracks import TrackBriefSerializer
from tracker.models import Enrollment
from tracker.selectors.enrollments import EnrollmentWithProgress, percent_done


class EnrollmentSerializer(MS[Enrollment]):
    track = TrackBriefSerializer(read_only=True)
    total_items = serializers.IntegerField(read_only=True)
    done_items = serializers.IntegerField(read_only=True)
    percent_done = serializers.SerializerMethodField(help_text="`done_items` of `total_items` in whole percent, 0–100.")
    waiting = serializers.BooleanField(
        read_only=True,
        help_text="Active but without a slot: as many active tracks as your parallel limit come first by priority.",
    )
    will_miss_target = serializers.BooleanField(
        read_only=True,
        help_text="Active and unfinished, and the plan finishes it after `target_date` (or not within the plan).",
    )

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "track",
            "priority",
            "status",
            "pace_unit",
            "pace_per_day",
            "start_date",
            "target_date",
            "projected_finish_date",
            "total_items",
            "done_items",
            "percent_done",
            "waiting",
            "will_miss_target",
            "created_at",
            "updated_at",
        ]

    def get_percent_done(self, enrollment: EnrollmentWithProgress) -> int:
        return percent_done(done=enrollment.done_items, total=enrollment.total_items)


class EnrollmentCreateSerializer(S):
    track = serializers.IntegerField(help_text="The id of a track you may open.")
    priority = serializers.IntegerField(min_value=1, max_value=32767, required=False, help_text="Default: after yours.")
    pace_unit = serializers.ChoiceField(choices=Enrollment.PaceUnit.choices, default=Enrollment.PaceUnit.MINUTES)
    pace_per_day = serializers.IntegerField(min_value=1, max_value=1440, default=60)
    start_date = serializers.DateField(required=False, help_text="Default: your today.")
    target_date = serializers.DateField(required=False, allow_null=True)


class EnrollmentUpdateSerializer(S):
    priority = serializers.IntegerField(min_value=1, max_value=32767, required=False)
    status = serializers.ChoiceField(choices=Enrollment.Status.choices, required=False)
    pace_unit = serializers.ChoiceField(choices=Enrollment.PaceUnit.choices, required=False)
    pace_per_day = serializers.IntegerField(min_value=1, max_value=1440, required=False)
    start_date = serializers.DateField(required=False)
    target_date = serializers.DateField(required=False, allow_null=True)
