"""My plan: a week or a month of the plan in lanes (the parallel slots), the tracks in priority order
with buttons to reorder them, the parallel limit and daily budget, and warnings for missed targets."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontend.forms import PlanLimitsForm
from frontend.plan_layout import lay_out, month_weeks
from frontend.views.common import back, is_htmx, learner
from frontend.views.tracks import with_percent
from tracker import selectors
from tracker.models import Enrollment, User
from tracker.services.planning import plan_ensure_current
from tracker.services.priorities import PriorityError, enrollment_move
from tracker.services.users import ProfileError, study_profile_ensure, study_profile_update
from tracker.timezones import local_today


def _range(view: str, anchor: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """First and last day shown, and the anchors of the previous and next page."""
    if view == "month":
        start = anchor.replace(day=1)
        end = anchor.replace(day=calendar.monthrange(anchor.year, anchor.month)[1])
        return start, end, (start - dt.timedelta(days=1)).replace(day=1), end + dt.timedelta(days=1)
    # Seven days from the anchor (today by default): the days ahead matter more than the ones gone.
    return anchor, anchor + dt.timedelta(days=6), anchor - dt.timedelta(days=7), anchor + dt.timedelta(days=7)


def plan_context(request: HttpRequest, user: User, *, form: PlanLimitsForm | None = None) -> dict[str, Any]:
    profile = study_profile_ensure(user=user)
    today = local_today(profile.time_zone, timezone.now())
    source = request.POST if request.method == "POST" else request.GET
    view = "month" if source.get("view") == "month" else "week"
    try:
        anchor = dt.date.fromisoformat(source.get("start", ""))
    except ValueError:
        anchor = today
    start, end, previous, following = _range(view, anchor)
    enrollments = with_percent(list(selectors.enrollments_with_progress(user=user)))
    active = [e for e in enrollments if e.status == Enrollment.Status.ACTIVE]
    layout = lay_out(
        selectors.plan_between(user=user, start=start, end=end),
        start=start,
        end=end,
        slots=min(profile.parallel_limit, len(active)),
        today=today,
    )

    def link(**params: str) -> str:
        return reverse("frontend:plan") + "?" + urlencode(params)

    return {
        "profile": profile,
        "today": today,
        "view": view,
        "start": start,
        "end": end,
        "layout": layout,
        "weeks": month_weeks(layout.totals) if view == "month" else [],
        "enrollments": enrollments,
        "active": active,
        "late": [e for e in enrollments if e.will_miss_target],
        "form": form
        or PlanLimitsForm(initial={"parallel_limit": profile.parallel_limit, "daily_minutes": profile.daily_minutes}),
        "slots_in_use": min(profile.parallel_limit, len(active)),
        "previous_url": link(view=view, start=previous.isoformat()),
        "next_url": link(view=view, start=following.isoformat()),
        "today_url": link(view=view),
        "week_url": link(view="week", start=start.isoformat()),
        "month_url": link(view="month", start=start.isoformat()),
        "here": link(view=view, start=start.isoformat()),
    }


@login_required
@require_GET
def plan(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    plan_ensure_current(user=user)
    return render(request, "frontend/plan.html", plan_context(request, user))


def _after_change(
    request: HttpRequest, user: User, *, ok: str = "", error: str = "", form: PlanLimitsForm | None = None
) -> HttpResponse:
    if is_htmx(request):
        context = plan_context(request, user, form=form)
        context.update(flash=ok, flash_error=error)
        return render(request, "frontend/_plan_body.html", context)
    return back(request, "frontend:plan", ok=ok, error=error)


@login_required
@require_POST
def plan_limits(request: HttpRequest) -> HttpResponse:
    """The parallel limit and the daily budget; the plan is re-made from today."""
    user = learner(request)
    form = PlanLimitsForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _after_change(request, user, error=_("Nothing was changed. %(errors)s") % {"errors": errors}, form=form)
    try:
        study_profile_update(
            user=user,
            parallel_limit=form.cleaned_data["parallel_limit"],
            daily_minutes=form.cleaned_data["daily_minutes"],
        )
    except ProfileError as exc:
        return _after_change(request, user, error=str(exc), form=form)
    return _after_change(
        request,
        user,
        ok=_("Up to %(n)d tracks at once, %(m)d minutes a day: your plan was re-made.")
        % {"n": form.cleaned_data["parallel_limit"], "m": form.cleaned_data["daily_minutes"]},
    )


@login_required
@require_POST
def plan_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    """Moves a track up or down in priority; the plan is re-made."""
    user = learner(request)
    enrollment = get_object_or_404(selectors.enrollments_of(user=user), pk=pk)
    try:
        # The URL gives any text; the service refuses a direction other than "up" and "down".
        enrollment_move(enrollment=enrollment, direction=direction)  # type: ignore[arg-type]
    except PriorityError as exc:
        return _after_change(request, user, error=str(exc))
    message = (
        _("%(track)s moved up; your plan was re-made.")
        if direction == "up"
        else _("%(track)s moved down; your plan was re-made.")
    )
    return _after_change(request, user, ok=message % {"track": enrollment.track.display_title()})
