"""Request and response shapes. Serializers validate and format; services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import serializers

from api.models import ApiToken
from tracker.feeds.opml import MAX_OPML_BYTES
from tracker.models import (
    Deadline,
    Enrollment,
    Feed,
    FeedPost,
    FeedSubscription,
    Item,
    PlanEntry,
    Progress,
    ReadingQueueEntry,
    ReviewCard,
    Skill,
    StudyProfile,
    Track,
    Vacation,
)
from tracker.services.feeds import MAX_DAILY_CAP
from tracker.services.reviews import RATINGS

S = serializers.Serializer[Any]
MS = serializers.ModelSerializer


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset (`2026-05-01T18:00:00+08:00` or `...Z`); a time without one is refused,
    since the server cannot know which zone the client meant."""

    def to_internal_value(self, value: Any) -> dt.datetime:
        parsed = super().to_internal_value(value)
        if isinstance(value, str) and not _has_offset(value):
            raise serializers.ValidationError("Give the time with its offset, e.g. 2026-05-01T18:00:00+08:00.")
        check_offset(value)
        return parsed


MAX_OFFSET = dt.timedelta(hours=14)  # the widest offset in use (Kiribati); PostgreSQL takes less than 16 h


def check_offset(value: object) -> None:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    offset = parsed.utcoffset() if isinstance(parsed, dt.datetime) else None
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise serializers.ValidationError("The offset must be between -14:00 and +14:00.")


def _has_offset(text: str) -> bool:
    tail = text.strip()[10:]
    return tail.endswith(("Z", "z")) or "+" in tail or "-" in tail


# --- auth and profile ------------------------------------------------------------------------------


class TokenCreateSerializer(S):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)
    device_name = serializers.CharField(max_length=100, help_text="Shown in Settings, e.g. 'Pixel 8'.")
    otp = serializers.CharField(
        max_length=64,
        required=False,
        help_text="With two-factor authentication on: the code from the authenticator app, or a recovery code.",
    )


class TokenSerializer(MS[ApiToken]):
    created_at = serializers.DateTimeField(source="created", read_only=True)
    expires_at = serializers.DateTimeField(source="expiry", read_only=True, allow_null=True)

    class Meta:
        model = ApiToken
        fields = ["id", "device_name", "created_at", "last_used_at", "expires_at"]


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.SerializerMethodField(help_text="The secret: shown this once. Send `Authorization: Token …`.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]

    def get_token(self, obj: ApiToken) -> str:
        secret: str = self.context["secret"]
        return secret


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
            "today",
        ]

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
        ]
        extra_kwargs = {name: {"required": False} for name in fields}


# --- curriculum ------------------------------------------------------------------------------------


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


# --- learning --------------------------------------------------------------------------------------


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


# --- planning --------------------------------------------------------------------------------------


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


# --- blog feeds ----------------------------------------------------------------------------------------


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


class TodaySerializer(S):
    date = serializers.DateField(help_text="Your local date.")
    planned_minutes = serializers.IntegerField()
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
