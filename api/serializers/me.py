"""The learner and their study profile (api/views/me.py)."""

from __future__ import annotations

import datetime as dt

from rest_framework import serializers

from api.serializers.base import MS
from tracker.models import StudyProfile


class MeSerializer(MS[StudyProfile]):
    id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    today = serializers.SerializerMethodField(help_text="The learner's local date now.")
    rest_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), max_length=7, help_text="0 is Monday."
    )

    class Meta:
        model = StudyProfile
        fields = [
            "id",
            "username",
            "email",
            "time_zone",
            "parallel_limit",
            "daily_minutes",
            "rest_weekdays",
            "reminder_hour",
            "reminders_enabled",
            "language",
            "public_handle",
            "today",
        ]
        extra_kwargs = {
            "public_handle": {"help_text": "Your name on leaderboards; empty (the default) keeps you anonymous there."}
        }

    def get_today(self, obj: StudyProfile) -> dt.date:
        today: dt.date = self.context["today"]
        return today


class MeUpdateSerializer(MS[StudyProfile]):
    rest_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), max_length=7, required=False
    )

    class Meta:
        model = StudyProfile
        fields = [
            "time_zone",
            "parallel_limit",
            "daily_minutes",
            "rest_weekdays",
            "reminder_hour",
            "reminders_enabled",
            "language",
            "public_handle",
        ]
        extra_kwargs: dict[str, dict[str, object]] = {name: {"required": False} for name in fields}
        extra_kwargs["public_handle"]["help_text"] = (
            "Publish a leaderboard handle (3 to 30 letters, digits, - or _; unique), or empty it to be anonymous."
        )
