"""Mock interviews: start one (format, level, direction), run it against the server's clock (the time left
is rendered, and a small script counts it down), end it, score each part on the rubric, and the history
with a trend per rubric line. A session past its end closes itself when it is read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from frontend.forms import MockStartForm
from frontend.views.common import back, learner, parse_int
from tracker.models import MockPart, MockSession, ProblemAttempt
from tracker.models.mock_interviews import RUBRIC_LINES
from tracker.selectors.mock_interviews import mock_history, mock_sessions_of
from tracker.services.mock_interviews import (
    FORMATS,
    MockAlreadyRunning,
    MockError,
    PartScore,
    mock_session_close_if_expired,
    mock_session_end,
    mock_session_score,
    mock_session_start,
)

RUBRIC_LABELS = {
    "communication": gettext_lazy("Communication"),
    "problem_solving": gettext_lazy("Problem solving"),
    "technical_competency": gettext_lazy("Technical competency"),
    "testing": gettext_lazy("Testing"),
}


def _rubric() -> list[tuple[str, str]]:
    return [(line, str(RUBRIC_LABELS[line])) for line in RUBRIC_LINES]


@login_required
@require_GET
def mocks(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    sessions, trends = mock_history(user=user)
    running = next((s for s in sessions if s.status == MockSession.Status.RUNNING), None)
    if running is not None and mock_session_close_if_expired(session=running):
        running = None
    context: dict[str, Any] = {
        "form": MockStartForm(),
        "sessions": sessions,
        "trends": [(t, str(RUBRIC_LABELS[t.line])) for t in trends],
        "running": running,
        "formats": FORMATS,
    }
    return render(request, "frontend/mocks.html", context)


@login_required
@require_POST
def mock_start(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    form = MockStartForm(request.POST)
    if not form.is_valid():
        return back(request, "frontend:mocks", error=_("Choose a format, a level and a career direction."))
    try:
        session = mock_session_start(user=user, **form.cleaned_data)
    except MockAlreadyRunning as exc:
        messages_url = reverse("frontend:mock", kwargs={"pk": exc.session.pk})
        return back(request, messages_url, error=str(exc))
    except MockError as exc:
        return back(request, "frontend:mocks", error=str(exc))
    return HttpResponseRedirect(reverse("frontend:mock", kwargs={"pk": session.pk}))


def _session(request: HttpRequest, pk: int) -> MockSession:
    session: MockSession = get_object_or_404(mock_sessions_of(user=learner(request)), pk=pk)
    mock_session_close_if_expired(session=session)
    return session


def _score_rows(parts: list[MockPart], posted: Any = None) -> list[dict[str, Any]]:
    """Each part's scoring fields with what is chosen (the saved scores, or what was just sent back)."""
    rows = []
    for part in parts:
        lines = []
        for line, label in _rubric():
            name = f"p{part.position}-{line}"
            current = parse_int(posted.get(name)) if posted is not None else getattr(part, line)
            lines.append({"name": name, "label": label, "options": [(n, n == current) for n in range(1, 5)]})
        prefix = f"p{part.position}"
        rows.append(
            {
                "part": part,
                "lines": lines,
                "outcome": posted.get(f"{prefix}-outcome", "") if posted is not None else part.outcome,
                "notes": posted.get(f"{prefix}-notes", "") if posted is not None else part.notes,
            }
        )
    return rows


def _page(
    request: HttpRequest, session: MockSession, *, posted: Any = None, error: str = "", status: int = 200
) -> HttpResponse:
    parts = list(session.parts.all())
    context: dict[str, Any] = {
        "session": session,
        "parts": parts,
        "rows": _score_rows(parts, posted),
        "seconds_left": (left := session.seconds_left(timezone.now())),
        "clock": f"{left // 60}:{left % 60:02d}",
        "outcomes": ProblemAttempt.Outcome.choices,
        "notes": posted.get("notes", "") if posted is not None else session.notes,
        "error": error,
    }
    return render(request, "frontend/mock.html", context, status=status)


@login_required
@require_GET
def mock_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _session(request, pk))


@login_required
@require_POST
def mock_end(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    mock_session_end(session=session)
    return HttpResponseRedirect(reverse("frontend:mock", kwargs={"pk": pk}) + "#score")


@login_required
@require_POST
def mock_score(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    parts: list[MockPart] = list(session.parts.all())
    scores: dict[int, PartScore] = {}
    for part in parts:
        values = {line: parse_int(request.POST.get(f"p{part.position}-{line}")) for line in RUBRIC_LINES}
        if any(v is None for v in values.values()):
            continue  # the service names the part that has no scores
        scores[part.position] = PartScore(
            communication=values["communication"] or 0,
            problem_solving=values["problem_solving"] or 0,
            technical_competency=values["technical_competency"] or 0,
            testing=values["testing"] or 0,
            outcome=request.POST.get(f"p{part.position}-outcome", ""),
            notes=request.POST.get(f"p{part.position}-notes", "")[:5000],
        )
    try:
        mock_session_score(session=session, scores=scores, notes=request.POST.get("notes", "")[:20_000])
    except MockError as exc:
        # Nothing was saved: the page comes back with what was sent, and says which part is missing what.
        session.refresh_from_db()
        return _page(request, session, posted=request.POST, error=str(exc), status=400)
    return back(
        request,
        reverse("frontend:mock", kwargs={"pk": pk}),
        ok=_("Scored. The questions are scheduled for review and the problems recorded as attempts."),
    )
