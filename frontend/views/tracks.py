"""Tracks: the learner's enrolments and the catalogue with search and filters; a track's page with
its item tree; enrol, pause, resume, drop, leave, priority and pace."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrPromise

from frontend.forms import EnrollmentForm
from frontend.views.common import HtmxHttpRequest, back, is_htmx, learner
from tracker import selectors
from tracker.models import Enrollment, Item, Track, User
from tracker.selectors.enrollments import EnrollmentWithProgress
from tracker.services.enrollments import EnrollmentError, enrollment_create, enrollment_delete, enrollment_update
from tracker.services.reading import NotReadable, ReadingError, reading_entry_add
from tracker.services.users import study_profile_ensure
from tracker.timezones import local_today


def with_percent(enrollments: list[EnrollmentWithProgress]) -> list[EnrollmentWithProgress]:
    """Gives each row of `selectors.enrollments_with_progress` its `percent` for the progress bar."""
    for enrollment in enrollments:
        done, total = enrollment.done_items, enrollment.total_items
        # For the templates only: not a field nor an annotation, so the row's type does not know it.
        enrollment.percent = selectors.percent_done(done=done, total=total)  # type: ignore[attr-defined]
    return enrollments


@login_required
@require_GET
def tracks(request: HtmxHttpRequest) -> HttpResponse:
    user = learner(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Track.Kind.values else ""
    tag = request.GET.get("tag", "")[:50]
    query = request.GET.get("q", "")[:100]
    enrollments = with_percent(list(selectors.enrollments_with_progress(user=user)))
    catalogue = list(selectors.catalogue_filtered(user=user, kind=kind, tag=tag, query=query))
    context = {
        "enrollments": enrollments,
        "catalogue": catalogue,
        "kinds": Track.Kind.choices,
        "tags": list(selectors.catalogue_tags()),
        "kind": kind,
        "tag": tag,
        "q": query,
        "filtered": bool(kind or tag or query),
    }
    if is_htmx(request) and request.htmx.target == "catalogue":
        return render(request, "frontend/_catalogue.html", context)
    return render(request, "frontend/tracks.html", context)


@login_required
@require_GET
def track_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = learner(request)
    track = get_object_or_404(selectors.track_visible_to(user=user), pk=pk)
    items = list(selectors.track_items_with_progress(track=track, user=user))
    enrollment = selectors.enrollment_for(user=user, track=track)
    leaves = [i for i in items if not i.child_count]
    done = sum(1 for i in leaves if i.my_progress and i.my_progress[0].is_completed)
    return render(
        request,
        "frontend/track.html",
        {
            "track": track,
            "items": items,
            "enrollment": enrollment,
            "form": EnrollmentForm(instance=enrollment) if enrollment else None,
            "done": done,
            "total": len(leaves),
            "percent": selectors.percent_done(done=done, total=len(leaves)),
            "readable_kinds": Item.READABLE_KINDS,
        },
    )


def track_item_fragment(
    request: HttpRequest, user: User, item: Item, *, flash: str = "", flash_error: str = ""
) -> HttpResponse:
    """One row of a track page, after an inline action on it."""
    row = selectors.track_items_with_progress(track=item.track, user=user).get(pk=item.pk)
    return render(
        request,
        "frontend/_track_item.html",
        {
            "item": row,
            "flash": flash,
            "flash_error": flash_error,
            "readable_kinds": Item.READABLE_KINDS,
            "track": item.track,
        },
    )


@login_required
@require_POST
def track_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    user = learner(request)
    track: Track = get_object_or_404(selectors.track_visible_to(user=user), pk=pk)
    profile = study_profile_ensure(user=user)
    try:
        enrollment_create(user=user, track=track, start_date=local_today(profile.time_zone, timezone.now()))
    except EnrollmentError as exc:
        return back(request, "frontend:tracks", error=str(exc))
    return back(
        request,
        "frontend:tracks",
        ok=_("Enrolled in %(track)s. Its first items are on Today.") % {"track": track.display_title()},
    )


def _own_enrollment(request: HttpRequest, pk: int) -> Enrollment:
    return get_object_or_404(selectors.enrollments_of(user=learner(request)), pk=pk)


@login_required
@require_POST
def enrollment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Priority, pace and target date of an enrolment; the plan is re-made."""
    enrollment = _own_enrollment(request, pk)
    form = EnrollmentForm(request.POST, instance=enrollment)
    default = enrollment.track.get_absolute_url()
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[k].label if k in form.fields else k}: {' '.join(str(e) for e in v)}"
            for k, v in form.errors.items()
        )
        return back(request, default, error=_("Nothing was changed. %(errors)s") % {"errors": errors})
    data = form.cleaned_data
    try:
        enrollment_update(
            enrollment=Enrollment.objects.get(pk=enrollment.pk),
            priority=data["priority"],
            pace_unit=data["pace_unit"],
            pace_per_day=data["pace_per_day"],
            target_date=data["target_date"],
        )
    except EnrollmentError as exc:
        return back(request, default, error=str(exc))
    return back(request, default, ok=_("Saved. Your plan was re-made."))


STATUS_MESSAGES: dict[str, StrPromise] = {
    Enrollment.Status.ACTIVE: gettext_lazy("%(track)s is active again; the plan was re-made."),
    Enrollment.Status.PAUSED: gettext_lazy("%(track)s is paused; its slot goes to your next track."),
    Enrollment.Status.DROPPED: gettext_lazy("%(track)s is dropped; your progress on it is kept."),
    Enrollment.Status.FINISHED: gettext_lazy("%(track)s is marked finished."),
}


@login_required
@require_POST
def enrollment_status(request: HttpRequest, pk: int, status: str) -> HttpResponse:
    enrollment = _own_enrollment(request, pk)
    default = enrollment.track.get_absolute_url()
    if status not in STATUS_MESSAGES:
        return back(request, default, error=_("Unknown status %(status)s.") % {"status": status})
    try:
        enrollment_update(enrollment=enrollment, status=status)
    except EnrollmentError as exc:
        return back(request, default, error=str(exc))
    return back(request, default, ok=str(STATUS_MESSAGES[status]) % {"track": enrollment.track.display_title()})


@login_required
@require_POST
def enrollment_leave(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = _own_enrollment(request, pk)
    title = enrollment.track.display_title()
    enrollment_delete(enrollment=enrollment)
    return back(
        request,
        "frontend:tracks",
        ok=_("You left %(track)s. Your progress is kept if you enrol again.") % {"track": title},
    )


@login_required
@require_POST
def reading_add_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Puts a chapter, lecture or article of a track at the end of the reading queue."""
    user = learner(request)
    item = get_object_or_404(selectors.items_visible_to(user=user), pk=pk)
    try:
        reading_entry_add(user=user, item=item)
    except NotReadable:
        error = _("“%(title)s” is not something to read: chapters, sections, lectures, articles and resources are.")
        return back(request, item.track.get_absolute_url(), error=error % {"title": item.display_title()})
    except ReadingError as exc:
        return back(request, item.track.get_absolute_url(), error=str(exc))
    if is_htmx(request):
        return render(request, "frontend/_queued.html", {"item": item})
    return back(
        request,
        item.track.get_absolute_url(),
        ok=_("“%(title)s” is in your reading queue.") % {"title": item.display_title()},
    )
