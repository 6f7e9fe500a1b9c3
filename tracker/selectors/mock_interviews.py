"""Reads for mock interviews: what a new session draws (due re-solves, weak patterns, due questions; never a
problem solved in the last 7 days), one session with its parts, the history with a trend per rubric line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from tracker.models import (
    MockPart,
    MockSession,
    Pattern,
    Problem,
    ProblemAttempt,
    ProblemProgress,
    Question,
    User,
)
from tracker.models.mock_interviews import RUBRIC_LINES
from tracker.models.problems import SOLVED_OUTCOMES
from tracker.selectors.questions import questions_for_learner

RECENT_DAYS = 7
HISTORY_LENGTH = 50
_LEVELS = ("easy", "medium", "hard")


def _levels_from(level: str) -> list[str]:
    """The level first, then the nearest ones (medium: medium, easy, hard)."""
    return sorted(_LEVELS, key=lambda d: (abs(_LEVELS.index(d) - _LEVELS.index(level)), _LEVELS.index(d)))


def mock_problems_draw(*, user: User, level: str, count: int, now: dt.datetime, today: dt.date) -> list[Problem]:
    """`count` problems for a session: due re-solves first, then unsolved problems of the weakest patterns,
    at the level (then the nearest); never one solved in the last 7 days, at most one per pattern while
    there is a choice. Three queries."""
    if count <= 0:
        return []
    recent = ProblemAttempt.objects.filter(
        user=user, date__gt=today - dt.timedelta(days=RECENT_DAYS), outcome__in=SOLVED_OUTCOMES
    ).values("problem_id")
    order = {d: i for i, d in enumerate(_levels_from(level))}
    chosen: list[Problem] = []
    patterns: set[int] = set()

    def take(candidates: list[Problem]) -> None:
        for problem in sorted(candidates, key=lambda p: order[p.difficulty]):
            if len(chosen) < count and problem.pattern_id not in patterns and problem not in chosen:
                chosen.append(problem)
                patterns.add(problem.pattern_id)

    due = list(
        Problem.objects.filter(progress__user=user, progress__due__lte=now)
        .exclude(pk__in=recent)
        .select_related("pattern")
        .order_by("progress__due", "id")[: count * 5]
    )
    take(due)
    if len(chosen) < count:
        # Weakest primary patterns first: fewest problems solved alone.
        weak = list(
            Pattern.objects.filter(is_primary=True)
            .annotate(
                alone=Coalesce(
                    Sum("problems__progress__solved_alone_count", filter=Q(problems__progress__user=user)), 0
                )
            )
            .order_by("alone", "position", "id")
            .values_list("pk", flat=True)[: max(count * 3, 6)]
        )
        fresh = list(
            Problem.objects.filter(pattern_id__in=weak)
            .exclude(progress__user=user, progress__status=ProblemProgress.Status.SOLVED)
            .exclude(pk__in=recent)
            .select_related("pattern")
            .order_by("id")[:200]
        )
        rank = {pk: i for i, pk in enumerate(weak)}
        take(sorted(fresh, key=lambda p: (rank[p.pattern_id], order[p.difficulty], p.pk)))
    if len(chosen) < count:
        patterns.clear()  # too few patterns left to keep them apart
        take(due)
    return chosen


def mock_questions_draw(*, user: User, direction: str, level: str, count: int, now: dt.datetime) -> list[Question]:
    """`count` questions of the direction: due ones first (most overdue), then never reviewed at the level
    (then the nearest), then the ones due soonest. One query."""
    if count <= 0:
        return []
    candidates: list[Question] = list(questions_for_learner(user=user, direction=direction)[:2000])
    order = {d: i for i, d in enumerate(_levels_from(level))}
    far = now + dt.timedelta(days=365 * 100)

    def key(q: Question) -> tuple[int, float, int, int]:
        due = getattr(q, "my_due", None)
        if due is not None and due <= now:
            return (0, due.timestamp(), 0, q.pk)
        if due is None:
            return (1, 0.0, order[q.difficulty], q.pk)
        return (2, min(due, far).timestamp(), order[q.difficulty], q.pk)

    return sorted(candidates, key=key)[:count]


def mock_sessions_of(*, user: User) -> QuerySet[MockSession]:
    """The learner's sessions, newest first, with their parts (and each part's problem or question)."""
    parts = MockPart.objects.select_related("question", "problem", "problem__pattern").order_by("position")
    return (
        MockSession.objects.filter(user=user)
        .prefetch_related(Prefetch("parts", queryset=parts))
        .order_by("-started_at", "-id")
    )


def mock_session_running(*, user: User) -> MockSession | None:
    return MockSession.objects.filter(user=user, status=MockSession.Status.RUNNING).first()


@dataclass(frozen=True)
class RubricTrend:
    """One rubric line over the scored sessions: the mean of each, oldest first, and the change."""

    line: str
    means: tuple[float, ...]

    @property
    def latest(self) -> float | None:
        return self.means[-1] if self.means else None

    @property
    def change(self) -> float | None:
        """The mean of the last 3 sessions minus that of the 3 before (None until there are 4 sessions)."""
        if len(self.means) < 4:
            return None
        last = self.means[-3:]
        before = self.means[-6:-3]
        return round(sum(last) / len(last) - sum(before) / len(before), 2)


def mock_history(*, user: User, limit: int = HISTORY_LENGTH) -> tuple[list[MockSession], list[RubricTrend]]:
    """The last scored and unscored sessions (newest first) and a trend per rubric line (2 queries)."""
    sessions = list(mock_sessions_of(user=user)[:limit])
    scored = [s for s in reversed(sessions) if s.status == MockSession.Status.SCORED]
    trends = []
    for line in RUBRIC_LINES:
        means = []
        for session in scored:
            values = [getattr(p, line) for p in session.parts.all() if getattr(p, line) is not None]
            if values:
                means.append(round(sum(values) / len(values), 2))
        trends.append(RubricTrend(line=line, means=tuple(means)))
    return sessions, trends


def mock_scores_by_direction(*, user: User) -> dict[str, list[float]]:
    """Each scored session's mean rubric score (all lines, all parts), newest first, by direction (one query)."""
    rows = (
        MockPart.objects.filter(session__user=user, session__status=MockSession.Status.SCORED)
        .order_by("-session__started_at", "-session_id")
        .values_list("session_id", "session__direction", *RUBRIC_LINES)
    )
    sums: dict[int, float] = {}
    counts: dict[int, int] = {}
    directions: dict[int, str] = {}
    for session_id, direction, *scores in rows:
        values = [v for v in scores if v is not None]
        if values:
            directions[session_id] = direction
            sums[session_id] = sums.get(session_id, 0.0) + sum(values)
            counts[session_id] = counts.get(session_id, 0) + len(values)
    out: dict[str, list[float]] = {}
    for session_id, total in sums.items():  # dicts keep the newest-first order of the rows
        out.setdefault(directions[session_id], []).append(total / counts[session_id])
    return out
