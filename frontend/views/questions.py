"""Concept questions: the bank with filters (topic, difficulty, direction, yours), a question with its answer
behind "show answer" (a <details>, so it works without JavaScript), a review session of the due ones rated
again / hard / good / easy (FSRS), and adding and deleting your own."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontend.forms import QuestionForm
from frontend.views.common import back, learner, parse_int
from tracker.models import CareerDirection, Question
from tracker.selectors.questions import ReviewNext, question_review_next, questions_due_count, questions_for_learner
from tracker.services.questions import QuestionError, question_create, question_delete, question_review_rate

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> dict[str, str]:
    def pick(name: str, allowed: list[str]) -> str:
        value = request.GET.get(name, "")
        return value if value in allowed else ""

    return {
        "topic": pick("topic", Question.Topic.values),
        "difficulty": pick("difficulty", Question.Difficulty.values),
        "direction": pick("direction", CareerDirection.values),
        "mine": pick("mine", ["1"]),
    }


@login_required
@require_GET
def questions(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    chosen = _filters(request)
    rows = questions_for_learner(
        user=user,
        topic=chosen["topic"],
        difficulty=chosen["difficulty"],
        direction=chosen["direction"],
        own=True if chosen["mine"] else None,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    context: dict[str, Any] = {
        "page": page,
        "chosen": chosen,
        "query": query,
        "topics": Question.Topic.choices,
        "difficulties": Question.Difficulty.choices,
        "directions": CareerDirection.choices,
        "due": questions_due_count(user=user, now=timezone.now()),
        "now": timezone.now(),
    }
    return render(request, "frontend/questions.html", context)


@login_required
@require_GET
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = learner(request)
    question = get_object_or_404(questions_for_learner(user=user), pk=pk)
    return render(request, "frontend/question.html", {"question": question, "now": timezone.now()})


@login_required
@require_GET
def question_review(request: HttpRequest) -> HttpResponse:
    """One question at a time: the most overdue, else a new one; "show answer" opens the answer and the
    ratings (a <details>, or `?answer=1` as a second request)."""
    user = learner(request)
    direction = request.GET.get("direction", "")
    direction = direction if direction in CareerDirection.values else ""
    nxt = question_review_next(
        user=user, now=timezone.now(), direction=direction, skip=parse_int(request.GET.get("skip"))
    )
    shown = parse_int(request.GET.get("question"))
    if shown is not None:
        # "Show answer on a new page" (no JavaScript, no <details>): the same question again, answer open.
        again = questions_for_learner(user=user).filter(pk=shown).first()
        if again is not None:
            nxt = ReviewNext(question=again, is_new=again.my_due is None, due_left=nxt.due_left)
    context: dict[str, Any] = {
        "next": nxt,
        "question": nxt.question,
        "direction": direction,
        "directions": CareerDirection.choices,
        "show_answer": request.GET.get("answer") == "1",
    }
    return render(request, "frontend/question_review.html", context)


@login_required
@require_POST
def question_rate(request: HttpRequest, pk: int) -> HttpResponse:
    user = learner(request)
    question = get_object_or_404(questions_for_learner(user=user), pk=pk)
    try:
        question_review_rate(user=user, question=question, rating=request.POST.get("rating", ""))
    except QuestionError as exc:
        return back(request, "frontend:question-review", error=str(exc))
    if request.POST.get("next"):
        # Rated from Today (or another page that says where to go back to).
        return back(request, "frontend:question-review")
    direction = request.POST.get("direction", "")
    url = reverse("frontend:question-review")
    if direction in CareerDirection.values:
        url += f"?direction={direction}"
    return HttpResponseRedirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def question_add(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            question = question_create(
                user=user,
                question=data["question"],
                answer=data["answer"],
                topic=data["topic"],
                difficulty=data["difficulty"],
                directions=data["directions"],
                source_url=data["source_url"],
            )
        except QuestionError as exc:
            form.add_error(None, str(exc))
        else:
            return back(request, reverse("frontend:question", kwargs={"pk": question.pk}), ok=_("Question added."))
    status = 400 if request.method == "POST" else 200
    return render(request, "frontend/question_form.html", {"form": form}, status=status)


@login_required
@require_POST
def question_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = learner(request)
    question = get_object_or_404(Question.objects.filter(owner=user), pk=pk)
    question_delete(user=user, question=question)
    return back(request, "frontend:questions", ok=_("Question deleted."))
