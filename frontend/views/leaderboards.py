"""A timed exercise's leaderboard: rank, handle, speed-up and when, the learner's own row highlighted."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from frontend.views.common import learner
from tracker.selectors.leaderboards import exercise_leaderboard, leaderboard_exercises

# The page lists this many rows; the learner's own row is shown after them when it ranks lower.
SHOWN = 100


@login_required
@require_GET
def exercise_leaderboard_page(request: HttpRequest, slug: str) -> HttpResponse:
    user = learner(request)
    exercise = get_object_or_404(leaderboard_exercises(), slug=slug)
    if not exercise.timed:
        raise Http404(_("This exercise is not timed, so it has no leaderboard."))
    rows = exercise_leaderboard(exercise=exercise, viewer=user)
    shown = rows[:SHOWN]
    yours = next((row for row in rows[SHOWN:] if row.is_you), None)
    context = {"exercise": exercise, "rows": shown, "yours_below": yours, "total": len(rows)}
    return render(request, "frontend/leaderboard.html", context)
