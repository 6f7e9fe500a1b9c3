from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class User(AbstractUser):
    """A learner, curator or administrator. Study settings live in StudyProfile."""

    email = models.EmailField(_("email address"), blank=True)

    class Meta(AbstractUser.Meta):
        constraints = [
            # Password reset finds the account by email, so two accounts may not share one.
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                condition=~Q(email=""),
            ),
        ]


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name; use an IANA name such as Asia/Shanghai or Europe/Berlin."),
            params={"value": value},
        )


def validate_weekdays(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(d, int) and 0 <= d <= 6 for d in value):
        raise ValidationError(_("Rest weekdays must be a list of day numbers, 0 for Monday to 6 for Sunday."))
    if len(set(value)) == 7:
        raise ValidationError(_("At least one weekday must be a study day."))


# Deadline reminders go out this many days before a deadline; a learner keeps any of them.
DEADLINE_REMINDER_DAYS = (7, 1)


def default_deadline_reminder_days() -> list[int]:
    return list(DEADLINE_REMINDER_DAYS)


def validate_deadline_reminder_days(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(d, int) and d in DEADLINE_REMINDER_DAYS for d in value):
        raise ValidationError(_("Deadline reminders can be sent 7 days and 1 day before; choose any of 7 and 1."))


# A leaderboard handle: what other learners see instead of the user name, chosen and published by the learner.
validate_public_handle = RegexValidator(
    r"\A[A-Za-z0-9_-]{3,30}\Z",
    _("A handle has 3 to 30 characters: letters, digits, - and _ (no spaces)."),
    code="invalid_handle",
)


class StudyProfile(TimeStampedModel):
    """How, when and how much a learner studies. One per user, created with the account."""

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        CHINESE = "zh-hans", "简体中文"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="study_profile")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    # The source plan caps its parallel "brain processes" at 5.
    parallel_limit = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    daily_minutes = models.PositiveSmallIntegerField(
        default=120, validators=[MinValueValidator(10), MaxValueValidator(1440)]
    )
    rest_weekdays = models.JSONField(default=list, blank=True, validators=[validate_weekdays])
    reminder_hour = models.PositiveSmallIntegerField(default=7, validators=[MaxValueValidator(23)])
    reminders_enabled = models.BooleanField(default=True)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    plan_built_on = models.DateField(
        null=True, blank=True, editable=False, help_text="The learner's local date the plan was last rebuilt on."
    )
    # The nightly re-plan (tracker/services/replanning.py). The instant, in UTC, at which the learner's local
    # date moves past plan_built_on (their next local midnight); null: never planned, due now. Set with every
    # re-plan, and pushed on by a lease while the job holds the learner.
    replan_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Reminders (tracker/services/reminders.py). The next instant, in UTC, at which the learner's local
    # clock shows reminder_hour; recomputed when the profile changes and when a day's reminder is claimed.
    next_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    deadline_reminder_days = models.JSONField(
        default=default_deadline_reminder_days,
        blank=True,
        validators=[validate_deadline_reminder_days],
        help_text="Days before a deadline on which to send a reminder: any of 7 and 1.",
    )
    # The secret in the learner's private calendar URL; empty when there is no feed.
    calendar_token = models.CharField(max_length=64, blank=True, editable=False)
    # Interview practice: hide each problem's difficulty while practising, so it does not hint at the approach.
    hide_problem_difficulty = models.BooleanField(default=False)
    # Leaderboards show this handle; empty (the default): the learner shows to others as "a learner".
    public_handle = models.CharField(
        max_length=30,
        blank=True,
        validators=[validate_public_handle],
        help_text="Shown on leaderboards; empty keeps the learner anonymous there.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(parallel_limit__gte=1, parallel_limit__lte=20),
                name="profile_parallel_limit_range",
            ),
            models.CheckConstraint(
                condition=Q(daily_minutes__gte=10, daily_minutes__lte=1440),
                name="profile_daily_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(reminder_hour__gte=0, reminder_hour__lte=23), name="profile_reminder_hour_range"
            ),
            models.UniqueConstraint(
                fields=["calendar_token"], condition=~Q(calendar_token=""), name="profile_calendar_token_unique"
            ),
            # Two learners never share a handle, whatever its case ("Ada" and "ada" would read as one).
            models.UniqueConstraint(
                Lower("public_handle"),
                condition=~Q(public_handle=""),
                name="profile_public_handle_unique_ci",
                violation_error_message=_("This handle is taken: choose another."),
            ),
        ]
        indexes = [
            # The reminders dispatcher (reminders_dispatch) reads enabled profiles whose next reminder has come.
            models.Index(
                fields=["next_reminder_at"], condition=Q(reminders_enabled=True), name="profile_next_reminder_idx"
            ),
            # The nightly re-plan (replans_dispatch) reads profiles whose local day has moved past their plan's.
            models.Index(fields=["replan_due_at"], name="profile_replan_due_idx"),
        ]

    def __str__(self) -> str:
        return f"Study profile of {self.user}"


class Vacation(TimeStampedModel):
    """A range of days (inclusive) on which the learner plans no study; streaks survive it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="vacations")
    start_date = models.DateField()
    end_date = models.DateField()
    label = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="vacation_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.label or 'Vacation'} {self.start_date}–{self.end_date}"
