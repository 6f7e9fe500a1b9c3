"""Exercises: the list with each learner's best score; an exercise's page with the statement, an editor
loaded with the starter, "Run examples" and "Submit", the result polled live (htmx, every second until
graded) and the learner's history. Without JavaScript the editor is a plain textarea form and the result
page has a reload link."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from frontend.views.common import is_htmx, learner, parse_int
from tracker.models import Exercise, Submission, User
from tracker.selectors.exercises import (
    exercise_availability,
    exercises_for_learner,
    submission_history,
    submission_with_results,
    toolchains_installed,
)
from tracker.services.exercises import (
    SubmissionError,
    SubmissionRateLimited,
    submission_create,
    submission_regrade,
)


@login_required
@require_GET
def exercises(request: HttpRequest) -> HttpResponse:
    installed = toolchains_installed()
    rows = [
        (exercise, exercise_availability(exercise=exercise, installed=installed))
        for exercise in exercises_for_learner(user=learner(request))
    ]
    return render(request, "frontend/exercises.html", {"exercises": rows})


def _page(
    request: HttpRequest,
    user: User,
    exercise: Exercise,
    *,
    shown: Submission | None,
    code: str | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    history = submission_history(user=user, exercise=exercise)
    if code is None:
        # Carry on from the learner's last code; `?start=over` (or no history) loads the starter.
        latest = shown or (history[0] if history else None)
        code = exercise.starter if latest is None or request.GET.get("start") == "over" else latest.code
    context: dict[str, Any] = {
        "exercise": exercise,
        "availability": exercise_availability(exercise=exercise, installed=toolchains_installed()),
        "history": history,
        "submission": shown,
        "code": code,
        "error": error,
    }
    return render(request, "frontend/exercise.html", context, status=status)


@login_required
@require_GET
def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = learner(request)
    exercise = get_object_or_404(exercises_for_learner(user=user), slug=slug)
    shown_id = parse_int(request.GET.get("submission"))
    shown = None
    if shown_id is not None:
        shown = submission_with_results(user=user).filter(exercise=exercise, pk=shown_id).first()
    return _page(request, user, exercise, shown=shown)


@login_required
@require_POST
def exercise_submit(request: HttpRequest, slug: str) -> HttpResponse:
    user = learner(request)
    exercise = get_object_or_404(exercises_for_learner(user=user), slug=slug)
    code = request.POST.get("code", "")
    kind = request.POST.get("kind", Submission.Kind.SUBMIT)
    try:
        submission = submission_create(user=user, exercise=exercise, code=code, kind=kind)
    except SubmissionError as exc:
        status = 429 if isinstance(exc, SubmissionRateLimited) else 400
        if is_htmx(request):
            # htmx swaps only 2xx answers: the message goes in the result box, the editor keeps the code.
            return render(request, "frontend/_submission.html", {"error": str(exc), "submission": None})
        return _page(request, user, exercise, shown=None, code=code, error=str(exc), status=status)
    if is_htmx(request):
        return render(request, "frontend/_submission.html", {"submission": submission, "exercise": exercise})
    url = reverse("frontend:exercise", kwargs={"slug": slug})
    return HttpResponseRedirect(f"{url}?submission={submission.pk}#result")


@login_required
@require_GET
def submission_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The result box, polled by htmx until graded; the last answer also refreshes the history."""
    user = learner(request)
    submission = get_object_or_404(submission_with_results(user=user), pk=pk)
    exercise = submission.exercise
    if not is_htmx(request):
        url = reverse("frontend:exercise", kwargs={"slug": exercise.slug})
        return HttpResponseRedirect(f"{url}?submission={pk}#result")
    context: dict[str, Any] = {"submission": submission, "exercise": exercise}
    if submission.is_finished:
        context["history"] = submission_history(user=user, exercise=exercise)
        context["history_oob"] = True
    return render(request, "frontend/_submission.html", context)


@login_required
@require_POST
def submission_regrade_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Grades one of the learner's submissions again on the exercise's current version (a new submission)."""
    user = learner(request)
    submission = get_object_or_404(submission_with_results(user=user), pk=pk)
    exercise = submission.exercise
    try:
        again = submission_regrade(submission=submission, requested_by=user)
    except SubmissionError as exc:
        status = 429 if isinstance(exc, SubmissionRateLimited) else 400
        if is_htmx(request):
            return render(
                request,
                "frontend/_submission.html",
                {"error": str(exc), "submission": submission, "exercise": exercise},
            )
        return _page(request, user, exercise, shown=submission, error=str(exc), status=status)
    if is_htmx(request):
        return render(request, "frontend/_submission.html", {"submission": again, "exercise": exercise})
    url = reverse("frontend:exercise", kwargs={"slug": exercise.slug})
    return HttpResponseRedirect(f"{url}?submission={again.pk}#result")
