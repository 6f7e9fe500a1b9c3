"""Deadlines: countdowns to public and personal deadlines; add and delete your own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontend.forms import DeadlineForm
from frontend.views.common import back, learner
from tracker import selectors
from tracker.models import Track, User
from tracker.services.deadlines import DeadlineError, deadline_create, deadline_delete, local_due
from tracker.services.users import study_profile_ensure


def _tracks(user: User) -> Any:
    return Track.objects.filter(pk__in=selectors.enrollments_of(user=user).values("track_id")).order_by("title_en")


def _page(request: HttpRequest, user: User, form: DeadlineForm | None = None, status: int = 200) -> HttpResponse:
    profile = study_profile_ensure(user=user)
    now = timezone.now()
    upcoming, past = selectors.deadlines_page(user=user, now=now)
    soon = now + dt.timedelta(days=7)
    for deadline in upcoming:
        left = deadline.due_at - now
        # For the template only: not fields nor annotations, so the model's type does not know them.
        deadline.days_left = left.days  # type: ignore[attr-defined]
        deadline.hours_left = left.seconds // 3600  # type: ignore[attr-defined]
    return render(
        request,
        "frontend/deadlines.html",
        {
            "profile": profile,
            "upcoming": upcoming,
            "past": past,
            "soon": soon,
            "form": form or DeadlineForm(initial={"time_zone": profile.time_zone}, tracks=_tracks(user)),
        },
        status=status,
    )


@login_required
@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    return _page(request, learner(request))


@login_required
@require_http_methods(["POST"])
def deadline_add(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    form = DeadlineForm(request.POST, tracks=_tracks(user))
    if not form.is_valid():
        return _page(request, user, form, status=400)
    data = form.cleaned_data
    moment: dt.datetime | dt.date = (
        dt.datetime.combine(data["due_date"], data["due_time"]) if data["due_time"] else data["due_date"]
    )
    try:
        deadline = deadline_create(
            user=user,
            title=data["title"],
            due_at=local_due(moment, data["time_zone"]),
            time_zone=data["time_zone"],
            kind=data["kind"],
            url=data["url"],
            track=data["track"],
        )
    except DeadlineError as exc:
        form.add_error(None, str(exc))
        return _page(request, user, form, status=400)
    return back(request, "frontend:deadlines", ok=_("Added “%(title)s”.") % {"title": deadline.title})


@login_required
@require_POST
def deadline_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = learner(request)
    deadline = get_object_or_404(selectors.own_deadlines(user=user), pk=pk)
    try:
        deadline_delete(deadline=deadline)
    except DeadlineError as exc:
        return back(request, "frontend:deadlines", error=str(exc))
    return back(request, "frontend:deadlines", ok=_("Deleted “%(title)s”.") % {"title": deadline.title})
