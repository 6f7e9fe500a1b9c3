"""Mock interviews: start a timed session, end it, score it; the scores become attempts and reviews.

The clock is the server's. A session stores `started_at` and `ends_at`; every surface computes the time left
from them, so a reload, a second device and the API agree. A session past its end closes itself:

* on read, `mock_session_close_if_expired` (the pages and the API call it before showing a session), and
* every minute, beat's "Close expired mock interviews" (`mock_sessions_close_expired`).

Both close with one guarded UPDATE (`status = running AND ends_at <= now` → ended), the claim-before-act
pattern of the other periodic jobs: whichever runs first closes the session, the other changes nothing, so
a session is closed once and its `ended_at` is its `ends_at` (the moment time was up, not when it was noticed).
At most one session runs per learner (a partial unique constraint), so a double click starts one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tracker.models import CareerDirection, MockPart, MockSession, ProblemAttempt, Question, User
from tracker.models.mock_interviews import RUBRIC_LINES
from tracker.selectors.mock_interviews import mock_problems_draw, mock_questions_draw
from tracker.services.learner_state import learner_state_bump, learner_states_bump
from tracker.services.planning import plan_rebuild
from tracker.services.problems import ProblemError, problem_attempt_create
from tracker.services.questions import learner_today, question_review_rate, rating_from_scores


@dataclass(frozen=True)
class FormatRule:
    problems: int
    questions: int
    minutes: int


FORMATS: dict[str, FormatRule] = {
    MockSession.Format.CODING: FormatRule(problems=2, questions=0, minutes=45),
    MockSession.Format.CONCEPTS: FormatRule(problems=0, questions=10, minutes=20),
    MockSession.Format.MIXED: FormatRule(problems=1, questions=5, minutes=35),
}


class MockError(Exception):
    """A session that cannot be started, ended or scored; the message says why and what to do."""


class MockAlreadyRunning(MockError):
    def __init__(self, session: MockSession) -> None:
        self.session = session
        super().__init__("A mock interview is already running: finish it (or let its time run out) first.")


@dataclass(frozen=True)
class PartScore:
    """The learner's scores (1–4) for one part on the four rubric lines, with a problem's outcome."""

    communication: int
    problem_solving: int
    technical_competency: int
    testing: int
    outcome: str = ""
    notes: str = ""
    minutes: int | None = None


@transaction.atomic
def mock_session_start(
    *, user: User, format: str, level: str, direction: str, now: dt.datetime | None = None
) -> MockSession:
    """Starts a session drawn for the learner; raises MockAlreadyRunning if one still runs."""
    now = now or timezone.now()
    if format not in FORMATS:
        raise MockError(f"format: choose one of {', '.join(FORMATS)}, not {format!r}.")
    if level not in Question.Difficulty.values:
        raise MockError(f"level: choose one of {', '.join(Question.Difficulty.values)}, not {level!r}.")
    if direction not in CareerDirection.values:
        raise MockError(f"direction: choose one of {', '.join(CareerDirection.values)}, not {direction!r}.")
    running = MockSession.objects.filter(user=user, status=MockSession.Status.RUNNING).first()
    if running is not None and not mock_session_close_if_expired(session=running, now=now):
        raise MockAlreadyRunning(running)
    rule = FORMATS[format]
    today = learner_today(user=user, now=now)
    problems = mock_problems_draw(user=user, level=level, count=rule.problems, now=now, today=today)
    questions = mock_questions_draw(user=user, direction=direction, level=level, count=rule.questions, now=now)
    if len(problems) < rule.problems or len(questions) < rule.questions:
        raise MockError(
            f"Not enough to draw from for this format: {len(problems)} of {rule.problems} problems and "
            f"{len(questions)} of {rule.questions} questions. Load the catalogue (python manage.py seed), "
            "add your own questions, or choose another format or direction."
        )
    try:
        with transaction.atomic():
            session = MockSession.objects.create(
                user=user,
                format=format,
                level=level,
                direction=direction,
                started_at=now,
                ends_at=now + dt.timedelta(minutes=rule.minutes),
            )
    except IntegrityError as exc:  # another request started one meanwhile
        other = MockSession.objects.filter(user=user, status=MockSession.Status.RUNNING).first()
        if other is None:
            raise
        raise MockAlreadyRunning(other) from exc
    parts = [MockPart(session=session, kind=MockPart.Kind.PROBLEM, problem=p) for p in problems]
    parts += [MockPart(session=session, kind=MockPart.Kind.QUESTION, question=q) for q in questions]
    for position, part in enumerate(parts, start=1):
        part.position = position
    MockPart.objects.bulk_create(parts)
    learner_state_bump(user_id=user.pk)
    return session


def mock_session_close_if_expired(*, session: MockSession, now: dt.datetime | None = None) -> bool:
    """Closes a running session whose time is up (one guarded UPDATE); True if it is closed now or was."""
    now = now or timezone.now()
    if session.status != MockSession.Status.RUNNING:
        return True
    if session.ends_at > now:
        return False
    with transaction.atomic():
        closed = MockSession.objects.filter(pk=session.pk, status=MockSession.Status.RUNNING, ends_at__lte=now).update(
            status=MockSession.Status.ENDED,
            ended_at=F("ends_at"),
            end_reason=MockSession.EndReason.TIME_UP,
            updated_at=now,
        )
        if closed:
            learner_state_bump(user_id=session.user_id)
    session.refresh_from_db(fields=["status", "ended_at", "end_reason", "updated_at"])
    return True


def mock_sessions_close_expired(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """The periodic job: closes running sessions past their end, claimed with a guarded UPDATE so a session a
    reader closed meanwhile is not closed twice. Returns how many this call closed."""
    now = now or timezone.now()
    closed_total = 0
    while True:
        rows = list(
            MockSession.objects.filter(status=MockSession.Status.RUNNING, ends_at__lte=now)
            .order_by("ends_at")
            .values_list("pk", "user_id")[:batch]
        )
        if not rows:
            return closed_total
        with transaction.atomic():
            closed = MockSession.objects.filter(
                pk__in=[pk for pk, _ in rows], status=MockSession.Status.RUNNING, ends_at__lte=now
            ).update(
                status=MockSession.Status.ENDED,
                ended_at=F("ends_at"),
                end_reason=MockSession.EndReason.TIME_UP,
                updated_at=now,
            )
            if closed:
                learner_states_bump(user_ids={user_id for _, user_id in rows})
        closed_total += closed
        if len(rows) < batch:
            return closed_total


@transaction.atomic
def mock_session_end(*, session: MockSession, now: dt.datetime | None = None) -> MockSession:
    """The learner ends the session before its time (or it had already ended: nothing changes)."""
    now = now or timezone.now()
    if mock_session_close_if_expired(session=session, now=now):
        return session
    MockSession.objects.filter(pk=session.pk, status=MockSession.Status.RUNNING).update(
        status=MockSession.Status.ENDED,
        ended_at=now,
        end_reason=MockSession.EndReason.FINISHED,
        updated_at=now,
    )
    session.refresh_from_db()
    learner_state_bump(user_id=session.user_id)
    return session


def _check_score(part: MockPart, score: PartScore) -> None:
    where = f"part {part.position}"
    for line in RUBRIC_LINES:
        value = getattr(score, line)
        if not isinstance(value, int) or not 1 <= value <= 4:
            raise MockError(f"{where}: score {line.replace('_', ' ')} from 1 (weak) to 4 (strong).")
    if part.kind == MockPart.Kind.PROBLEM and score.outcome not in ProblemAttempt.Outcome.values:
        raise MockError(f"{where}: say how the problem went: {', '.join(ProblemAttempt.Outcome.values)}.")


@transaction.atomic
def mock_session_score(
    *,
    session: MockSession,
    scores: Mapping[int, PartScore],
    notes: str = "",
    now: dt.datetime | None = None,
) -> MockSession:
    """Scores every part (by position) and closes the session: a question's scores become a review (their mean
    as the rating), a problem's an attempt with the outcome the learner chose. A running session is ended
    first. All or nothing: a missing or bad score saves nothing and says which part."""
    now = now or timezone.now()
    session = MockSession.objects.select_for_update().get(pk=session.pk)
    if session.status == MockSession.Status.SCORED:
        raise MockError("This mock interview is already scored; start a new one.")
    if session.status == MockSession.Status.RUNNING:
        mock_session_end(session=session, now=now)
    parts = list(session.parts.select_related("question", "problem").order_by("position"))
    missing = [p.position for p in parts if p.position not in scores]
    if missing:
        raise MockError(f"Score every part: part {', '.join(map(str, missing))} has no scores.")
    for part in parts:
        _check_score(part, scores[part.position])
    user = session.user
    for part in parts:
        score = scores[part.position]
        for line in RUBRIC_LINES:
            setattr(part, line, getattr(score, line))
        part.notes = score.notes
        if part.kind == MockPart.Kind.QUESTION and part.question is not None:
            question_review_rate(
                user=user,
                question=part.question,
                rating=rating_from_scores(getattr(score, line) for line in RUBRIC_LINES),
                now=now,
                replan=False,
            )
        elif part.problem is not None:
            part.outcome = score.outcome
            part.attempt = _record_attempt(user=user, part=part, score=score, now=now)
    MockPart.objects.bulk_update(parts, [*RUBRIC_LINES, "notes", "outcome", "attempt"])
    session.status = MockSession.Status.SCORED
    session.scored_at = now
    session.notes = notes
    session.save(update_fields=["status", "scored_at", "notes", "updated_at"])
    plan_rebuild(user=user, today=learner_today(user=user, now=now))
    learner_state_bump(user_id=user.pk)
    return session


def _record_attempt(*, user: User, part: MockPart, score: PartScore, now: dt.datetime) -> ProblemAttempt:
    """A problem part as an attempt, through the problems' own service (it proposes the rating from the outcome
    and minutes, and schedules the re-solve)."""
    assert part.problem is not None  # noqa: S101 - a problem part has its problem (a constraint)
    try:
        recorded = problem_attempt_create(
            user=user, problem=part.problem, outcome=score.outcome, minutes=score.minutes, approach=score.notes, now=now
        )
    except ProblemError as exc:
        raise MockError(f"part {part.position}: {exc}") from exc
    return recorded.attempt
