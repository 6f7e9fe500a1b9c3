"""The admin: curators edit curated content; learners' private data is for superusers only.

The "Curators" group (a data migration creates it) holds permissions on curated models only, and
the querysets below hide learners' own tracks and deadlines from anyone but superusers.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_stubs_ext import WithAnnotations

from grader.bundles import SOURCE_SUFFIX, BundleError, load_bundle
from grader.intake import read_text_parts
from tracker.models import (
    Deadline,
    Enrollment,
    Exercise,
    ExerciseDraft,
    ExerciseVersion,
    Feed,
    FeedPost,
    FeedSubscription,
    Item,
    MockPart,
    MockSession,
    Pattern,
    PlanEntry,
    Problem,
    ProblemSet,
    ProblemSetEntry,
    Progress,
    Question,
    QuestionCard,
    QuestionReview,
    ReadingQueueEntry,
    ReminderDelivery,
    ReviewCard,
    ReviewLog,
    Skill,
    SkillAssessment,
    StudyProfile,
    Submission,
    SubmissionCaseResult,
    Tag,
    Track,
    User,
    Vacation,
    WorkerHeartbeat,
)
from tracker.selectors.feeds import FeedWithHealth, feeds_health
from tracker.services.exercise_drafts import DraftError, exercise_draft_edit, exercise_draft_upload
from tracker.services.exercises import SubmissionError, submission_regrade, version_bundle_folder
from tracker.services.feeds import feed_post_delete, feed_refresh
from tracker.services.leaderboards import submission_reviews_decide


class CuratedOnlyMixin[M: Model](admin.ModelAdmin[M]):
    """Non-superusers see only curated rows (owner is null) and can only create curated rows."""

    owner_path = "owner"

    def get_queryset(self, request: HttpRequest) -> QuerySet[M]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.owner_path}__isnull": True})

    def get_readonly_fields(self, request: HttpRequest, obj: M | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser and self.owner_path == "owner":
            fields.append("owner")
        return fields


class StudyProfileInline(admin.StackedInline[StudyProfile, User]):
    model = StudyProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    inlines = [StudyProfileInline]
    list_display = ["username", "email", "is_staff", "is_superuser", "date_joined", "last_login"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    search_fields = ["slug"]
    list_display = ["slug"]


class ItemInline(admin.TabularInline[Item, Track]):
    model = Item
    fk_name = "track"
    extra = 0
    ordering = ["position", "id"]
    fields = [
        "position",
        "key",
        "parent",
        "kind",
        "title",
        "title_en",
        "estimated_minutes",
        "url",
        "difficulty",
    ]
    raw_id_fields = ["parent"]
    show_change_link = True


class ItemCount(TypedDict):
    item_count: int


type TrackWithItemCount = WithAnnotations[Track, ItemCount]


@admin.register(Track)
class TrackAdmin(CuratedOnlyMixin[Track]):
    list_display = ["title_en", "title", "slug", "kind", "owner", "is_published", "item_count", "updated_at"]
    list_filter = ["kind", "is_published", ("owner", admin.EmptyFieldListFilter), "tags"]
    search_fields = ["slug", "title", "title_en", "summary"]
    list_select_related = ["owner"]
    filter_horizontal = ["tags"]
    inlines = [ItemInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TrackWithItemCount]:
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(ordering="item_count", description="items")
    def item_count(self, obj: TrackWithItemCount) -> int:
        return obj.item_count


@admin.register(Item)
class ItemAdmin(CuratedOnlyMixin[Item]):
    owner_path = "track__owner"
    list_display = [
        "title_en",
        "title",
        "track",
        "key",
        "kind",
        "position",
        "estimated_minutes",
        "difficulty",
    ]
    list_filter = ["kind", "difficulty", "track"]
    search_fields = ["title", "title_en", "key", "external_id", "track__slug"]
    list_select_related = ["track"]
    raw_id_fields = ["parent"]
    autocomplete_fields = ["track"]
    filter_horizontal = ["tags"]
    ordering = ["track", "position"]


@admin.register(Deadline)
class DeadlineAdmin(CuratedOnlyMixin[Deadline]):
    list_display = ["title_en", "title", "kind", "due_at", "time_zone", "owner", "track"]
    list_filter = ["kind", ("owner", admin.EmptyFieldListFilter)]
    search_fields = ["title", "title_en", "key"]
    list_select_related = ["owner", "track"]
    autocomplete_fields = ["track"]
    date_hierarchy = "due_at"


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin[Skill]):
    list_display = ["title_en", "title", "tier", "key", "position"]
    list_filter = ["tier"]
    search_fields = ["key", "title", "title_en"]
    filter_horizontal = ["tracks"]
    raw_id_fields = ["items"]


# Learners' own data: visible to superusers only (the Curators group has no permission on these).


@admin.register(StudyProfile)
class StudyProfileAdmin(admin.ModelAdmin[StudyProfile]):
    list_display = [
        "user",
        "time_zone",
        "parallel_limit",
        "daily_minutes",
        "reminder_hour",
        "reminders_enabled",
    ]
    list_filter = ["reminders_enabled", "language"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]


@admin.register(Vacation)
class VacationAdmin(admin.ModelAdmin[Vacation]):
    list_display = ["user", "start_date", "end_date", "label"]
    search_fields = ["user__username", "label"]
    list_select_related = ["user"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin[Enrollment]):
    list_display = [
        "user",
        "track",
        "priority",
        "status",
        "pace_unit",
        "pace_per_day",
        "start_date",
        "target_date",
    ]
    list_filter = ["status", "pace_unit"]
    search_fields = ["user__username", "track__title", "track__title_en"]
    list_select_related = ["user", "track"]
    raw_id_fields = ["user", "track"]


@admin.register(Progress)
class ProgressAdmin(admin.ModelAdmin[Progress]):
    list_display = ["user", "item", "status", "done_at", "time_spent_minutes"]
    list_filter = ["status"]
    search_fields = ["user__username", "item__title", "item__title_en"]
    list_select_related = ["user", "item"]
    raw_id_fields = ["user", "item"]


@admin.register(ReadingQueueEntry)
class ReadingQueueEntryAdmin(admin.ModelAdmin[ReadingQueueEntry]):
    list_display = ["user", "__str__", "status", "position", "added_at", "read_at"]
    list_filter = ["status"]
    search_fields = ["user__username", "title", "url", "item__title"]
    list_select_related = ["user", "item"]
    raw_id_fields = ["user", "item"]


@admin.register(SkillAssessment)
class SkillAssessmentAdmin(admin.ModelAdmin[SkillAssessment]):
    list_display = ["user", "skill", "level"]
    list_filter = ["level", "skill__tier"]
    search_fields = ["user__username", "skill__key"]
    list_select_related = ["user", "skill"]
    raw_id_fields = ["user", "skill"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    list_display = ["hostname", "seen_at"]
    readonly_fields = ["hostname", "seen_at"]


@admin.register(PlanEntry)
class PlanEntryAdmin(admin.ModelAdmin[PlanEntry]):
    list_display = ["user", "date", "item", "kind", "status", "origin", "minutes"]
    list_filter = ["kind", "status", "origin"]
    search_fields = ["user__username", "item__title", "item__title_en"]
    list_select_related = ["user", "item"]
    raw_id_fields = ["user", "item", "enrollment"]
    date_hierarchy = "date"


@admin.register(ReviewCard)
class ReviewCardAdmin(admin.ModelAdmin[ReviewCard]):
    list_display = ["user", "item", "due", "state", "reps", "last_review"]
    list_filter = ["state"]
    search_fields = ["user__username", "item__title_en"]
    list_select_related = ["user", "item"]
    raw_id_fields = ["user", "item"]


@admin.register(ReviewLog)
class ReviewLogAdmin(admin.ModelAdmin[ReviewLog]):
    list_display = ["user", "item", "rating", "reviewed_at"]
    list_filter = ["rating"]
    search_fields = ["user__username", "item__title_en"]
    list_select_related = ["user", "item"]
    raw_id_fields = ["user", "item"]


# --- Blog feeds: curators see each feed's health and can refresh one; subscriptions are learners' data. ---


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin[Feed]):
    list_display = [
        "__str__",
        "status",
        "last_fetch_at",
        "last_status_code",
        "error_count",
        "short_error",
        "next_fetch_at",
        "subscribers",
        "is_curated",
    ]
    list_filter = ["status", "is_curated", "last_status_code"]
    search_fields = ["title", "url", "site_url", "curated_slug"]
    readonly_fields = [
        "etag",
        "last_modified",
        "claimed_until",
        "last_fetch_at",
        "last_success_at",
        "last_status_code",
        "last_error",
        "error_count",
        "redirect_url",
        "redirect_count",
        "gone_at",
        "created_at",
        "updated_at",
    ]
    actions = ["refresh_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FeedWithHealth]:
        return feeds_health()

    @admin.display(description="subscribers", ordering="subscriber_count")
    def subscribers(self, feed: FeedWithHealth) -> int:
        return feed.subscriber_count

    @admin.display(description="last error")
    def short_error(self, feed: Feed) -> str:
        return feed.last_error[:80]

    @admin.action(description="Refresh now (fetch as soon as a worker is free)", permissions=["change"])
    def refresh_now(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        queued = [feed for feed in queryset if feed_refresh(feed=feed)]
        busy = queryset.count() - len(queued)
        self.message_user(request, f"{len(queued)} feed(s) queued for a fetch.", messages.SUCCESS)
        if busy:
            self.message_user(request, f"{busy} feed(s) are being fetched right now; left as they are.", messages.INFO)


@admin.register(FeedPost)
class FeedPostAdmin(admin.ModelAdmin[FeedPost]):
    list_display = ["title", "feed", "published_at", "deleted_at", "created_at"]
    list_filter = [("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "url", "feed__title", "feed__url"]
    list_select_related = ["feed"]
    raw_id_fields = ["feed"]
    readonly_fields = ["guid_hash", "guid", "created_at", "updated_at"]
    actions = ["delete_keeping_tombstone"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # A hard delete would let the next fetch bring the post back; the action below keeps its hash.
        return False

    @admin.action(description="Delete (the post never comes back)", permissions=["change"])
    def delete_keeping_tombstone(self, request: HttpRequest, queryset: QuerySet[FeedPost]) -> None:
        posts = list(queryset.filter(deleted_at__isnull=True))
        for post in posts:
            feed_post_delete(post=post)
        self.message_user(request, f"{len(posts)} post(s) deleted.", messages.SUCCESS)


@admin.register(FeedSubscription)
class FeedSubscriptionAdmin(admin.ModelAdmin[FeedSubscription]):
    list_display = ["user", "feed", "add_to_reading_queue", "daily_cap", "created_at"]
    list_filter = ["add_to_reading_queue"]
    search_fields = ["user__username", "feed__title", "feed__url"]
    list_select_related = ["user", "feed"]
    raw_id_fields = ["user", "feed"]


# --- Reminders (tracker/services/reminders.py): the delivery log, for superusers. ---


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin[ReminderDelivery]):
    """Read-only: a row is the claim that keeps a reminder from going out twice, so editing one could
    send a second e-mail or lose one. Deleting a stuck claim is allowed (the reminder is not resent)."""

    list_display = ["user", "kind", "local_date", "deadline", "status", "claimed_at", "sent_at"]
    list_filter = ["status", "kind", "local_date"]
    search_fields = ["user__username", "user__email", "message_id"]
    list_select_related = ["user", "deadline"]
    date_hierarchy = "local_date"
    readonly_fields = [
        "user",
        "kind",
        "deadline",
        "local_date",
        "status",
        "claim_token",
        "claimed_at",
        "sent_at",
        "message_id",
        "note",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# --- Exercises (tracker/services/exercises.py, exercise_drafts.py): curators upload or edit bundles, which a
# worker validates and publishes as versions; they see submissions and re-grade them. A learner-facing
# page never reads a draft, an archive or a reference; the admin shows a bundle's reference only on the
# "Edit the bundle" form, to those who may publish one.


class ExerciseVersionInline(admin.TabularInline[ExerciseVersion, Exercise]):
    model = ExerciseVersion
    extra = 0
    can_delete = False
    fields = ["number", "short_hash", "source", "created_by", "created_at"]
    readonly_fields = ["number", "short_hash", "source", "created_by", "created_at"]
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="content hash")
    def short_hash(self, obj: ExerciseVersion) -> str:
        return obj.short_hash


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin[Exercise]):
    """Read-only rows: a bundle changes through a draft (upload a zip under "Exercise drafts", or "Edit the
    bundle" here), published by a worker once its reference passed every case in the sandbox."""

    list_display = [
        "slug",
        "title",
        "difficulty",
        "track",
        "current_version",
        "visible_cases",
        "hidden_cases",
        "is_published",
    ]
    list_filter = ["difficulty", "is_published", "tags"]
    search_fields = ["slug", "title"]
    list_select_related = ["track", "item", "current_version"]
    inlines = [ExerciseVersionInline]
    change_form_template = "admin/tracker/exercise/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Exercise]:
        return super().get_queryset(request).defer("current_version__archive")  # a version's archive is MBs

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        edit = path(
            "<int:pk>/bundle/", self.admin_site.admin_view(self.bundle_edit_view), name="tracker_exercise_bundle"
        )
        return [edit, *super().get_urls()]

    def bundle_edit_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Edit the bundle's parts; saving makes a draft that a worker validates and publishes."""
        if not request.user.has_perm("tracker.add_exercisedraft"):
            raise PermissionDenied
        exercise = get_object_or_404(Exercise.objects.select_related("current_version"), pk=pk)
        suffix = ".py"
        try:
            folder = version_bundle_folder(version=exercise.current_version) if exercise.current_version else None
            current = read_text_parts(folder) if folder else {}
            suffix = SOURCE_SUFFIX[load_bundle(folder).language] if folder else suffix
        except (BundleError, OSError) as exc:
            current = {}
            messages.error(request, f"The current bundle could not be read: {exc}")
        if request.method == "POST":
            form = BundleEditForm(request.POST, request.FILES, suffix=suffix)
            if form.is_valid():
                upload = form.cleaned_data["cases"]
                try:
                    draft = exercise_draft_edit(
                        exercise=exercise,
                        parts={name: form.cleaned_data[field] for field, name in form.parts.items()},
                        cases_zip=upload.read() if upload else None,
                        user=request.user,  # type: ignore[arg-type]  # admin_view: signed in
                    )
                except DraftError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, "Saved as a draft: a worker validates it and publishes it if it passes.")
                    return HttpResponseRedirect(reverse("admin:tracker_exercisedraft_change", args=[draft.pk]))
        else:
            form = BundleEditForm(suffix=suffix)
            form.initial = {field: current.get(name, "") for field, name in form.parts.items()}
        context = {
            **self.admin_site.each_context(request),
            "title": f"Edit the bundle of {exercise.slug}",
            "exercise": exercise,
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/tracker/exercise/bundle_edit.html", context)


class BundleUploadForm(forms.ModelForm[ExerciseDraft]):
    bundle = forms.FileField(
        label="Bundle (.zip)",
        help_text="A zip of the bundle folder: exercise.toml, statement.md, starter.py, reference.py, optional "
        "checker.py, and cases/ with NAME.in.npz or NAME.in.json. Expected outputs are made from the reference.",
    )

    class Meta:
        model = ExerciseDraft
        fields: list[str] = []


class BundleEditForm(forms.Form):
    """A bundle's text parts. The source files follow the bundle's language: starter.py and reference.py for
    Python and CUDA (numba) bundles, starter.cpp and reference.cpp for C++ ones."""

    SHARED_PARTS = {"exercise_toml": "exercise.toml", "statement_md": "statement.md"}

    exercise_toml = forms.CharField(
        strip=False, label="exercise.toml", widget=forms.Textarea(attrs={"rows": 16, "cols": 100})
    )
    statement_md = forms.CharField(
        strip=False, label="statement.md", widget=forms.Textarea(attrs={"rows": 16, "cols": 100})
    )
    checker_py = forms.CharField(
        strip=False,
        label="checker.py",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 100}),
        help_text='Only for [checker] kind = "custom"; leave empty for none.',
    )
    cases = forms.FileField(
        label="Replace the cases (.zip)",
        required=False,
        help_text="A zip of NAME.in.npz / NAME.in.json files; leave empty to keep the current cases.",
    )

    def __init__(self, *args: Any, suffix: str = ".py", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parts = dict(self.SHARED_PARTS)
        for role, rows in (("starter", 10), ("reference", 16)):
            name = f"{role}{suffix}"
            field = name.replace(".", "_")
            self.fields[field] = forms.CharField(
                strip=False, label=name, widget=forms.Textarea(attrs={"rows": rows, "cols": 100})
            )
            self.parts[field] = name
        self.parts["checker_py"] = "checker.py"
        self.order_fields([*self.parts, "cases"])


@admin.register(ExerciseDraft)
class ExerciseDraftAdmin(admin.ModelAdmin[ExerciseDraft]):
    """Upload a bundle (a zip); a worker validates it, runs its reference on every case in the sandbox and
    publishes it as a new version, or refuses it. Each draft shows its validation report per case."""

    form = BundleUploadForm
    list_display = ["id", "slug", "source", "status", "message_short", "created_by", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["slug", "archive_name"]
    list_select_related = ["created_by", "version"]
    readonly_fields = [
        "slug",
        "source",
        "archive_name",
        "status",
        "message",
        "validation_report",
        "exercise",
        "version",
        "sandboxed",
        "created_by",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExerciseDraft]:
        return super().get_queryset(request).defer("archive", "version__archive")

    def get_fields(self, request: HttpRequest, obj: ExerciseDraft | None = None) -> list[str]:  # type: ignore[override]  # a list is one of the allowed shapes
        return ["bundle"] if obj is None else list(self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: ExerciseDraft | None = None) -> list[str]:
        return [] if obj is None else list(self.readonly_fields)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser

    @admin.display(description="message")
    def message_short(self, obj: ExerciseDraft) -> str:
        return obj.message[:120]

    @admin.display(description="validation report")
    def validation_report(self, obj: ExerciseDraft) -> str:
        if not obj.report:
            return "—" if obj.is_finished else "Not validated yet: reload this page in a few seconds."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    c.get("case", ""),
                    "example" if c.get("visible") else "hidden",
                    "ok" if c.get("ok") else "FAILED",
                    "" if c.get("time_ms") is None else f"{c['time_ms']:.0f} ms",
                    c.get("message", ""),
                )
                for c in obj.report
            ),
        )
        head = "<tr><th>case</th><th></th><th>result</th><th>time</th><th>what failed</th></tr>"
        return format_html("<table>{}{}</table>", mark_safe(head), rows)  # noqa: S308 - a constant

    def save_model(
        self, request: HttpRequest, obj: ExerciseDraft, form: forms.ModelForm[ExerciseDraft], change: bool
    ) -> None:
        # The draft is made by the service (add_view below); the admin's own save never runs.
        raise NotImplementedError

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        if request.method == "POST" and self.has_add_permission(request):
            form = BundleUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["bundle"]
                limit = settings.EXERCISE_UPLOAD_MAX_MB << 20
                try:
                    if upload.size > limit:
                        raise DraftError(f"the zip is over {settings.EXERCISE_UPLOAD_MAX_MB} MiB; make it smaller")
                    draft = exercise_draft_upload(
                        archive=upload.read(),
                        name=upload.name or "bundle.zip",
                        user=request.user,  # type: ignore[arg-type]  # admin_view: signed in
                    )
                except DraftError as exc:
                    messages.error(request, f"Refused: {exc}")
                    request.method = "GET"  # show the empty form again, under the message
                else:
                    messages.success(
                        request, f"Uploaded {draft.slug}: a worker validates it and publishes it if it passes."
                    )
                    return HttpResponseRedirect(reverse("admin:tracker_exercisedraft_change", args=[draft.pk]))
        return super().add_view(request, form_url, extra_context)


_CASE_RESULT_FIELDS = ("case", "visible", "verdict", "points", "max_points", "time_ms", "memory_kb", "message", "diff")


class SubmissionCaseResultInline(admin.TabularInline[SubmissionCaseResult, Submission]):
    model = SubmissionCaseResult
    extra = 0
    can_delete = False
    fields = _CASE_RESULT_FIELDS
    readonly_fields = _CASE_RESULT_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin[Submission]):
    """Read-only, with a "Re-grade" action (the `regrade_submission` permission, held by Curators), and
    "Approve" / "Reject" for speed-ups held for review (filter by review: held; `review_submission`)."""

    list_display = [
        "id",
        "user",
        "exercise",
        "kind",
        "status",
        "verdict",
        "score",
        "max_score",
        "version",
        "speedup",
        "review",
        "created_at",
    ]
    list_filter = ["review", "status", "verdict", "kind", "device_kind", "exercise"]
    search_fields = ["user__username", "exercise__slug"]
    list_select_related = ["user", "exercise", "version"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Submission]:
        return super().get_queryset(request).defer("version__archive")

    date_hierarchy = "created_at"
    inlines = [SubmissionCaseResultInline]
    actions = ["regrade", "approve_speedup", "reject_speedup"]
    readonly_fields = [
        "user",
        "exercise",
        "kind",
        "status",
        "verdict",
        "score",
        "max_score",
        "message",
        "time_ms",
        "memory_kb",
        "sandboxed",
        "attempts",
        "version",
        "regrade_of",
        "device_kind",
        "device_name",
        "speedup",
        "timing",
        "review",
        "reviewed_by",
        "reviewed_at",
        "code",
        "started_at",
        "finished_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_regrade_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("tracker.regrade_submission")

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("tracker.review_submission")

    def _decide(self, request: HttpRequest, queryset: QuerySet[Submission], decision: str) -> None:
        chosen = list(queryset.values_list("pk", flat=True))
        decided = submission_reviews_decide(
            submission_ids=chosen,
            decision=decision,
            curator=request.user,  # type: ignore[arg-type]  # admin_view: signed in
        )
        self.message_user(request, f"{decided} submission(s) {decision}.", messages.SUCCESS)
        if decided < len(chosen):
            self.message_user(
                request,
                f"{len(chosen) - decided} submission(s) were not held for review (or already decided): "
                "left as they were.",
                messages.WARNING,
            )

    @admin.action(description="Approve the held speed-up (it joins the leaderboard)", permissions=["review"])
    def approve_speedup(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        self._decide(request, queryset, Submission.Review.APPROVED)

    @admin.action(description="Reject the held speed-up (never on the leaderboard)", permissions=["review"])
    def reject_speedup(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        self._decide(request, queryset, Submission.Review.REJECTED)

    @admin.action(
        description="Re-grade on the current version (a new submission; the old result stays)", permissions=["regrade"]
    )
    def regrade(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        queued, refused = 0, []
        for submission in queryset.select_related("exercise"):
            try:
                submission_regrade(
                    submission=submission,
                    requested_by=request.user,  # type: ignore[arg-type]  # admin_view: signed in
                    as_curator=True,
                )
                queued += 1
            except SubmissionError as exc:
                refused.append(f"#{submission.pk}: {exc}")
        self.message_user(request, f"{queued} submission(s) queued for grading again.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)


# --- Interview practice: the LeetCode catalogue (curators edit it; learners' attempts are theirs) ---------


class _ProblemCounts(TypedDict):
    problem_count: int


@admin.register(Pattern)
class PatternAdmin(admin.ModelAdmin[Pattern]):
    list_display = ["slug", "title", "title_zh", "is_primary", "position"]
    list_filter = ["is_primary"]
    search_fields = ["slug", "title", "title_zh"]
    ordering = ["-is_primary", "position", "slug"]


class ProblemSetEntryInline(admin.TabularInline[ProblemSetEntry, ProblemSet]):
    model = ProblemSetEntry
    extra = 0
    fields = ["position", "problem", "section", "section_zh"]
    autocomplete_fields = ["problem"]
    ordering = ["position"]


@admin.register(ProblemSet)
class ProblemSetAdmin(admin.ModelAdmin[ProblemSet]):
    list_display = ["title", "slug", "expected_size", "problem_count", "position", "source_author"]
    search_fields = ["slug", "title", "title_zh", "source_title", "source_author"]
    ordering = ["position", "slug"]
    inlines = [ProblemSetEntryInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WithAnnotations[ProblemSet, _ProblemCounts]]:
        return super().get_queryset(request).annotate(problem_count=Count("entries"))

    @admin.display(ordering="problem_count", description="problems")
    def problem_count(self, obj: WithAnnotations[ProblemSet, _ProblemCounts]) -> int:
        return obj.problem_count


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin[Problem]):
    list_display = ["number", "title", "title_zh", "slug", "difficulty", "pattern", "on_leetcode_com", "on_leetcode_cn"]
    list_filter = ["difficulty", "pattern", "on_leetcode_com", "on_leetcode_cn", "sets"]
    search_fields = ["slug", "number", "title", "title_zh"]
    list_select_related = ["pattern"]
    autocomplete_fields = ["pattern"]
    filter_horizontal = ["tags"]
    ordering = ["slug"]


@admin.register(Question)
class QuestionAdmin(CuratedOnlyMixin[Question]):
    """The concept-question bank: curators edit curated questions (a learner's own are for superusers only)."""

    list_display = ["slug", "question", "topic", "difficulty", "directions", "checked_on", "is_published", "owner"]
    list_filter = ["topic", "difficulty", "is_published", ("owner", admin.EmptyFieldListFilter)]
    search_fields = ["slug", "question", "question_zh", "answer"]
    list_select_related = ["owner"]
    ordering = ["topic", "slug"]


@admin.register(QuestionCard)
class QuestionCardAdmin(admin.ModelAdmin[QuestionCard]):
    list_display = ["user", "question", "due", "state", "reps"]
    list_select_related = ["user", "question"]
    raw_id_fields = ["user", "question"]


@admin.register(QuestionReview)
class QuestionReviewAdmin(admin.ModelAdmin[QuestionReview]):
    list_display = ["user", "question", "rating", "reviewed_at"]
    list_select_related = ["user", "question"]
    raw_id_fields = ["user", "question"]


class MockPartInline(admin.TabularInline[MockPart, MockSession]):
    model = MockPart
    extra = 0
    raw_id_fields = ["question", "problem", "attempt"]


@admin.register(MockSession)
class MockSessionAdmin(admin.ModelAdmin[MockSession]):
    list_display = ["user", "format", "level", "direction", "status", "started_at", "ends_at"]
    list_filter = ["format", "status", "direction"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    inlines = [MockPartInline]
