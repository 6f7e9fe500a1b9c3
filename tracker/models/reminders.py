from django.conf import settings
from django.db import models
from django.db.models import Q

from .base import TimeStampedModel
from .deadlines import Deadline


class ReminderKind(models.TextChoices):
    DAILY = "daily", "Daily reminder"
    DEADLINE_7D = "deadline_7d", "Deadline in 7 days"
    DEADLINE_1D = "deadline_1d", "Deadline in 1 day"


# The deadline reminder sent N days before a deadline.
DEADLINE_KIND_FOR_DAYS = {7: ReminderKind.DEADLINE_7D, 1: ReminderKind.DEADLINE_1D}


class ReminderStatus(models.TextChoices):
    CLAIMED = "claimed", "Claimed, not sent yet"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not sent (unsubscribed, no address, or refused)"


class ReminderDelivery(TimeStampedModel):
    """One reminder for one learner: the daily email of a local date, or a deadline reminder.

    The row is the claim: it is inserted before anything is sent, and the unique constraints stop a second
    one, whoever tries (two beats, two workers, a retried task). `claim_token` names the claimant of the
    moment (a dispatcher tick, then the worker that sends); every hand-over is a guarded update on it, so
    two copies of one task cannot both send. A claim left unsent past REMINDERS_CLAIM_STALE_AFTER is
    claimed again by the next tick; a sent one never again.
    """

    Kind = ReminderKind
    Status = ReminderStatus

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_deliveries")
    kind = models.CharField(max_length=12, choices=ReminderKind)
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    local_date = models.DateField(help_text="The learner's local date the reminder is for.")
    status = models.CharField(max_length=8, choices=ReminderStatus, default=ReminderStatus.CLAIMED)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="Why a reminder was skipped.")

    class Meta:
        verbose_name_plural = "reminder deliveries"
        ordering = ["-local_date", "user", "kind"]
        constraints = [
            # One daily email per learner and local date; one reminder of each kind per learner and deadline.
            # (Two conditional constraints, as NULLs are distinct in a plain unique constraint.)
            models.UniqueConstraint(
                fields=["user", "local_date", "kind"],
                condition=Q(deadline__isnull=True),
                name="reminder_daily_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "deadline", "kind"],
                condition=Q(deadline__isnull=False),
                name="reminder_deadline_unique",
            ),
            models.CheckConstraint(
                condition=(Q(kind=ReminderKind.DAILY) & Q(deadline__isnull=True))
                | (Q(kind__in=[ReminderKind.DEADLINE_7D, ReminderKind.DEADLINE_1D]) & Q(deadline__isnull=False)),
                name="reminder_kind_matches_deadline",
            ),
            models.CheckConstraint(condition=Q(status__in=ReminderStatus.values), name="reminder_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ReminderStatus.SENT) | Q(sent_at__isnull=False), name="reminder_sent_has_time"
            ),
        ]
        indexes = [
            # The dispatcher re-claims claims left unsent (reminders_dispatch, stale claims).
            models.Index(fields=["status", "claimed_at"], name="reminder_status_claimed_idx"),
            # The dispatcher and the send task load the rows of one claim by its token.
            models.Index(fields=["claim_token"], name="reminder_claim_token_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for user {self.user_id} on {self.local_date} ({self.get_status_display()})"
