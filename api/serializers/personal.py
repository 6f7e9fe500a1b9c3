"""Skills, the reading queue and deadlines (api/views/personal.py)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers.base import MS, AwareDateTimeField, S
from api.serializers.feeds import ReadingPostSerializer
from api.serializers.tracks import ItemBriefSerializer
from tracker.models import Deadline, ReadingQueueEntry, Skill


class SkillSerializer(MS[Skill]):
    my_level = serializers.IntegerField(read_only=True, allow_null=True, help_text="0 none … 4 expert; null: unrated.")
    tracks: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Skill
        fields = ["id", "key", "tier", "title", "title_en", "description", "position", "tracks", "my_level"]


class SkillLevelSerializer(S):
    level = serializers.IntegerField(
        min_value=0, max_value=4, help_text="0 none, 1 aware, 2 working, 3 proficient, 4 expert."
    )


class ReadingEntrySerializer(MS[ReadingQueueEntry]):
    item = ItemBriefSerializer(read_only=True, allow_null=True)
    post = ReadingPostSerializer(
        read_only=True, allow_null=True, help_text="The blog post and its feed, for an entry that came from a feed."
    )
    display_title = serializers.CharField(read_only=True)

    class Meta:
        model = ReadingQueueEntry
        fields = [
            "id",
            "item",
            "post",
            "title",
            "url",
            "display_title",
            "position",
            "status",
            "added_at",
            "read_at",
            "summary",
        ]


class DeadlineSerializer(MS[Deadline]):
    is_public = serializers.BooleanField(read_only=True)
    due_at = AwareDateTimeField()

    class Meta:
        model = Deadline
        fields = ["id", "title", "title_en", "kind", "due_at", "time_zone", "url", "track", "is_public", "created_at"]


class DeadlineWriteSerializer(S):
    title = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=Deadline.Kind.choices, default=Deadline.Kind.PERSONAL)
    due_at = AwareDateTimeField()
    time_zone = serializers.CharField(max_length=64, required=False, help_text="Default: your time zone.")
    url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    track = serializers.IntegerField(required=False, allow_null=True)


class ReadingCreateSerializer(S):
    item = serializers.IntegerField(required=False, allow_null=True, help_text="A track item to read…")
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True, help_text="…or a link.")
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("item") is None and not attrs.get("url"):
            raise serializers.ValidationError("Give an item or a url to read.")
        return attrs


class ReadingUpdateSerializer(S):
    position = serializers.IntegerField(min_value=1, max_value=100_000, required=False, help_text="1 is the top.")
    status = serializers.ChoiceField(choices=ReadingQueueEntry.Status.choices, required=False)
    summary = serializers.CharField(allow_blank=True, max_length=20_000, required=False, trim_whitespace=False)
