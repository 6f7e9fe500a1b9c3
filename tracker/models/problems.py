"""LeetCode problems for interview practice: the curated catalogue (patterns, problems, sets) and each
learner's attempts, notes and re-solve schedule.

A problem is one row however many sets list it, so solving Two Sum once counts in Blind 75, NeetCode 150
and every other set that has it. Titles, slugs, difficulty and links are facts; no problem statement is kept.
The catalogue is loaded from fixtures/interview/ by `manage.py seed` and edited by curators in the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .curriculum import slug_validator

# Minutes a problem of each difficulty should take in an interview; attempts are measured against them.
TARGET_MINUTES = {"easy": 15, "medium": 25, "hard": 40}


def _in_language(original_en: str, zh: str) -> str:
    if zh and (get_language() or "en").startswith("zh"):
        return zh
    return original_en


class ProblemDifficulty(models.TextChoices):
    EASY = "easy", _("Easy")
    MEDIUM = "medium", _("Medium")
    HARD = "hard", _("Hard")


class Pattern(TimeStampedModel):
    """A problem-solving pattern: one of NeetCode's 18 categories (primary) or a finer tag (monotonic stack)."""

    slug = models.CharField(max_length=80, unique=True, validators=[slug_validator])
    title = models.CharField(max_length=200)
    title_zh = models.CharField(max_length=200, blank=True)
    is_primary = models.BooleanField(default=False, help_text="One of the 18 primary categories.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Roadmap order among patterns of its kind.")

    class Meta:
        ordering = ["-is_primary", "position", "slug"]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The Chinese title for Chinese readers when there is one, the English one otherwise."""
        return _in_language(self.title, self.title_zh)


class Problem(TimeStampedModel):
    """One LeetCode problem, listed once whatever the number of sets that include it."""

    Difficulty = ProblemDifficulty

    slug = models.CharField(
        max_length=120, unique=True, validators=[slug_validator], help_text="The slug on leetcode.com (or .cn)."
    )
    number = models.CharField(max_length=20, blank=True, help_text='As the site shows it: "1", "LCR 120".')
    title = models.CharField(max_length=300, help_text="English title as on leetcode.com.")
    title_zh = models.CharField(max_length=300, blank=True, help_text="Chinese title as on leetcode.cn.")
    difficulty = models.CharField(max_length=10, choices=ProblemDifficulty)
    pattern = models.ForeignKey(
        Pattern,
        on_delete=models.PROTECT,
        related_name="problems",
        limit_choices_to={"is_primary": True},
        help_text="The primary pattern (one of the 18 categories).",
    )
    tags = models.ManyToManyField(Pattern, blank=True, related_name="tagged_problems", help_text="Finer patterns.")
    on_leetcode_com = models.BooleanField(default=True)
    on_leetcode_cn = models.BooleanField(default=True)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(difficulty__in=ProblemDifficulty.values), name="problem_difficulty_valid"
            ),
            models.CheckConstraint(
                condition=Q(on_leetcode_com=True) | Q(on_leetcode_cn=True), name="problem_on_some_site"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("frontend:problem", kwargs={"slug": self.slug})

    @property
    def display_title(self) -> str:
        return _in_language(self.title, self.title_zh)

    @property
    def target_minutes(self) -> int:
        return TARGET_MINUTES[self.difficulty]

    @property
    def leetcode_com_url(self) -> str:
        return f"https://leetcode.com/problems/{self.slug}/" if self.on_leetcode_com else ""

    @property
    def leetcode_cn_url(self) -> str:
        return f"https://leetcode.cn/problems/{self.slug}/" if self.on_leetcode_cn else ""


class ProblemSet(TimeStampedModel):
    """A curated, ordered list of problems (Blind 75, NeetCode 150, ...), with its real source."""

    slug = models.CharField(max_length=80, unique=True, validators=[slug_validator])
    title = models.CharField(max_length=200)
    title_zh = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    source_title = models.CharField(max_length=300, blank=True)
    source_author = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    expected_size = models.PositiveSmallIntegerField(default=0, help_text="How many problems the source lists.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order of the sets on the Problems page.")
    problems = models.ManyToManyField(Problem, through="ProblemSetEntry", related_name="sets")

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return _in_language(self.title, self.title_zh)


class ProblemSetEntry(models.Model):
    """A problem's place in a set: its position and the section (a topic, or "Week 3") it is listed under."""

    problem_set = models.ForeignKey(ProblemSet, on_delete=models.CASCADE, related_name="entries")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="set_entries")
    position = models.PositiveIntegerField()
    section = models.CharField(max_length=200, blank=True)
    section_zh = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "problem set entries"
        ordering = ["problem_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["problem_set", "problem"], name="problem_set_entry_unique"),
            models.UniqueConstraint(fields=["problem_set", "position"], name="problem_set_entry_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.problem_set_id} #{self.position}: {self.problem_id}"

    @property
    def display_section(self) -> str:
        return _in_language(self.section, self.section_zh)


class ProblemProgress(TimeStampedModel):
    """A learner's own state on one problem: notes, the revisit flag, a summary of the attempts (kept by the
    attempt services, so lists filter by status without reading every attempt) and the re-solve schedule (FSRS).

    `due` is null until the first attempt; then the problem comes back for a re-solve at `due`.
    """

    class State(models.IntegerChoices):
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    class Status(models.TextChoices):
        UNSOLVED = "unsolved", _("Unsolved")
        ATTEMPTED = "attempted", _("Attempted")
        SOLVED = "solved", _("Solved")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_progress")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="progress")
    notes = models.TextField("notes (markdown)", blank=True, max_length=20_000)
    revisit = models.BooleanField(default=False, help_text="Flagged by the learner to come back to.")
    status = models.CharField(max_length=10, choices=Status, default=Status.UNSOLVED)
    attempts_count = models.PositiveIntegerField(default=0)
    solved_alone_count = models.PositiveIntegerField(default=0)
    last_attempted_on = models.DateField(null=True, blank=True)
    # FSRS card (py-fsrs), as ReviewCard holds it for study items.
    due = models.DateTimeField(null=True, blank=True)
    state = models.PositiveSmallIntegerField(choices=State.choices, null=True, blank=True)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    last_review = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "problem progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "problem"], name="problem_progress_user_problem_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["unsolved", "attempted", "solved"]), name="problem_progress_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__isnull=True) | Q(state__in=[1, 2, 3]), name="problem_progress_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(solved_alone_count__lte=F("attempts_count")), name="problem_progress_counts_ordered"
            ),
            # Scheduled exactly when attempted: the first attempt sets both.
            models.CheckConstraint(
                condition=Q(due__isnull=True, attempts_count=0) | Q(due__isnull=False, attempts_count__gt=0),
                name="problem_progress_due_iff_attempted",
            ),
        ]
        indexes = [
            # Today, the plan and the daily e-mail read a learner's re-solves due.
            models.Index(fields=["user", "due"], condition=Q(due__isnull=False), name="problem_progress_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.problem_id} ({self.status})"


class ProblemOutcome(models.TextChoices):
    SOLVED_ALONE = "solved_alone", _("Solved alone")
    SOLVED_WITH_HINTS = "solved_with_hints", _("Solved with hints")
    READ_SOLUTION = "read_solution", _("Read the solution")
    NOT_SOLVED = "not_solved", _("Did not solve")


class ProblemRating(models.IntegerChoices):
    """FSRS's ratings, as py-fsrs numbers them."""

    AGAIN = 1, _("Again")
    HARD = 2, _("Hard")
    GOOD = 3, _("Good")
    EASY = 4, _("Easy")


class ProblemAttempt(TimeStampedModel):
    """One try at a problem: what happened, how long it took, how, and the FSRS rating it was given.

    `proposed_rating` is what the outcome, minutes and hints propose (tracker/practice/rating.py); `rating`
    is what the learner kept or chose instead, and what the schedule used.
    """

    Outcome = ProblemOutcome
    Rating = ProblemRating

    class Source(models.TextChoices):
        ENTERED = "entered", "Entered by the learner"
        IMPORTED = "imported", "Imported from a CSV file"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_attempts")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="attempts")
    date = models.DateField(help_text="The learner's local date of the attempt.")
    outcome = models.CharField(max_length=20, choices=ProblemOutcome)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    hints = models.PositiveSmallIntegerField(default=0, help_text="Hints used (with hints only).")
    language = models.CharField(max_length=30, blank=True)
    approach = models.TextField("approach (markdown)", blank=True, max_length=20_000)
    time_complexity = models.CharField(max_length=60, blank=True)
    space_complexity = models.CharField(max_length=60, blank=True)
    proposed_rating = models.PositiveSmallIntegerField(choices=ProblemRating)
    rating = models.PositiveSmallIntegerField(choices=ProblemRating)
    source = models.CharField(max_length=10, choices=Source, default=Source.ENTERED)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=ProblemOutcome.values), name="problem_attempt_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__gte=1, minutes__lte=600),
                name="problem_attempt_minutes_range",
            ),
            models.CheckConstraint(condition=Q(hints__lte=20), name="problem_attempt_hints_range"),
            models.CheckConstraint(
                condition=~Q(outcome="solved_alone") | Q(hints=0), name="problem_attempt_alone_without_hints"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=4, proposed_rating__gte=1, proposed_rating__lte=4),
                name="problem_attempt_ratings_range",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["entered", "imported"]), name="problem_attempt_source_valid"
            ),
            # Importing the same file twice adds nothing: one imported attempt per problem and day.
            models.UniqueConstraint(
                fields=["user", "problem", "date"],
                condition=Q(source="imported"),
                name="problem_attempt_imported_once",
            ),
        ]
        indexes = [
            # The problem page and the re-solve replay read a learner's attempts at one problem by date.
            models.Index(fields=["user", "problem", "date"], name="problem_attempt_user_prob_idx"),
            # Pattern mastery reads a learner's recent attempts.
            models.Index(fields=["user", "date"], name="problem_attempt_user_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.problem_id} on {self.date}: {self.outcome}"

    @property
    def is_solved(self) -> bool:
        return self.outcome in SOLVED_OUTCOMES


SOLVED_OUTCOMES = (ProblemOutcome.SOLVED_ALONE, ProblemOutcome.SOLVED_WITH_HINTS)
