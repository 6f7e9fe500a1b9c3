from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .curriculum import Item, Track


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    FINISHED = "finished", _("Finished")
    DROPPED = "dropped", _("Dropped")


class PaceUnit(models.TextChoices):
    MINUTES = "minutes", "Minutes a day"
    ITEMS = "items", "Items a day"


class Enrollment(TimeStampedModel):
    """A learner studying a track: its priority decides which tracks take the parallel slots."""

    Status = EnrollmentStatus

    PaceUnit = PaceUnit

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="enrollments")
    priority = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="1 is the most important."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    pace_unit = models.CharField(max_length=10, choices=PaceUnit, default=PaceUnit.MINUTES)
    pace_per_day = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
        help_text="Minutes or items a day, by the pace unit.",
    )
    start_date = models.DateField()
    target_date = models.DateField(null=True, blank=True)
    projected_finish_date = models.DateField(
        null=True, blank=True, editable=False, help_text="When the last plan says the track will be finished."
    )

    class Meta:
        ordering = ["user", "priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "track"], name="enrollment_user_track_unique"),
            models.CheckConstraint(condition=Q(pace_per_day__gte=1), name="enrollment_pace_positive"),
            models.CheckConstraint(condition=Q(priority__gte=1), name="enrollment_priority_positive"),
            models.CheckConstraint(condition=Q(status__in=EnrollmentStatus.values), name="enrollment_status_valid"),
            models.CheckConstraint(
                condition=Q(target_date__isnull=True) | Q(target_date__gte=F("start_date")),
                name="enrollment_target_after_start",
                violation_error_message="The target date must not be before the start date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.track}"


class ProgressStatus(models.TextChoices):
    TODO = "todo", _("To do")
    DOING = "doing", _("Doing")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    REVIEW = "review", _("In review")


# Done or in review: the learner has studied the item. Track progress, the heatmap, streaks, reminders,
# reviews and the markdown plan count these, and each knows when it was done.
COMPLETED_STATUSES = (ProgressStatus.DONE, ProgressStatus.REVIEW)
# Completed or skipped: the planner schedules these items no more, and they are not overdue.
CLOSED_STATUSES = (*COMPLETED_STATUSES, ProgressStatus.SKIPPED)


class Progress(TimeStampedModel):
    """Where a learner stands on one item. Private to the learner: curators never see it."""

    Status = ProgressStatus
    COMPLETED_STATUSES = COMPLETED_STATUSES
    CLOSED_STATUSES = CLOSED_STATUSES

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TODO)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="Markdown.")
    time_spent_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="progress_user_item_unique"),
            models.CheckConstraint(condition=Q(status__in=ProgressStatus.values), name="progress_status_valid"),
            # A finished item knows when it was finished; the heatmap and streaks count on it.
            models.CheckConstraint(
                condition=~Q(status__in=list(COMPLETED_STATUSES)) | Q(done_at__isnull=False),
                name="progress_done_has_done_at",
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(started_at__isnull=True) | Q(done_at__gte=F("started_at")),
                name="progress_done_after_start",
            ),
        ]
        indexes = [
            # Streaks and the heatmap read a learner's finished items by day.
            models.Index(fields=["user", "done_at"], name="progress_user_done_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.item}: {self.get_status_display()}"

    @property
    def is_completed(self) -> bool:
        """Done or in review (`COMPLETED_STATUSES`)."""
        return self.status in COMPLETED_STATUSES
