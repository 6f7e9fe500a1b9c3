"""Progress: the year heatmap of study days, the streaks, and per track a progress bar and a burn-up
chart against its target date."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from frontend.charts import BurnUp, burnup_svg, cumulative, heatmap_svg
from frontend.views.common import learner
from frontend.views.tracks import with_percent
from tracker import selectors
from tracker.models import Enrollment
from tracker.services.users import study_profile_ensure
from tracker.timezones import local_today


@login_required
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    profile = study_profile_ensure(user=user)
    today = local_today(profile.time_zone, timezone.now())
    stats = selectors.study_stats(user=user, profile=profile, today=today)
    year = stats.heatmap()
    enrollments = [
        e
        for e in with_percent(list(selectors.enrollments_with_progress(user=user)))
        if e.status != Enrollment.Status.DROPPED
    ]
    for enrollment in enrollments:
        days = stats.done_by_track.get(enrollment.track_id, [])
        chart = BurnUp(
            start=enrollment.start_date,
            today=today,
            total=enrollment.total_items,
            done_by_day=cumulative(days),
            target=enrollment.target_date,
            projected=enrollment.projected_finish_date,
        )
        # For the template only: not a field nor an annotation, so the row's type does not know it.
        enrollment.burnup = burnup_svg(chart, title=enrollment.track.display_title())  # type: ignore[attr-defined]
    active_days = [stat for _day, stat in year if stat.active]
    week_start = today - dt.timedelta(days=6)
    return render(
        request,
        "frontend/progress.html",
        {
            "profile": profile,
            "stats": stats,
            "heatmap": heatmap_svg(year),
            "study_days": len(active_days),
            "items_done": sum(s.items_done for s in active_days),
            "reviews": sum(s.reviews for s in active_days),
            "minutes": sum(s.minutes for s in active_days),
            "week_minutes": sum(s.minutes for day, s in year if day >= week_start),
            "enrollments": enrollments,
        },
    )
