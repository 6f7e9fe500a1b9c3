"""Enrolments (api/views/enrollments.py)."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.base import MS, S
from api.serializers.tracks import TrackBriefSerializer
from tracker.models import Enrollment


class EnrollmentSerializer(MS[Enrollment]):
    track = TrackBriefSerializer(read_only=True)
    total_items = serializers.IntegerField(read_only=True)
    done_items = serializers.IntegerField(read_only=True)

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
            "created_at",
            "updated_at",
        ]


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
