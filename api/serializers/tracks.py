"""Tracks and their items, in full and in brief for other shapes (api/views/tracks.py)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers.base import MS, S
from tracker.models import Item, Progress, Track


class TrackBriefSerializer(MS[Track]):
    class Meta:
        model = Track
        fields = ["id", "slug", "title", "title_en", "kind"]


class ItemBriefSerializer(MS[Item]):
    class Meta:
        model = Item
        fields = ["id", "track", "key", "title", "title_en", "kind", "url", "estimated_minutes", "difficulty"]


class TrackListSerializer(MS[Track]):
    is_curated = serializers.BooleanField(read_only=True)
    tags: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    total_items = serializers.IntegerField(read_only=True, help_text="Leaf items: what is studied.")
    enrollment_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="Yours, when enrolled.")

    class Meta:
        model = Track
        fields = [
            "id",
            "slug",
            "title",
            "title_en",
            "kind",
            "summary",
            "source_url",
            "is_curated",
            "tags",
            "total_items",
            "enrollment_id",
            "created_at",
            "updated_at",
        ]


class TrackItemSerializer(S):
    """One node of a track's item tree, with the learner's state on it."""

    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    title_en = serializers.CharField()
    kind = serializers.ChoiceField(choices=Item.Kind.choices)
    url = serializers.CharField()
    estimated_minutes = serializers.IntegerField()
    difficulty = serializers.CharField()
    position = serializers.IntegerField()
    depth = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Progress.Status.choices, help_text="Yours; todo when untouched.")
    children = serializers.ListField(child=serializers.DictField(), help_text="Items of the same shape.")


class TrackDetailSerializer(TrackListSerializer):
    items = TrackItemSerializer(many=True, read_only=True, help_text="The top-level items, each with its children.")

    class Meta(TrackListSerializer.Meta):
        fields = [*TrackListSerializer.Meta.fields, "notes", "items"]
