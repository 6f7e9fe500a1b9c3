"""Blog feeds, subscriptions, posts and OPML (api/views/feeds.py)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers.base import MS, S
from tracker.feeds.opml import MAX_OPML_BYTES
from tracker.models import Feed, FeedPost, FeedSubscription
from tracker.services.feeds import MAX_DAILY_CAP


class FeedBriefSerializer(MS[Feed]):
    class Meta:
        model = Feed
        fields = ["id", "title", "url", "site_url"]


class FeedSerializer(MS[Feed]):
    """A feed with its fetch health: `status` active, error (failing, retried with back-off), gone (the
    publisher answered 410) or paused (by a curator)."""

    class Meta:
        model = Feed
        fields = [
            "id",
            "title",
            "url",
            "site_url",
            "status",
            "last_fetch_at",
            "last_success_at",
            "last_error",
            "error_count",
            "gone_at",
        ]


class FeedSubscriptionSerializer(MS[FeedSubscription]):
    feed = FeedSerializer(read_only=True)
    post_count = serializers.IntegerField(read_only=True, help_text="Posts of the feed kept here.")
    latest_post_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Its newest post.")

    class Meta:
        model = FeedSubscription
        fields = ["id", "feed", "add_to_reading_queue", "daily_cap", "post_count", "latest_post_at", "created_at"]


class FeedSubscribeSerializer(S):
    url = serializers.CharField(
        max_length=1000,
        help_text="The feed's address, or any page of the blog (its feed is then discovered); "
        "`https://` may be left out.",
    )
    add_to_reading_queue = serializers.BooleanField(default=True, help_text="New posts join your reading queue.")
    daily_cap = serializers.IntegerField(
        min_value=1, max_value=MAX_DAILY_CAP, default=3, help_text="At most this many posts a day join the queue."
    )


class FeedSubscriptionUpdateSerializer(S):
    add_to_reading_queue = serializers.BooleanField(required=False)
    daily_cap = serializers.IntegerField(min_value=1, max_value=MAX_DAILY_CAP, required=False)


class CuratedFeedSerializer(MS[Feed]):
    slug = serializers.CharField(
        source="curated_slug", read_only=True, help_text="Follow it at curated/{slug}/follow/."
    )
    is_subscribed = serializers.BooleanField(read_only=True, help_text="You follow it.")
    subscriber_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Feed
        fields = ["id", "slug", "title", "url", "site_url", "status", "is_subscribed", "subscriber_count"]


class FeedPostSerializer(MS[FeedPost]):
    feed = FeedBriefSerializer(read_only=True)
    summary_html = serializers.CharField(read_only=True, help_text="HTML, already sanitised (nh3) on the server.")
    in_queue = serializers.BooleanField(read_only=True, help_text="Already in your reading queue.")

    class Meta:
        model = FeedPost
        fields = ["id", "feed", "title", "url", "summary_html", "published_at", "in_queue"]


class ReadingPostSerializer(MS[FeedPost]):
    feed = FeedBriefSerializer(read_only=True)

    class Meta:
        model = FeedPost
        fields = ["id", "title", "url", "published_at", "feed"]


class OpmlImportSerializer(S):
    file = serializers.FileField(help_text=f"An OPML file from any feed reader, up to {MAX_OPML_BYTES} bytes.")

    def validate_file(self, upload: Any) -> Any:
        if upload.size > MAX_OPML_BYTES:
            raise serializers.ValidationError(f"The file is {upload.size} bytes; the limit is {MAX_OPML_BYTES}.")
        return upload


class OpmlImportReportSerializer(S):
    subscribed = serializers.IntegerField(help_text="Feeds you now follow.")
    already_subscribed = serializers.IntegerField()
    feeds_created = serializers.IntegerField(help_text="Feeds new to the server: fetched within a minute or so.")
    skipped = serializers.ListField(child=serializers.CharField(), help_text="Addresses that could not be added.")
