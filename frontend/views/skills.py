"""Skills: the T3..T0 matrix with the learner's self-assessment and the tracks that teach each skill."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontend.views.common import back, is_htmx, learner, parse_int
from tracker import selectors
from tracker.models import Skill, SkillAssessment
from tracker.services.skills import SkillError, skill_assess


@login_required
@require_GET
def skills(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    rows = list(selectors.skills_matrix(user=user))
    tiers = [(tier, Skill.Tier(tier).label, list(group)) for tier, group in groupby(rows, key=lambda s: s.tier)]
    rated = [s for s in rows if s.my_level is not None]
    return render(
        request,
        "frontend/skills.html",
        {"tiers": tiers, "levels": SkillAssessment.Level.choices, "rated": len(rated), "total": len(rows)},
    )


@login_required
@require_POST
def skill_rate(request: HttpRequest, pk: int) -> HttpResponse:
    user = learner(request)
    skill = get_object_or_404(Skill.objects.all(), pk=pk)
    level = parse_int(request.POST.get("level"))
    ok = error = ""
    try:
        assessment = skill_assess(user=user, skill=skill, level=level if level is not None else -1)
    except SkillError as exc:
        error = str(exc)
    else:
        ok = _("Saved: %(skill)s, %(level)s.") % {
            "skill": skill.display_title(),
            "level": SkillAssessment.Level(assessment.level).label,
        }
    if is_htmx(request):
        row = selectors.skills_matrix(user=user).get(pk=pk)
        return render(
            request,
            "frontend/_skill.html",
            {"skill": row, "levels": SkillAssessment.Level.choices, "flash": ok, "flash_error": error},
        )
    return back(request, "frontend:skills", ok=ok, error=error)
