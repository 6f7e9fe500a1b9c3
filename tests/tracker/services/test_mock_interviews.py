"""Mock interviews: what a session draws, the server's clock (time-machine), closing once, and scoring."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from tests.factories import QuestionFactory, UserFactory
from tracker.models import MockSession, Pattern, Problem, ProblemAttempt, ProblemProgress, QuestionReview, User
from tracker.selectors.mock_interviews import mock_history, mock_problems_draw
from tracker.services.mock_interviews import (
    MockAlreadyRunning,
    MockError,
    PartScore,
    mock_session_close_if_expired,
    mock_session_end,
    mock_session_score,
    mock_session_start,
    mock_sessions_close_expired,
)
from tracker.services.problems import problem_attempt_create
from tracker.services.questions import question_review_rate

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def _patterns() -> list[Pattern]:
    return [
        Pattern.objects.create(slug=slug, title=slug.title(), is_primary=True, position=i)
        for i, slug in enumerate(["arrays-hashing", "two-pointers", "trees", "graphs"])
    ]


def _problem(pattern: Pattern, slug: str, difficulty: str = "medium") -> Problem:
    return Problem.objects.create(slug=slug, number="1", title=slug, difficulty=difficulty, pattern=pattern)


def _questions(n: int = 10, direction: str = "deployment-sdk") -> None:
    for i in range(n):
        QuestionFactory(question=f"Q{i}?", directions=direction)


def _score(outcome: str = "", value: int = 3) -> PartScore:
    return PartScore(communication=value, problem_solving=value, technical_competency=value, testing=value,
                     outcome=outcome)  # fmt: skip


def test_a_concepts_session_has_ten_questions_due_ones_first_and_twenty_minutes() -> None:
    user = UserFactory()
    _questions(12)
    due = QuestionFactory(question="Due one?", directions="deployment-sdk", difficulty="easy")
    question_review_rate(user=user, question=due, rating="again", now=NOW - dt.timedelta(days=3))
    QuestionFactory(question="Other direction?", directions="algorithms")
    session = mock_session_start(user=user, format="concepts", level="hard", direction="deployment-sdk", now=NOW)
    parts = list(session.parts.order_by("position"))
    assert len(parts) == 10 and all(p.kind == "question" for p in parts)
    assert parts[0].question == due
    assert all("deployment-sdk" in p.question.directions for p in parts)
    assert session.ends_at - session.started_at == dt.timedelta(minutes=20)


def test_a_coding_session_never_draws_a_problem_solved_in_the_last_seven_days() -> None:
    user = UserFactory()
    arrays, pointers, trees, graphs = _patterns()
    recent = _problem(arrays, "two-sum")
    _problem(arrays, "contains-duplicate")
    _problem(pointers, "valid-palindrome")
    _problem(trees, "invert-binary-tree")
    _problem(graphs, "number-of-islands")
    with time_machine.travel(NOW - dt.timedelta(days=3), tick=False):
        problem_attempt_create(user=user, problem=recent, outcome="solved_alone", minutes=10)
    for _ in range(20):
        drawn = mock_problems_draw(user=user, level="medium", count=2, now=NOW, today=TODAY)
        assert recent not in drawn and len(drawn) == 2
        assert drawn[0].pattern_id != drawn[1].pattern_id


def test_due_re_solves_come_first_then_the_weakest_patterns() -> None:
    user = UserFactory()
    arrays, pointers, trees, _graphs = _patterns()
    old = _problem(trees, "maximum-depth")
    strong = [_problem(arrays, f"array-{i}") for i in range(3)]
    _problem(arrays, "array-unsolved")
    weak = _problem(pointers, "three-sum")
    with time_machine.travel(NOW - dt.timedelta(days=60), tick=False):
        problem_attempt_create(user=user, problem=old, outcome="not_solved")
    with time_machine.travel(NOW - dt.timedelta(days=3), tick=False):
        for p in strong:
            problem_attempt_create(user=user, problem=p, outcome="solved_alone", minutes=10)
    assert ProblemProgress.objects.get(user=user, problem=old).due <= NOW
    drawn = mock_problems_draw(user=user, level="medium", count=2, now=NOW, today=TODAY)
    assert drawn[0] == old
    assert drawn[1] == weak  # two-pointers has nothing solved alone; arrays has three


def test_not_enough_to_draw_says_what_is_missing_and_starts_nothing() -> None:
    user = UserFactory()
    _questions(4)
    with pytest.raises(MockError, match="4 of 10 questions"):
        mock_session_start(user=user, format="concepts", level="medium", direction="deployment-sdk", now=NOW)
    with pytest.raises(MockError, match="format"):
        mock_session_start(user=user, format="speed", level="medium", direction="deployment-sdk", now=NOW)
    assert not MockSession.objects.exists()


def test_one_session_runs_at_a_time_until_its_time_is_up() -> None:
    user = UserFactory()
    _questions()
    first = mock_session_start(user=user, format="concepts", level="medium", direction="deployment-sdk", now=NOW)
    with pytest.raises(MockAlreadyRunning) as caught:
        mock_session_start(user=user, format="concepts", level="medium", direction="deployment-sdk",
                           now=NOW + dt.timedelta(minutes=19))  # fmt: skip
    assert caught.value.session == first
    second = mock_session_start(user=user, format="concepts", level="medium", direction="deployment-sdk",
                                now=NOW + dt.timedelta(minutes=21))  # fmt: skip
    first.refresh_from_db()
    assert first.status == "ended" and first.ended_at == NOW + dt.timedelta(minutes=20)
    assert second.status == "running"


def test_the_time_left_is_the_servers_and_reading_past_the_end_closes_it_at_the_end() -> None:
    user = UserFactory()
    _questions()
    with time_machine.travel(NOW, tick=False):
        session = mock_session_start(user=user, format="concepts", level="medium", direction="deployment-sdk")
    assert session.seconds_left(NOW + dt.timedelta(minutes=5)) == 15 * 60
    reloaded = MockSession.objects.get(pk=session.pk)  # another request, another device: the same rows
    assert reloaded.seconds_left(NOW + dt.timedelta(minutes=5)) == 15 * 60
    assert not mock_session_close_if_expired(session=reloaded, now=NOW + dt.timedelta(minutes=19, seconds=59))
    assert mock_session_close_if_expired(session=reloaded, now=NOW + dt.timedelta(hours=3))
    assert (reloaded.status, reloaded.end_reason) == ("ended", "time_up")
    assert reloaded.ended_at == NOW + dt.timedelta(minutes=20)
    assert reloaded.seconds_left(NOW + dt.timedelta(minutes=5)) == 0


def test_the_periodic_job_closes_each_expired_session_once() -> None:
    users = [UserFactory() for _ in range(3)]
    _questions()
    for i, user in enumerate(users):
        mock_session_start(user=user, format="concepts", level="medium", direction="deployment-sdk",
                           now=NOW + dt.timedelta(minutes=i * 10))  # fmt: skip
    assert mock_sessions_close_expired(now=NOW + dt.timedelta(minutes=31)) == 2
    assert mock_sessions_close_expired(now=NOW + dt.timedelta(minutes=31)) == 0
    assert MockSession.objects.filter(status="running").count() == 1
    assert mock_sessions_close_expired(now=NOW + dt.timedelta(hours=1)) == 1


def test_ending_early_keeps_when_it_ended() -> None:
    user = UserFactory()
    _questions()
    session = mock_session_start(user=user, format="concepts", level="medium", direction="deployment-sdk", now=NOW)
    mock_session_end(session=session, now=NOW + dt.timedelta(minutes=8))
    assert (session.status, session.end_reason) == ("ended", "finished")
    assert session.ended_at == NOW + dt.timedelta(minutes=8)


def test_scoring_a_mixed_session_makes_an_attempt_and_reviews(django_capture_on_commit_callbacks: object) -> None:
    user = UserFactory()
    arrays, *_ = _patterns()
    problem = _problem(arrays, "two-sum")
    _questions(5)
    session = mock_session_start(user=user, format="mixed", level="medium", direction="deployment-sdk", now=NOW)
    assert session.ends_at - session.started_at == dt.timedelta(minutes=35)
    kinds = [p.kind for p in session.parts.order_by("position")]
    assert kinds == ["problem"] + ["question"] * 5
    scores = {1: _score(), **{n: _score(value=2) for n in range(2, 7)}}
    with pytest.raises(MockError, match="part 1: say how the problem went"):
        mock_session_score(session=session, scores=scores, now=NOW + dt.timedelta(minutes=40))
    assert not ProblemAttempt.objects.exists() and not QuestionReview.objects.exists()
    scores[1] = _score("solved_with_hints")
    mock_session_score(session=session, scores=scores, notes="ok", now=NOW + dt.timedelta(minutes=40))
    attempt = ProblemAttempt.objects.get(user=user)
    assert attempt.problem == problem and attempt.outcome == "solved_with_hints"
    assert session.parts.get(position=1).attempt == attempt
    assert list(QuestionReview.objects.filter(user=user).values_list("rating", flat=True)) == [2] * 5
    with pytest.raises(MockError, match="already scored"):
        mock_session_score(session=session, scores=scores)


def test_the_history_gives_a_trend_per_rubric_line() -> None:
    user: User = UserFactory()
    _questions()
    for i, value in enumerate([1, 2, 2, 3, 4, 4]):
        start = NOW + dt.timedelta(hours=i)
        session = mock_session_start(
            user=user, format="concepts", level="medium", direction="deployment-sdk", now=start
        )
        mock_session_score(session=session, scores=dict.fromkeys(range(1, 11), _score(value=value)),
                           now=start + dt.timedelta(minutes=30))  # fmt: skip
    sessions, trends = mock_history(user=user)
    assert len(sessions) == 6
    communication = trends[0]
    assert communication.line == "communication" and communication.means == (1, 2, 2, 3, 4, 4)
    assert communication.latest == 4 and communication.change == pytest.approx(11 / 3 - 5 / 3)


@pytest.mark.django_db(transaction=True)
def test_a_reader_and_the_periodic_job_at_once_close_a_session_once(postgres: None) -> None:
    """On PostgreSQL, the guarded UPDATE lets exactly one of them close it."""
    user = UserFactory()
    _questions()
    session = mock_session_start(user=user, format="concepts", level="medium", direction="deployment-sdk", now=NOW)
    later = NOW + dt.timedelta(hours=1)
    closed: list[int] = []
    barrier = threading.Barrier(4)

    def job() -> None:
        try:
            barrier.wait()
            closed.append(mock_sessions_close_expired(now=later))
        finally:
            connection.close()

    def reader() -> None:
        try:
            barrier.wait()
            mock_session_close_if_expired(session=MockSession.objects.get(pk=session.pk), now=later)
        finally:
            connection.close()

    threads = [threading.Thread(target=t) for t in (job, job, reader, reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    session.refresh_from_db()
    assert session.status == "ended" and session.ended_at == NOW + dt.timedelta(minutes=20)
    assert sum(closed) <= 1
