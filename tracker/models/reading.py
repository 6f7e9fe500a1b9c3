from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .curriculum import Item
from .feeds import FeedPost


class ReadingStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    READING = "reading", _("Reading")
    READ = "read", _("Read")
    DROPPED = "dropped", _("Dropped")


class ReadingQueueEntry(TimeStampedModel):
    """One thing in a learner's reading queue: a curriculum item (chapter, lecture, article) or a
    link of their own; blog posts fetched from feeds join the same queue. Seed 004 reads one a day
    and writes a summary of it."""

    Status = ReadingStatus

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_queue")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="reading_entries")
    # A blog post from a followed feed. Its title and URL are copied into the entry, so the learner's
    # entry (and summary) outlives the post if a curator deletes the feed.
    post = models.ForeignKey(FeedPost, null=True, blank=True, on_delete=models.SET_NULL, related_name="reading_entries")
    title = models.CharField(max_length=300, blank=True, help_text="For links that are not curriculum items.")
    url = models.URLField(max_length=1000, blank=True)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    added_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="The learner's summary note, markdown.")

    class Meta:
        verbose_name_plural = "reading queue entries"
        ordering = ["user", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "item"], condition=Q(item__isnull=False), name="reading_user_item_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "post"], condition=Q(post__isnull=False), name="reading_user_post_unique"
            ),
            models.CheckConstraint(
                condition=Q(item__isnull=False) | ~Q(url="") | Q(post__isnull=False),
                name="reading_entry_has_item_or_url",
            ),
            models.CheckConstraint(condition=Q(status__in=ReadingStatus.values), name="reading_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="read") | Q(read_at__isnull=False), name="reading_read_has_read_at"
            ),
        ]
        indexes = [
            # Today's reading takes the first queued entry of a learner.
            models.Index(fields=["user", "status", "position"], name="reading_user_status_pos_idx"),
        ]

    def __str__(self) -> str:
        return self.display_title()

    def display_title(self) -> str:
        """The entry's title. May cost a query to load the item."""
        if self.item_id is not None and self.item is not None:
            return self.item.display_title()
        return self.title or self.url
