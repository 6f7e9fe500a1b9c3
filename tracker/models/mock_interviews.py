"""Mock interviews: a timed session of problems and concept questions, scored on the four lines of the
common coding-interview rubric (communication, problem solving, technical competency, testing).

The clock is the server's: `started_at` and `ends_at` are stored, so a reload, a second device or the API
all see the same time left, and a session past its end is closed (on read, and by the periodic job).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .problems import Problem, ProblemAttempt, ProblemOutcome
from .questions import CareerDirection, Question, QuestionDifficulty

RUBRIC_LINES = ("communication", "problem_solving", "technical_competency", "testing")


class MockFormat(models.TextChoices):
    CODING = "coding", _("Coding")
    CONCEPTS = "concepts", _("Concepts")
    MIXED = "mixed", _("Mixed")


class MockStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    ENDED = "ended", _("Ended, to score")
    SCORED = "scored", _("Scored")


class MockEndReason(models.TextChoices):
    FINISHED = "finished", _("Finished")
    TIME_UP = "time_up", _("Time was up")


class MockSession(TimeStampedModel):
    """One mock interview of a learner. At most one runs at a time (a constraint)."""

    Format = MockFormat
    Status = MockStatus
    EndReason = MockEndReason

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mock_sessions")
    format = models.CharField(max_length=10, choices=MockFormat)
    level = models.CharField(max_length=10, choices=QuestionDifficulty.choices, default=QuestionDifficulty.MEDIUM)
    direction = models.CharField(max_length=30, choices=CareerDirection.choices)
    status = models.CharField(max_length=10, choices=MockStatus, default=MockStatus.RUNNING)
    started_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=MockEndReason, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="Markdown.")

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(status="running"), name="mock_session_one_running"),
            models.CheckConstraint(condition=Q(format__in=MockFormat.values), name="mock_session_format_valid"),
            models.CheckConstraint(condition=Q(status__in=MockStatus.values), name="mock_session_status_valid"),
            models.CheckConstraint(condition=Q(level__in=QuestionDifficulty.values), name="mock_session_level_valid"),
            models.CheckConstraint(
                condition=Q(direction__in=CareerDirection.values), name="mock_session_direction_valid"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("started_at")), name="mock_session_ends_after_start"),
            # Running means not ended; an ended or scored session knows when and why it ended.
            models.CheckConstraint(
                condition=(Q(status="running", ended_at__isnull=True, end_reason=""))
                | (~Q(status="running") & Q(ended_at__isnull=False) & ~Q(end_reason="")),
                name="mock_session_end_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(status="scored", scored_at__isnull=False)
                | (~Q(status="scored") & Q(scored_at__isnull=True)),
                name="mock_session_scored_has_time",
            ),
        ]
        indexes = [
            # The periodic "Close expired mock interviews" job claims running sessions past their end.
            models.Index(fields=["status", "ends_at"], name="mock_session_status_ends_idx"),
            # History reads a learner's sessions newest first.
            models.Index(fields=["user", "-started_at"], name="mock_session_user_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.format} mock {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.started_at

    def seconds_left(self, now: dt.datetime) -> int:
        """Whole seconds until the end (0 once it has passed or the session ended)."""
        if self.status != MockStatus.RUNNING:
            return 0
        return max(0, int((self.ends_at - now).total_seconds()))


class MockPartKind(models.TextChoices):
    PROBLEM = "problem", _("Problem")
    QUESTION = "question", _("Question")


def _score_field(verbose: str) -> models.PositiveSmallIntegerField[int | None, int | None]:
    return models.PositiveSmallIntegerField(verbose, null=True, blank=True, help_text="1 (weak) to 4 (strong).")


class MockPart(models.Model):
    """One problem or question of a session, with the learner's rubric scores once scored."""

    Kind = MockPartKind

    session = models.ForeignKey(MockSession, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=MockPartKind)
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE, related_name="mock_parts")
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.CASCADE, related_name="mock_parts")
    attempt = models.OneToOneField(
        ProblemAttempt,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mock_part",
        help_text="The attempt this problem's score became.",
    )
    communication = _score_field("communication")
    problem_solving = _score_field("problem solving")
    technical_competency = _score_field("technical competency")
    testing = _score_field("testing")
    outcome = models.CharField(
        max_length=20,
        blank=True,
        choices=ProblemOutcome.choices,
        help_text="For a problem: how it went, as an attempt.",
    )
    notes = models.TextField(blank=True, help_text="Markdown.")

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="mock_part_session_position_unique"),
            models.CheckConstraint(condition=Q(kind__in=MockPartKind.values), name="mock_part_kind_valid"),
            # A part is one question or one problem, as its kind says.
            models.CheckConstraint(
                condition=Q(kind="question", question__isnull=False, problem__isnull=True)
                | Q(kind="problem", problem__isnull=False, question__isnull=True),
                name="mock_part_one_subject",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{line}__isnull": True}) | Q(**{f"{line}__gte": 1, f"{line}__lte": 4}),
                    name=f"mock_part_{line}_range",
                )
                for line in RUBRIC_LINES
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} #{self.position} ({self.kind})"

    @property
    def scores(self) -> dict[str, int | None]:
        return {line: getattr(self, line) for line in RUBRIC_LINES}

    @property
    def is_scored(self) -> bool:
        return all(value is not None for value in self.scores.values())
