"""Concept questions for interview prep, and their spaced review as flashcards (FSRS).

A question is curated (no owner; loaded from fixtures/interview/questions/ by `manage.py seed`, edited by
curators in the admin) or a learner's own (owner set): an own question is visible to its owner only, and
`Question.objects.visible_to(user)` is the one place that rule lives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .curriculum import slug_validator

if TYPE_CHECKING:
    from .users import User


class CareerDirection(models.TextChoices):
    """The four career directions of the roadmap; each has a curated track `career-<slug>`."""

    ALGORITHMS = "algorithms", _("Algorithms")
    COMPRESSION = "compression", _("Model compression")
    DEPLOYMENT_SDK = "deployment-sdk", _("Deployment SDK")
    OPERATOR_OPTIMISATION = "operator-optimisation", _("Operator optimisation")

    @classmethod
    def track_slug(cls, direction: str) -> str:
        return f"career-{direction}"


class QuestionTopic(models.TextChoices):
    CPP = "cpp", "C++"
    CUDA = "cuda", "CUDA"
    INFERENCE_DEPLOYMENT = "inference-deployment", _("Inference and deployment")
    QUANTISATION_COMPRESSION = "quantisation-compression", _("Quantisation and compression")
    ARCHITECTURE_OS = "architecture-os", _("Computer architecture and OS")
    ML_FUNDAMENTALS = "ml-fundamentals", _("Machine-learning fundamentals")
    OTHER = "other", _("Other")


class QuestionDifficulty(models.TextChoices):
    EASY = "easy", _("Easy")
    MEDIUM = "medium", _("Medium")
    HARD = "hard", _("Hard")


class QuestionQuerySet(models.QuerySet["Question"]):
    def visible_to(self, user: User) -> QuestionQuerySet:
        """Curated questions and the learner's own; never another learner's."""
        return self.filter(Q(owner__isnull=True) | Q(owner=user))

    def for_direction(self, direction: str) -> QuestionQuerySet:
        # Direction slugs are never substrings of one another, so `contains` on the joined list is exact.
        return self.filter(directions__contains=direction)


class Question(TimeStampedModel):
    """A concept question with its short answer (markdown key points) and the sources that back it."""

    Topic = QuestionTopic
    Difficulty = QuestionDifficulty

    slug = models.CharField(
        max_length=120, blank=True, validators=[slug_validator], help_text="Unique among curated questions."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_questions",
        help_text="Empty for curated questions; the learner for a question they added (private to them).",
    )
    topic = models.CharField(max_length=30, choices=QuestionTopic)
    difficulty = models.CharField(max_length=10, choices=QuestionDifficulty, default=QuestionDifficulty.MEDIUM)
    directions = models.CharField(
        max_length=100,
        help_text="Career directions, comma-separated slugs: algorithms, compression, deployment-sdk, "
        "operator-optimisation.",
    )
    question = models.TextField()
    question_zh = models.TextField("question (Chinese)", blank=True)
    answer = models.TextField(help_text="Markdown key points.")
    sources = models.JSONField(default=list, blank=True, help_text="A list of {title, author, url}.")
    checked_on = models.DateField(null=True, blank=True, help_text="When the answer and links were last checked.")
    is_published = models.BooleanField("published", default=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "difficulty", "slug", "id"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], condition=Q(owner__isnull=True), name="question_curated_slug"),
            models.CheckConstraint(condition=Q(owner__isnull=False) | ~Q(slug=""), name="question_curated_has_slug"),
            models.CheckConstraint(condition=Q(topic__in=QuestionTopic.values), name="question_topic_valid"),
            models.CheckConstraint(
                condition=Q(difficulty__in=QuestionDifficulty.values), name="question_difficulty_valid"
            ),
            models.CheckConstraint(condition=~Q(directions=""), name="question_has_direction"),
        ]
        indexes = [
            # The list page filters curated and own questions by topic.
            models.Index(fields=["owner", "topic"], name="question_owner_topic_idx"),
        ]

    def __str__(self) -> str:
        return self.slug or f"own question {self.pk}"

    @property
    def direction_list(self) -> list[str]:
        return [d for d in self.directions.split(",") if d]

    def direction_labels(self) -> list[str]:
        return [str(CareerDirection(d).label) for d in self.direction_list if d in CareerDirection.values]

    @property
    def display_title(self) -> str:
        """The question in the active language (what Today's practice block and the e-mail show)."""
        return self.display_question()

    def get_absolute_url(self) -> str:
        return reverse("frontend:question", kwargs={"pk": self.pk})

    def display_question(self) -> str:
        if (get_language() or "en").startswith("zh") and self.question_zh:
            return self.question_zh
        return self.question

    @property
    def source_list(self) -> list[dict[str, Any]]:
        return [s for s in self.sources if isinstance(s, dict)] if isinstance(self.sources, list) else []


class QuestionCard(TimeStampedModel):
    """The spaced-review state (FSRS) of a question a learner has rated at least once."""

    class State(models.IntegerChoices):
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_cards")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="cards")
    due = models.DateTimeField()
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="question_card_user_question_unique"),
            models.CheckConstraint(condition=Q(state__in=[1, 2, 3]), name="question_card_state_valid"),
        ]
        indexes = [
            # Today, the review session and mock interviews read the questions due for a learner.
            models.Index(fields=["user", "due"], name="question_card_user_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · question {self.question_id} due {self.due:%Y-%m-%d}"


class QuestionReview(models.Model):
    """One rating of a question (again, hard, good, easy), from a review session or a mock interview."""

    class Rating(models.IntegerChoices):
        AGAIN = 1, _("Again")
        HARD = 2, _("Hard")
        GOOD = 3, _("Good")
        EASY = 4, _("Easy")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_reviews")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField()
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=4), name="question_review_rating_range"),
        ]
        indexes = [
            # History and the data export read a learner's reviews by time.
            models.Index(fields=["user", "reviewed_at"], name="question_review_user_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} rated question {self.question_id} {self.rating}"
