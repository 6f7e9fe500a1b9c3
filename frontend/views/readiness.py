"""The Interview landing page: readiness per career direction (the figure, its range and its parts) with the
three next actions that would raise it most, and the ways in: questions, mock interviews."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from frontend.views.common import learner
from tracker.models import Track
from tracker.readiness.score import MOCKS_SHOWN_AFTER, PATTERN_STEP, TRACK_STEP, Action
from tracker.selectors.questions import questions_due_count
from tracker.selectors.readiness import DirectionReadiness, readiness_for_learner

PART_LABELS = {
    "skills": gettext_lazy("Skills (self-assessed)"),
    "track": gettext_lazy("Career track progress"),
    "problems": gettext_lazy("Problems solved alone, by pattern"),
    "retention": gettext_lazy("Question retention"),
    "exercises": gettext_lazy("Exercises passed"),
    "mocks": gettext_lazy("Mock interviews"),
}


def action_text(action: Action, row: DirectionReadiness, tracks: dict[str, Track]) -> tuple[str, str]:
    """What to do, in words, and where to do it."""
    track = tracks.get(row.track_slug)
    if action.kind == "assess_skill":
        title = row.skill_titles.get(action.target, action.target)
        return _("Rate yourself on a core skill: %(skill)s") % {"skill": title}, reverse("frontend:skills")
    if action.kind == "raise_skill":
        title = row.skill_titles.get(action.target, action.target)
        return _("Raise a skill one level: %(skill)s") % {"skill": title}, reverse("frontend:skills")
    if action.kind == "track_items":
        url = track.get_absolute_url() if track else reverse("frontend:tracks")
        name = track.display_title() if track else row.track_slug
        return _("Finish the next %(n)d items of %(track)s") % {"n": TRACK_STEP, "track": name}, url
    if action.kind == "solve_pattern":
        title = row.pattern_titles.get(action.target, action.target)
        url = reverse("frontend:problems") + f"?pattern={action.target}&status=unsolved"
        return _("Solve %(n)d problems alone in %(pattern)s") % {"n": PATTERN_STEP, "pattern": title}, url
    if action.kind == "review_questions":
        url = reverse("frontend:question-review") + f"?direction={row.direction}"
        return _("Review your due questions and learn new ones"), url
    if action.kind == "pass_exercise":
        return _("Pass one more exercise"), reverse("frontend:exercises")
    return _("Do a mock interview (the part counts after %(n)d)") % {"n": MOCKS_SHOWN_AFTER}, reverse("frontend:mocks")


@login_required
@require_GET
def interview(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    now = timezone.now()
    rows = readiness_for_learner(user=user, now=now)
    tracks = {t.slug: t for t in Track.objects.filter(owner__isnull=True, slug__in=[r.track_slug for r in rows])}
    directions = []
    for row in rows:
        parts = [
            {
                "name": part.name,
                "label": str(PART_LABELS[part.name]),
                "points": round(part.points, 1),
                "weight": part.weight,
                "shown": part.shown,
                "low": round(part.low * part.weight, 1),
                "high": round(part.high * part.weight, 1),
            }
            for part in row.result.parts
        ]
        actions = [(*action_text(a, row, tracks), round(a.gain, 1)) for a in row.result.actions]
        directions.append({"row": row, "parts": parts, "actions": actions})
    context: dict[str, Any] = {
        "directions": directions,
        "due": questions_due_count(user=user, now=now),
        "mocks_after": MOCKS_SHOWN_AFTER,
    }
    return render(request, "frontend/interview.html", context)
