"""Interview practice on LeetCode problems: the Problems page (filters, per-set progress, pagination), a
problem's page (attempts, notes, revisit, the attempt form with its proposed rating), pattern mastery with the
next problems, and the CSV import. Every form works without JavaScript; with htmx the proposed rating follows
the attempt form as it is filled in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontend.forms import ProblemAttemptForm, ProblemNotesForm, ProblemsCsvUploadForm
from frontend.labels import label
from frontend.views.common import back, is_htmx, learner
from tracker.models import Pattern, Problem, ProblemAttempt, ProblemProgress, StudyProfile, User
from tracker.practice.rating import AttemptFacts, Proposal, propose_rating
from tracker.selectors.problems import (
    STATUSES,
    pattern_mastery_for_learner,
    patterns_for_filter,
    problem_attempts,
    problem_for_learner,
    problem_sets_with_progress,
    problems_for_learner,
)
from tracker.services.problems import (
    ProblemError,
    ProblemImportError,
    problem_attempt_create,
    problem_attempt_delete,
    problem_note_set,
    problem_preferences_update,
    problem_revisit_set,
    problems_import_csv,
)

PAGE_SIZE = 50


def _profile(user: User) -> StudyProfile:
    return StudyProfile.objects.get_or_create(user=user)[0]


def _proposal_reason(proposal: Proposal) -> str:
    target = proposal.target_minutes
    texts = {
        "not_solved": _("not solved: it should come back soon"),
        "read_solution": _("read the solution: it should come back soon"),
        "many_hints": _("solved with 3 hints or more"),
        "hints_and_slow": _("solved with hints, in more than twice the target of %(t)d minutes") % {"t": target},
        "hints": _("solved with hints"),
        "alone_fast": _("solved alone within half the target of %(t)d minutes") % {"t": target},
        "alone_on_target": _("solved alone within the target of %(t)d minutes") % {"t": target},
        "alone_slow": _("solved alone, over the target of %(t)d minutes") % {"t": target},
        "alone_unknown_time": _("solved alone (minutes not given)"),
    }
    return texts[proposal.reason]


@login_required
@require_GET
def problems(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    profile = _profile(user)
    sets = list(problem_sets_with_progress(user=user))
    patterns = list(patterns_for_filter())
    chosen_set = next((s for s in sets if s.slug == request.GET.get("set")), None)
    chosen_pattern = next((p for p in patterns if p.slug == request.GET.get("pattern")), None)
    difficulty = request.GET.get("difficulty", "")
    difficulty = difficulty if difficulty in Problem.Difficulty.values else ""
    status = request.GET.get("status", "")
    status = status if status in STATUSES else ""
    search = request.GET.get("q", "").strip()[:100]
    rows = problems_for_learner(
        user=user,
        problem_set=chosen_set,
        pattern=chosen_pattern,
        difficulty=difficulty,
        status=status,
        search=search,
        now=timezone.now(),
        time_zone=profile.time_zone,
    )
    # Only what a row shows: 50 rows of models without their timestamps, tags as plain lists.
    rows = rows.only(
        "slug", "number", "title", "title_zh", "difficulty", "pattern__slug", "pattern__title", "pattern__title_zh"
    ).prefetch_related(
        Prefetch(
            "tags",
            queryset=Pattern.objects.only("slug", "title", "title_zh").order_by("position", "slug"),
            to_attr="tag_list",
        )
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    filters = {
        k: v
        for k, v in {
            "set": chosen_set.slug if chosen_set else "",
            "pattern": chosen_pattern.slug if chosen_pattern else "",
            "difficulty": difficulty,
            "status": status,
            "q": search,
        }.items()
        if v
    }
    context: dict[str, Any] = {
        "profile": profile,
        "sets": sets,
        "patterns": patterns,
        "chosen_set": chosen_set,
        "chosen_pattern": chosen_pattern,
        "difficulty": difficulty,
        "status": status,
        "search": search,
        "statuses": [(s, _status_label(s)) for s in STATUSES],
        "difficulties": Problem.Difficulty.choices,
        "page": page,
        "rows": _rows(page.object_list, hide_difficulty=profile.hide_problem_difficulty, now=now),
        "query": urlencode(filters),
        "due_label": _("Re-solve due"),
        "revisit_label": _("Revisit"),
    }
    return render(request, "frontend/problems.html", context)


@dataclass(frozen=True, slots=True)
class _Row:
    """What a row of the list shows, worked out once: the page renders 50 of them with a few lookups each."""

    url: str
    title: str
    patterns: str
    difficulty: str
    difficulty_class: str
    status: str
    status_label: str
    due: bool
    revisit: bool


def _rows(problems: Iterable[Any], *, hide_difficulty: bool, now: dt.datetime) -> list[_Row]:
    base = reverse("frontend:problems")  # a problem's page is <base><slug>/ (frontend/urls.py)
    # Each label once, not once a row (they are lazy translations).
    difficulties = {v: str(label("problem_difficulty", v)) for v in Problem.Difficulty.values}
    statuses = {v: str(label("problem_status", v)) for v in ProblemProgress.Status.values}
    hidden = _("Difficulty hidden")
    zh = (get_language() or "en").startswith("zh")

    def shown(obj: Any) -> str:
        return str(obj.title_zh) if zh and obj.title_zh else str(obj.title)

    rows = []
    for p in problems:
        title = shown(p)
        rows.append(
            _Row(
                url=f"{base}{p.slug}/",
                title=f"{p.number}. {title}" if p.number else title,
                patterns=" · ".join([shown(p.pattern), *(shown(t) for t in p.tag_list)]),
                difficulty=hidden if hide_difficulty else difficulties[p.difficulty],
                difficulty_class="" if hide_difficulty else f" diff-{p.difficulty}",
                status=p.my_status,
                status_label=statuses[p.my_status],
                due=p.my_due is not None and p.my_due <= now,
                revisit=p.my_revisit,
            )
        )
    return rows


def _status_label(status: str) -> str:
    return {
        "unsolved": _("Unsolved"),
        "attempted": _("Attempted"),
        "solved": _("Solved"),
        "due": _("Due for a re-solve"),
        "revisit": _("Flagged to revisit"),
    }[status]


def _problem_or_404(user: User, slug: str) -> Problem:
    problem = problem_for_learner(user=user, slug=slug)
    if problem is None:
        raise Http404("No such problem.")
    return problem


def _problem_page(
    request: HttpRequest,
    user: User,
    problem: Problem,
    *,
    form: ProblemAttemptForm | None = None,
    proposal: Proposal | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    mine = problem.my_progress[0] if problem.my_progress else None  # type: ignore[attr-defined]
    attempts = list(problem_attempts(user=user, problem=problem))
    context: dict[str, Any] = {
        "problem": problem,
        "progress": mine,
        "profile": _profile(user),
        "attempts": attempts,
        "form": form or ProblemAttemptForm(initial={"outcome": ProblemAttempt.Outcome.SOLVED_ALONE, "hints": 0}),
        "notes_form": ProblemNotesForm(initial={"notes": mine.notes if mine else ""}),
        "proposal": proposal,
        "proposal_reason": _proposal_reason(proposal) if proposal else "",
        "proposal_label": ProblemAttempt.Rating(int(proposal.rating)).label if proposal else "",
        "error": error,
        "targets": _rules(problem),
        "now": timezone.now(),
    }
    return render(request, "frontend/problem.html", context, status=status)


def _rules(problem: Problem) -> dict[str, int]:
    target = problem.target_minutes
    return {"target": target, "half": target // 2, "double": 2 * target}


@login_required
@require_GET
def problem_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = learner(request)
    return _problem_page(request, user, _problem_or_404(user, slug))


def _facts(problem: Problem, data: dict[str, Any]) -> AttemptFacts:
    return AttemptFacts(
        difficulty=problem.difficulty,  # type: ignore[arg-type]
        outcome=data["outcome"],
        minutes=data.get("minutes"),
        hints=data.get("hints") or 0,
    )


@login_required
@require_GET
def problem_proposal(request: HttpRequest, slug: str) -> HttpResponse:
    """The proposed rating for the attempt form as filled in so far (an htmx fragment)."""
    problem = get_object_or_404(Problem, slug=slug)
    form = ProblemAttemptForm(request.GET)
    proposal = None
    if form.is_valid():
        try:
            proposal = propose_rating(_facts(problem, form.cleaned_data))
        except ValueError:
            proposal = None
    context = {
        "proposal": proposal,
        "proposal_reason": _proposal_reason(proposal) if proposal else "",
        "proposal_label": ProblemAttempt.Rating(int(proposal.rating)).label if proposal else "",
    }
    return render(request, "frontend/_problem_proposal.html", context)


@login_required
@require_POST
def problem_attempt(request: HttpRequest, slug: str) -> HttpResponse:
    """Records an attempt (from the problem page or Today's quick entry). "Preview" only shows the proposal."""
    user = learner(request)
    problem = _problem_or_404(user, slug)
    form = ProblemAttemptForm(request.POST)
    if not form.is_valid():
        if request.POST.get("next"):
            return back(request, "frontend:home", error=_("Check the attempt: %(e)s") % {"e": _form_errors(form)})
        return _problem_page(request, user, problem, form=form, status=400)
    data = form.cleaned_data
    try:
        proposal = propose_rating(_facts(problem, data))
    except ValueError as exc:
        return _problem_page(request, user, problem, form=form, error=str(exc), status=400)
    if "preview" in request.POST:
        return _problem_page(request, user, problem, form=form, proposal=proposal)
    try:
        recorded = problem_attempt_create(
            user=user,
            problem=problem,
            outcome=data["outcome"],
            date=data.get("date"),
            minutes=data.get("minutes"),
            hints=data.get("hints") or 0,
            language=data.get("language", ""),
            approach=data.get("approach", ""),
            time_complexity=data.get("time_complexity", ""),
            space_complexity=data.get("space_complexity", ""),
            rating=data.get("rating"),
        )
    except ProblemError as exc:
        if request.POST.get("next"):
            return back(request, "frontend:home", error=str(exc))
        return _problem_page(request, user, problem, form=form, error=str(exc), status=400)
    ok = _("Attempt saved: rated %(rating)s; the next re-solve is on %(due)s.") % {
        "rating": recorded.attempt.get_rating_display(),
        "due": _local_date(recorded.progress.due, user),
    }
    return back(request, problem.get_absolute_url(), ok=ok)


def _local_date(when: dt.datetime | None, user: User) -> str:
    if when is None:
        return "—"
    return when.astimezone(ZoneInfo(_profile(user).time_zone)).date().isoformat()


def _form_errors(form: ProblemAttemptForm) -> str:
    return "; ".join(
        f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
    )


@login_required
@require_POST
def problem_attempt_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = learner(request)
    attempt = get_object_or_404(ProblemAttempt.objects.select_related("problem", "user"), pk=pk, user=user)
    problem_attempt_delete(attempt=attempt)
    return back(request, attempt.problem.get_absolute_url(), ok=_("Attempt deleted; the re-solve is rescheduled."))


@login_required
@require_POST
def problem_notes(request: HttpRequest, slug: str) -> HttpResponse:
    user = learner(request)
    problem = get_object_or_404(Problem, slug=slug)
    form = ProblemNotesForm(request.POST)
    if not form.is_valid():
        return back(request, problem.get_absolute_url(), error=" ".join(str(e) for e in form.errors.get("notes", [])))
    try:
        problem_note_set(user=user, problem=problem, notes=form.cleaned_data["notes"])
    except ProblemError as exc:
        return back(request, problem.get_absolute_url(), error=str(exc))
    return back(request, problem.get_absolute_url(), ok=_("Notes saved."))


@login_required
@require_POST
def problem_revisit(request: HttpRequest, slug: str) -> HttpResponse:
    user = learner(request)
    problem = get_object_or_404(Problem, slug=slug)
    revisit = request.POST.get("revisit") == "1"
    progress: ProblemProgress = problem_revisit_set(user=user, problem=problem, revisit=revisit)
    if is_htmx(request):
        return render(request, "frontend/_problem_revisit.html", {"problem": problem, "progress": progress})
    return back(
        request,
        problem.get_absolute_url(),
        ok=_("Flagged to revisit.") if revisit else _("No longer flagged to revisit."),
    )


@login_required
@require_POST
def problem_preferences(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    hide = request.POST.get("hide_difficulty") == "1"
    problem_preferences_update(user=user, hide_difficulty=hide)
    return back(
        request,
        "frontend:problems",
        ok=_("Difficulty is hidden while you practise.") if hide else _("Difficulty is shown."),
    )


@login_required
@require_GET
def problems_mastery(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    report = pattern_mastery_for_learner(user=user)
    return render(request, "frontend/problems_mastery.html", {"report": report, "profile": _profile(user)})


@login_required
@require_http_methods(["GET", "POST"])
def problems_import(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = ProblemsCsvUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                context["report"] = problems_import_csv(user=user, data=form.cleaned_data["file"])
            except ProblemImportError as exc:
                context["errors"] = exc.errors
                status = 400
            else:
                form = ProblemsCsvUploadForm()
        else:
            status = 400
    else:
        form = ProblemsCsvUploadForm()
    context["form"] = form
    return render(request, "frontend/problems_import.html", context, status=status)
