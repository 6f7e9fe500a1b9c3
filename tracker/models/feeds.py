from django.conf import settings
from django.db import models
from django.db.models import Q

from .base import TimeStampedModel

DEFAULT_INTERVAL_SECONDS = 3600
DEFAULT_DAILY_CAP = 3


class FeedStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ERROR = "error", "Failing (retrying with back-off)"
    GONE = "gone", "Gone (HTTP 410)"
    PAUSED = "paused", "Paused by a curator"


# Statuses the dispatcher fetches; gone and paused feeds wait for a person.
FETCHABLE_STATUSES = [FeedStatus.ACTIVE, FeedStatus.ERROR]


class Feed(TimeStampedModel):
    """A blog's RSS/Atom feed, shared by everyone who follows it, with its fetch health.

    The dispatcher claims a due feed by setting `claimed_until` (a lease) in a guarded update; the fetch
    clears it and sets `next_fetch_at`. A lease that runs out (a worker died) makes the feed claimable again.
    """

    Status = FeedStatus

    url = models.URLField(max_length=1000, unique=True, help_text="The feed's address (RSS or Atom).")
    site_url = models.URLField(max_length=1000, blank=True)
    title = models.CharField(max_length=300, blank=True)
    is_curated = models.BooleanField(default=False, help_text="Listed for learners to follow with one click.")
    curated_slug = models.SlugField(max_length=80, blank=True, help_text="The key in fixtures/feeds.yaml.")
    curated_url = models.URLField(
        max_length=1000, blank=True, help_text="The address in fixtures/feeds.yaml; `url` may have moved since."
    )
    status = models.CharField(max_length=10, choices=FeedStatus, default=FeedStatus.ACTIVE)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    interval_seconds = models.PositiveIntegerField(
        default=DEFAULT_INTERVAL_SECONDS, help_text="Normal time between fetches; the server may ask for longer."
    )
    next_fetch_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="Set while a worker fetches it.")
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    error_count = models.PositiveIntegerField(default=0, help_text="Failures in a row.")
    # A permanent redirect (301/308) is followed every time, but the stored URL moves only after it
    # was seen this many times in a row, so one bad deploy on the publisher's side moves nothing.
    redirect_url = models.URLField(max_length=1000, blank=True)
    redirect_count = models.PositiveSmallIntegerField(default=0)
    gone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title", "url"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=FeedStatus.values), name="feed_status_valid"),
            models.CheckConstraint(condition=Q(interval_seconds__gte=60), name="feed_interval_at_least_a_minute"),
            models.CheckConstraint(condition=Q(is_curated=False) | ~Q(curated_slug=""), name="feed_curated_has_slug"),
            models.UniqueConstraint(
                fields=["curated_slug"], condition=~Q(curated_slug=""), name="feed_curated_slug_unique"
            ),
        ]
        indexes = [
            # The dispatcher (feeds_dispatch) claims fetchable feeds whose next_fetch_at has come.
            models.Index(fields=["status", "next_fetch_at"], name="feed_status_next_fetch_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class FeedSubscription(TimeStampedModel):
    """A learner follows a feed; new posts may join their reading queue, at most `daily_cap` a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_subscriptions")
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="subscriptions")
    add_to_reading_queue = models.BooleanField(default=True)
    daily_cap = models.PositiveSmallIntegerField(
        default=DEFAULT_DAILY_CAP, help_text="At most this many posts of this feed join the queue in 24 hours."
    )

    class Meta:
        ordering = ["user", "feed__title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "feed"], name="feed_subscription_user_feed_unique"),
            models.CheckConstraint(
                condition=Q(daily_cap__gte=1, daily_cap__lte=50), name="feed_subscription_cap_range"
            ),
        ]
        indexes = [
            # Delivering new posts reads a feed's subscribers who want them queued.
            models.Index(fields=["feed", "add_to_reading_queue"], name="feed_sub_feed_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows feed {self.feed_id}"


class FeedPost(TimeStampedModel):
    """One entry of a feed. `guid_hash` identifies it within the feed, so a refetch never duplicates it;
    a deleted post stays as a tombstone (`deleted_at`) so the next fetch does not bring it back."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="posts")
    guid_hash = models.CharField(max_length=64, help_text="sha256 of the GUID, else the link, else title+content.")
    guid = models.CharField(max_length=1000, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    title = models.CharField(max_length=300)
    summary_html = models.TextField(blank=True, help_text="Sanitised with nh3 before it is stored.")
    published_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["feed", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "guid_hash"], name="feed_post_feed_guid_unique"),
        ]
        indexes = [
            # A feed's page and the API list a feed's newest posts.
            models.Index(fields=["feed", "-published_at"], name="feed_post_feed_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title
