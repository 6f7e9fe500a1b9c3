from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .curriculum import Item
from .learning import Enrollment


class PlanEntryKind(models.TextChoices):
    NEW = "new", "New item"
    REVIEW = "review", "Review"


class PlanEntryStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    MISSED = "missed", _("Missed")


class PlanEntryOrigin(models.TextChoices):
    PLANNER = "planner", "Made by the planner"
    PINNED = "pinned", "Pinned by the learner"


class PlanEntry(TimeStampedModel):
    """One item on one day of a learner's plan.

    Days before today are history: what was planned and what became of it (done, skipped, missed).
    Re-planning replaces only the planner's entries from today on; entries the learner pinned to a
    date (imported from their markdown plan, say) stay where they are.
    """

    Kind = PlanEntryKind
    Status = PlanEntryStatus
    Origin = PlanEntryOrigin

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_entries")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="plan_entries")
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_entries"
    )
    date = models.DateField(help_text="The learner's local date.")
    end_date = models.DateField(null=True, blank=True, help_text="Last day, for an entry spanning several days.")
    kind = models.CharField(max_length=10, choices=PlanEntryKind, default=PlanEntryKind.NEW)
    status = models.CharField(max_length=10, choices=PlanEntryStatus, default=PlanEntryStatus.PLANNED)
    origin = models.CharField(max_length=10, choices=PlanEntryOrigin, default=PlanEntryOrigin.PLANNER)
    minutes = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within the day.")

    class Meta:
        verbose_name_plural = "plan entries"
        ordering = ["user", "date", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "item", "date", "kind"], name="plan_entry_user_item_day_unique"),
            models.CheckConstraint(condition=Q(kind__in=PlanEntryKind.values), name="plan_entry_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=PlanEntryStatus.values), name="plan_entry_status_valid"),
            models.CheckConstraint(condition=Q(origin__in=PlanEntryOrigin.values), name="plan_entry_origin_valid"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")), name="plan_entry_end_after_start"
            ),
        ]
        indexes = [
            # Today, the week view and re-planning read a learner's entries by date.
            models.Index(fields=["user", "date"], name="plan_entry_user_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.date}: item {self.item_id} ({self.get_status_display()})"


class ReviewCard(TimeStampedModel):
    """The spaced-review state (FSRS) of an item a learner has done and rated."""

    class State(models.IntegerChoices):
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="review_cards")
    due = models.DateTimeField()
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="review_card_user_item_unique"),
            models.CheckConstraint(condition=Q(state__in=[1, 2, 3]), name="review_card_state_valid"),
        ]
        indexes = [
            # Today and the planner read the cards due for a learner.
            models.Index(fields=["user", "due"], name="review_card_user_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · item {self.item_id} due {self.due:%Y-%m-%d}"


class ReviewLog(models.Model):
    """One rating of a review, kept for history and for the streak."""

    class Rating(models.IntegerChoices):
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_logs")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="review_logs")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField()
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=4), name="review_log_rating_range"),
        ]
        indexes = [
            # Streaks and the heatmap read a learner's reviews by time.
            models.Index(fields=["user", "reviewed_at"], name="review_log_user_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} rated item {self.item_id} {self.get_rating_display()}"
