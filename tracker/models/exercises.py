"""Programming exercises (loaded from the grader's bundles) and learners' graded submissions.

An Exercise row holds only what a learner may see (the bundle's public view: statement, starter,
signature, limits, case counts). The reference solution and the hidden expected outputs stay in the
bundle: a folder on disk for the curated fixtures, or, for a bundle a curator uploaded or edited in the
admin, the `ExerciseVersion.archive` that only the grading worker unpacks. No learner-facing read selects
that column (`ExerciseVersion.objects` defers it).

Each published change of a bundle is an `ExerciseVersion` named by its content's SHA-256; a submission
records the version it was graded against. An `ExerciseDraft` is an upload or an edit on its way: it is
validated and its reference run in the sandbox by a worker, and only a draft that passes becomes a version.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .base import TimeStampedModel
from .curriculum import Item, Tag, Track, slug_validator
from .timing import DeviceKind, validate_timing

VERDICTS = ("AC", "WA", "TLE", "MLE", "OLE", "RE", "CE", "IE")


class ExerciseDifficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


class Verdict(models.TextChoices):
    """The grader's verdicts (grader.results.Verdict), as stored."""

    AC = "AC", "Accepted"
    WA = "WA", "Wrong answer"
    TLE = "TLE", "Time limit exceeded"
    MLE = "MLE", "Memory limit exceeded"
    OLE = "OLE", "Output limit exceeded"
    RE = "RE", "Runtime error"
    CE = "CE", "Compile error"
    IE = "IE", "Internal error"


class Exercise(TimeStampedModel):
    """A coding exercise: the public part of a grader bundle (fixtures/exercises/<slug>/), kept in step by
    `manage.py seed`. The bundle itself is read when grading."""

    Difficulty = ExerciseDifficulty

    slug = models.CharField(max_length=80, unique=True, validators=[slug_validator])
    title = models.CharField(max_length=300)
    track = models.ForeignKey(Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="exercises")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="exercises")
    difficulty = models.CharField(max_length=10, choices=ExerciseDifficulty)
    tags = models.ManyToManyField(Tag, blank=True, related_name="exercises")
    statement_md = models.TextField("statement (markdown)")
    starter = models.TextField("starter code")
    entry_point = models.CharField(max_length=100)
    signature = models.CharField(max_length=500)
    time_limit_s = models.FloatField("CPU time limit per case (s)")
    memory_limit_mb = models.PositiveIntegerField()
    visible_cases = models.PositiveSmallIntegerField(default=0)
    hidden_cases = models.PositiveSmallIntegerField(default=0)
    max_score = models.FloatField(default=0)
    is_published = models.BooleanField(
        "published", default=True, help_text="Cleared by seed when the bundle folder is gone."
    )
    toolchains = models.JSONField(
        default=list, blank=True, help_text="What the bundle needs installed on the grading machine (exercise.toml)."
    )
    timed = models.BooleanField(
        default=False, help_text="The bundle has [timing]: graded for speed too, with a leaderboard of speed-ups."
    )
    current_version = models.ForeignKey(
        "ExerciseVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["difficulty", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(difficulty__in=ExerciseDifficulty.values), name="exercise_difficulty_valid"
            ),
            models.CheckConstraint(condition=Q(time_limit_s__gt=0), name="exercise_time_limit_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("frontend:exercise", kwargs={"slug": self.slug})

    @property
    def bundle_path(self) -> Path:
        return Path(settings.EXERCISES_DIR) / self.slug


class ExerciseVersionSource(models.TextChoices):
    FIXTURES = "fixtures", "Curated bundle folder"
    UPLOAD = "upload", "Uploaded in the admin"
    EDIT = "edit", "Edited in the admin"


class ExerciseVersionManager(models.Manager["ExerciseVersion"]):
    def get_queryset(self) -> models.QuerySet[ExerciseVersion]:
        # The archive holds the reference and hidden outputs: loaded only when asked for by name.
        return super().get_queryset().defer("archive")


class ExerciseVersion(TimeStampedModel):
    """One published content of an exercise's bundle. `content_hash` is the SHA-256 of its files (paths and
    bytes, expected outputs included: `grader.intake.bundle_digest`); `archive` is the bundle as a zip for
    uploaded and edited versions (the curated ones live in fixtures/exercises/)."""

    Source = ExerciseVersionSource

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    source = models.CharField(max_length=10, choices=ExerciseVersionSource, default=ExerciseVersionSource.FIXTURES)
    archive = models.BinaryField(blank=True, default=b"", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ExerciseVersionManager()

    class Meta:
        ordering = ["exercise", "-number"]
        # Related access (submission.version, exercise.current_version) goes through it too: no archive.
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["exercise", "number"], name="exercise_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="exercise_version_number_positive"),
            models.CheckConstraint(
                condition=Q(source__in=ExerciseVersionSource.values), name="exercise_version_source_valid"
            ),
            # An uploaded or edited version carries its bundle; a curated one is the folder on disk.
            models.CheckConstraint(
                condition=Q(source=ExerciseVersionSource.FIXTURES) | ~Q(archive=b""),
                name="exercise_version_archive_present",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id} v{self.number} ({self.short_hash})"

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


class ExerciseDraftStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    VALIDATING = "validating", "Being validated"
    PUBLISHED = "published", "Published"
    REFUSED = "refused", "Refused"


class ExerciseDraft(TimeStampedModel):
    """An uploaded zip or an edit of an exercise's parts, on its way to becoming a version. Learners never
    see a draft: the Exercise row and its version change only when the worker's validation passed.

    queued → validating (a worker's claim; `started_at` is its token) → published or refused. `report` has
    one entry per case (`case`, `visible`, `ok`, `message`, `time_ms`); `message` says why it was refused,
    or which version it became."""

    Status = ExerciseDraftStatus
    Source = ExerciseVersionSource

    source = models.CharField(max_length=10, choices=ExerciseVersionSource, default=ExerciseVersionSource.UPLOAD)
    archive = models.BinaryField(editable=False)
    archive_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=ExerciseDraftStatus, default=ExerciseDraftStatus.QUEUED)
    slug = models.CharField(max_length=80, blank=True)
    exercise = models.ForeignKey(Exercise, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts")
    version = models.ForeignKey(
        ExerciseVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="drafts"
    )
    report = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    sandboxed = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("publish_custom_checker", "Can publish bundles with a custom checker (it runs in the grading worker)")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ExerciseDraftStatus.values), name="exercise_draft_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=[ExerciseVersionSource.UPLOAD, ExerciseVersionSource.EDIT]),
                name="exercise_draft_source_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=ExerciseDraftStatus.PUBLISHED) | Q(version__isnull=False),
                name="exercise_draft_published_has_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug or self.archive_name or 'draft'} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExerciseDraftStatus.PUBLISHED, ExerciseDraftStatus.REFUSED)


class SubmissionKind(models.TextChoices):
    RUN = "run", "Run the examples"
    SUBMIT = "submit", "Submit"


class SubmissionStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    ERROR = "error", "Grader error"


class SubmissionReview(models.TextChoices):
    """A curator's review of a speed-up too good to publish unseen (timing.held_for_review)."""

    NONE = "", "Not held"
    PENDING = "pending", "Held for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# A submission in one of these review states may be ranked on a leaderboard.
RANKABLE_REVIEWS = (SubmissionReview.NONE, SubmissionReview.APPROVED)


class Submission(TimeStampedModel):
    """A learner's code for an exercise, graded by a worker in the sandbox.

    State changes are guarded updates (`filter(pk=..., status=old).update(status=new)`): queued → running
    (the worker's claim, `started_at` is its token) → done, or error when the grader itself kept failing.
    A re-grade puts a finished submission back to queued.

    A graded submission records where it ran (`device_kind`, `device_name`) and, for a timed exercise, its
    `timing` (tracker/models/timing.py) with the speed-up a leaderboard ranks (`speedup`, denormalised).
    A speed-up the grader holds for review waits (`review` pending) until a curator approves or rejects it.
    """

    Kind = SubmissionKind
    Status = SubmissionStatus
    Verdict = Verdict
    Review = SubmissionReview
    DeviceKind = DeviceKind

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="submissions")
    code = models.TextField()
    kind = models.CharField(max_length=10, choices=SubmissionKind, default=SubmissionKind.SUBMIT)
    status = models.CharField(max_length=10, choices=SubmissionStatus, default=SubmissionStatus.QUEUED)
    verdict = models.CharField(max_length=3, choices=Verdict, blank=True)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(default=0)
    message = models.TextField(blank=True, help_text="A compile error, or why grading failed.")
    time_ms = models.FloatField("total CPU time (ms)", null=True, blank=True)
    memory_kb = models.PositiveIntegerField("peak memory (KB)", null=True, blank=True)
    sandboxed = models.BooleanField(default=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker claimed it.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    version = models.ForeignKey(
        ExerciseVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        help_text="The bundle version it was graded against (set when graded).",
    )
    regrade_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="regrades",
        help_text="The submission whose code this re-grades on a newer version (that one keeps its result).",
    )
    device_kind = models.CharField(
        max_length=16, choices=DeviceKind, blank=True, help_text="Where it ran; empty until graded."
    )
    device_name = models.CharField(max_length=200, blank=True)
    timing = models.JSONField(
        null=True, blank=True, validators=[validate_timing], help_text="The timed grading's figures (timed exercises)."
    )
    speedup = models.FloatField(
        null=True,
        blank=True,
        help_text="The speed-up (median per-round ratio, baseline / submission) of a measured timing.",
    )
    review = models.CharField(max_length=10, choices=SubmissionReview, blank=True, default=SubmissionReview.NONE)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("regrade_submission", "Can re-grade submissions"),
            ("review_submission", "Can approve or reject speed-ups held for review"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SubmissionKind.values), name="submission_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=SubmissionStatus.values), name="submission_status_valid"),
            models.CheckConstraint(condition=Q(verdict="") | Q(verdict__in=VERDICTS), name="submission_verdict_valid"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0), name="submission_score_positive"),
            models.CheckConstraint(
                condition=Q(device_kind="") | Q(device_kind__in=DeviceKind.values), name="submission_device_kind_valid"
            ),
            models.CheckConstraint(condition=Q(review__in=SubmissionReview.values), name="submission_review_valid"),
            # A speed-up comes only from a timing, and is a ratio of two positive times.
            models.CheckConstraint(
                condition=Q(speedup__isnull=True) | Q(speedup__gt=0, timing__isnull=False),
                name="submission_speedup_from_timing",
            ),
            # Only a timed result can be held for review.
            models.CheckConstraint(
                condition=Q(review=SubmissionReview.NONE) | Q(timing__isnull=False),
                name="submission_review_needs_timing",
            ),
        ]
        indexes = [
            # The leaderboards (tracker/selectors/leaderboards.py) read an exercise's ranked speed-ups.
            models.Index(
                fields=["exercise", "speedup"],
                condition=Q(speedup__isnull=False, verdict="AC"),
                name="submission_leaderboard_idx",
            ),
            # The per-learner rate limit, the history and the best scores read a learner's submissions by time.
            models.Index(fields=["user", "created_at"], name="submission_user_created_idx"),
            # The exercise page's history and best score read a learner's submissions of one exercise.
            models.Index(fields=["user", "exercise", "created_at"], name="submission_user_exercise_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.pk} {self.user} · {self.exercise_id} ({self.status}{' ' + self.verdict if self.verdict else ''})"
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (SubmissionStatus.DONE, SubmissionStatus.ERROR)


class SubmissionCaseResult(models.Model):
    """One test case's outcome. Hidden cases keep only verdict, points, time and memory: never a message
    or a diff, which could carry the hidden input or expected output (a constraint holds that)."""

    Verdict = Verdict

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="results")
    case = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    visible = models.BooleanField()
    verdict = models.CharField(max_length=3, choices=Verdict)
    points = models.FloatField(default=0)
    max_points = models.FloatField(default=0)
    time_ms = models.FloatField(null=True, blank=True)
    memory_kb = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    diff = models.TextField(blank=True)
    # Lab exercises (grader/results.py): each stage's name, verdict, time, memory and (visible cases only)
    # message; each figure reached with its bar ("cosine 0.9991 >= 0.999"). Numbers only for hidden cases.
    stages = models.JSONField(default=list, blank=True)
    metrics = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["submission", "position"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "case"], name="submission_case_result_unique"),
            models.CheckConstraint(condition=Q(verdict__in=VERDICTS), name="submission_case_verdict_valid"),
            models.CheckConstraint(
                condition=Q(visible=True) | Q(message="", diff=""), name="submission_case_hidden_has_no_details"
            ),
        ]

    def __str__(self) -> str:
        return f"submission {self.submission_id} case {self.case}: {self.verdict}"
