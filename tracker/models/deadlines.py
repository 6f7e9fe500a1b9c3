from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .curriculum import Track, slug_validator
from .users import validate_time_zone


class DeadlineKind(models.TextChoices):
    CONFERENCE = "conference", _("Conference")
    COURSE = "course", _("Course")
    EXAM = "exam", _("Exam")
    PERSONAL = "personal", _("Personal")


class Deadline(TimeStampedModel):
    """A due time: public and curated (a conference submission) or a learner's own."""

    Kind = DeadlineKind

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadlines",
        help_text="Empty for public deadlines.",
    )
    key = models.CharField(
        max_length=80, blank=True, validators=[slug_validator], help_text="Natural key of curated deadlines."
    )
    title = models.CharField(max_length=300)
    title_en = models.CharField("English title", max_length=300, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERSONAL)
    due_at = models.DateTimeField(help_text="Stored in UTC.")
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="The zone the deadline is set in.",
    )
    url = models.URLField(max_length=500, blank=True)
    track = models.ForeignKey(Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="deadlines")

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(owner__isnull=True) & ~Q(key=""),
                name="deadline_public_key_unique",
            ),
            models.CheckConstraint(condition=Q(kind__in=DeadlineKind.values), name="deadline_kind_valid"),
        ]
        indexes = [
            # Today and the reminder email read upcoming deadlines by due time.
            models.Index(fields=["owner", "due_at"], name="deadline_owner_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title_en or self.title} ({self.due_at:%Y-%m-%d})"

    @property
    def is_public(self) -> bool:
        return self.owner_id is None

    def local_due(self) -> datetime:
        """The due time on the wall clock of the deadline's own zone."""
        return self.due_at.astimezone(ZoneInfo(self.time_zone))
