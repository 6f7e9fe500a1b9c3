from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel

slug_validator = RegexValidator(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "Use lowercase letters, digits and single dashes.")
item_key_validator = RegexValidator(r"^[A-Za-z0-9._-]+$", "Use letters, digits, '.', '_' and '-'.")


class Tag(models.Model):
    """A label on tracks and items (cuda, tensorrt, quantisation...) used for search and filters."""

    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class BilingualTitleMixin(models.Model):
    """Curriculum keeps its original title (often Chinese) and an English one."""

    title = models.CharField(max_length=300)
    title_en = models.CharField("English title", max_length=300)

    class Meta:
        abstract = True

    def display_title(self) -> str:
        """The title in the active language: the original for Chinese readers, English otherwise."""
        if (get_language() or "en").startswith("zh"):
            return self.title
        return self.title_en or self.title


class TrackKind(models.TextChoices):
    ROADMAP = "roadmap", _("Roadmap")
    COURSE = "course", _("Course")
    BOOK = "book", _("Book")
    PROBLEM_SET = "problem_set", _("Problem set")
    READING_LIST = "reading_list", _("Reading list")
    PROJECT = "project", _("Project")


class Track(BilingualTitleMixin, TimeStampedModel):
    """An ordered sequence of items to study: curated (owner is null) or a learner's own."""

    Kind = TrackKind

    slug = models.CharField(max_length=80, validators=[slug_validator])
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_tracks",
        help_text="Empty for curated tracks; the learner for a track they made or imported.",
    )
    is_published = models.BooleanField("published", default=True)
    notes = models.TextField(
        blank=True, help_text="Markdown kept with the track, e.g. lines of an imported plan that are not items."
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tracks")

    class Meta:
        ordering = ["title_en"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], condition=Q(owner__isnull=True), name="track_curated_slug_unique"),
            models.UniqueConstraint(fields=["owner", "slug"], name="track_owner_slug_unique"),
            models.CheckConstraint(condition=Q(kind__in=TrackKind.values), name="track_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.title_en or self.title

    def get_absolute_url(self) -> str:
        return reverse("frontend:track", kwargs={"pk": self.pk})

    @property
    def is_curated(self) -> bool:
        return self.owner_id is None


class ItemKind(models.TextChoices):
    TOPIC = "topic", _("Topic")
    LECTURE = "lecture", _("Lecture")
    LAB = "lab", _("Lab")
    CHAPTER = "chapter", _("Chapter")
    SECTION = "section", _("Section")
    PROBLEM = "problem", _("Problem")
    ARTICLE = "article", _("Article")
    RESOURCE = "resource", _("Resource")
    EXERCISE = "exercise", _("Exercise")
    MILESTONE = "milestone", _("Milestone")


class ItemDifficulty(models.TextChoices):
    EASY = "easy", _("Easy")
    MEDIUM = "medium", _("Medium")
    HARD = "hard", _("Hard")


class Item(BilingualTitleMixin, TimeStampedModel):
    """One thing to study in a track. Items form a tree (a chapter and its sections); `position` is the
    study order over the whole track, depth first, so the planner reads a track as one sequence."""

    Kind = ItemKind

    Difficulty = ItemDifficulty

    # Items that are read or watched: only these go into the reading queue.
    READABLE_KINDS = frozenset({Kind.CHAPTER, Kind.SECTION, Kind.LECTURE, Kind.ARTICLE, Kind.RESOURCE})

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    key = models.CharField(
        max_length=80, validators=[item_key_validator], help_text="Stable identifier within the track."
    )
    position = models.PositiveIntegerField(default=0, help_text="Study order within the track.")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    url = models.URLField(max_length=500, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(default=30, validators=[MaxValueValidator(1440)])
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices, blank=True)
    external_id = models.CharField(max_length=40, blank=True, help_text="For problems: the LeetCode number.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="items")

    class Meta:
        ordering = ["track", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["track", "key"], name="item_track_key_unique"),
            models.CheckConstraint(condition=Q(kind__in=ItemKind.values), name="item_kind_valid"),
            models.CheckConstraint(condition=Q(estimated_minutes__lte=1440), name="item_minutes_at_most_a_day"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="item_not_its_own_parent"),
            models.CheckConstraint(
                condition=Q(difficulty="") | Q(kind="problem"), name="item_difficulty_only_for_problems"
            ),
        ]
        indexes = [
            # The planner and the track page read a track's items in study order.
            models.Index(fields=["track", "position"], name="item_track_position_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title_en or self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keeps `depth` in step with the parent. May cost a query to load the parent."""
        self.depth = 0 if self.parent is None else self.parent.depth + 1
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.parent is not None and self.parent.track_id != self.track_id:
            raise ValidationError({"parent": "The parent must be an item of the same track."})
