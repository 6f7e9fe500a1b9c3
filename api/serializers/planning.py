"""Today, the plan, statistics, vacations and markdown plan import (api/views/planning.py)."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.base import MS, S
from api.serializers.personal import DeadlineSerializer, ReadingEntrySerializer
from api.serializers.tracks import ItemBriefSerializer, TrackBriefSerializer
from tracker.models import PlanEntry, Progress, ReviewCard, Vacation


class PlanEntrySerializer(MS[PlanEntry]):
    item = ItemBriefSerializer(read_only=True)
    track = TrackBriefSerializer(source="item.track", read_only=True)

    class Meta:
        model = PlanEntry
        fields = [
            "id",
            "date",
            "end_date",
            "kind",
            "status",
            "origin",
            "minutes",
            "position",
            "enrollment",
            "item",
            "track",
        ]


class TodayEntrySerializer(PlanEntrySerializer):
    progress_status = serializers.SerializerMethodField()

    class Meta(PlanEntrySerializer.Meta):
        fields = [*PlanEntrySerializer.Meta.fields, "progress_status"]

    def get_progress_status(self, obj: PlanEntry) -> str:
        mine = getattr(obj.item, "my_progress", [])
        return str(mine[0].status) if mine else Progress.Status.TODO.value


class TodayTrackSerializer(S):
    track = TrackBriefSerializer()
    entries = TodayEntrySerializer(many=True)


class TodayReviewSerializer(MS[ReviewCard]):
    item = ItemBriefSerializer(read_only=True)

    class Meta:
        model = ReviewCard
        fields = ["item", "due", "state", "reps", "last_review"]


class TodayPracticeSerializer(S):
    """Practice due outside the tracks (tracker/selectors/practice.py): problem re-solves, ..."""

    kind = serializers.CharField(help_text="problem (a LeetCode re-solve)")
    key = serializers.CharField(help_text="The problem's slug.")
    title = serializers.CharField()
    url = serializers.CharField(help_text="Its page on this site.")
    minutes = serializers.IntegerField()
    due = serializers.DateTimeField()


class TodaySerializer(S):
    date = serializers.DateField(help_text="Your local date.")
    planned_minutes = serializers.IntegerField()
    practice = TodayPracticeSerializer(many=True, help_text="Practice due today; its minutes leave the plan's budget.")
    practice_minutes = serializers.IntegerField()
    tracks = TodayTrackSerializer(many=True)
    reviews_due = TodayReviewSerializer(many=True)
    overdue = PlanEntrySerializer(many=True)
    reading = ReadingEntrySerializer(allow_null=True)
    deadlines = DeadlineSerializer(many=True)
    current_streak = serializers.IntegerField()
    longest_streak = serializers.IntegerField()


class HeatmapDaySerializer(S):
    date = serializers.DateField()
    items_done = serializers.IntegerField()
    reviews = serializers.IntegerField()
    minutes = serializers.IntegerField()


class StatsSerializer(S):
    today = serializers.DateField()
    current_streak = serializers.IntegerField()
    longest_streak = serializers.IntegerField()
    heatmap = HeatmapDaySerializer(many=True, help_text="One day per entry, oldest first, ending today.")


class PlanImportSerializer(S):
    file = serializers.FileField(help_text="A markdown plan (UTF-8), as exported.")


class PlanImportReportSerializer(S):
    tracks_created = serializers.IntegerField()
    tracks_updated = serializers.IntegerField()
    items_created = serializers.IntegerField()
    items_updated = serializers.IntegerField()
    progress_done = serializers.IntegerField()
    plan_entries = serializers.IntegerField()
    deadlines_created = serializers.IntegerField()
    resources = serializers.IntegerField()
    notes = serializers.ListField(child=serializers.DictField(), help_text="Lines kept as notes: {line, text}.")
    warnings = serializers.ListField(child=serializers.CharField())


class VacationSerializer(MS[Vacation]):
    class Meta:
        model = Vacation
        fields = ["id", "start_date", "end_date", "label", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"label": {"max_length": 120}}
