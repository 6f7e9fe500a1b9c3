"""Reads of interview practice: problems with the learner's status, sets with their progress ("23 / 75"), a
problem's page, attempts, pattern mastery and the next problems to try. Each at a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from django.db.models import (
    BooleanField,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django_stubs_ext import WithAnnotations

from tracker.models import Pattern, Problem, ProblemAttempt, ProblemProgress, ProblemSet, ProblemSetEntry, User
from tracker.practice.mastery import (
    AttemptRecord,
    Candidate,
    PatternMastery,
    PatternRef,
    Reason,
    next_problems,
    pattern_mastery,
    weakest_patterns,
)

STATUSES = ("unsolved", "attempted", "solved", "due", "revisit")
WEAKEST_SHOWN = 5


class _ProblemMine(TypedDict):
    my_status: str
    my_due: dt.datetime | None
    my_revisit: bool
    my_attempts: int


type ProblemRow = WithAnnotations[Problem, _ProblemMine]


class _SetProgress(TypedDict):
    total: int
    solved: int


type ProblemSetRow = WithAnnotations[ProblemSet, _SetProgress]


def problems_for_learner(
    *,
    user: User,
    problem_set: ProblemSet | None = None,
    pattern: Pattern | None = None,
    difficulty: str = "",
    status: str = "",
    search: str = "",
    now: dt.datetime | None = None,
    time_zone: str = "UTC",
) -> QuerySet[ProblemRow]:
    """Problems with the learner's status (`my_status`: unsolved, attempted, solved), next re-solve (`my_due`),
    revisit flag and attempts, with the pattern joined; filtered by set (in the set's order), primary pattern or
    tag, difficulty, status (also `due`: a re-solve due by the end of the learner's day, and `revisit`) and a
    search in slug, number and titles. One query (tags are for the caller to prefetch)."""
    rows = Problem.objects.annotate(
        mine=FilteredRelation("progress", condition=Q(progress__user=user)),
    ).annotate(
        my_status=Coalesce(F("mine__status"), Value("unsolved")),
        my_due=F("mine__due"),
        my_revisit=Coalesce(F("mine__revisit"), Value(False), output_field=BooleanField()),
        my_attempts=Coalesce(F("mine__attempts_count"), Value(0), output_field=IntegerField()),
    )
    if problem_set is not None:
        rows = rows.filter(set_entries__problem_set=problem_set).annotate(set_position=F("set_entries__position"))
    if pattern is not None:
        rows = rows.filter(pattern=pattern) if pattern.is_primary else rows.filter(tags=pattern)
    if difficulty in Problem.Difficulty.values:
        rows = rows.filter(difficulty=difficulty)
    if status in ("unsolved", "attempted", "solved"):
        rows = rows.filter(my_status=status)
    elif status == "due":
        rows = rows.filter(mine__due__lt=end_of_day(now or dt.datetime.now(dt.UTC), time_zone))
    elif status == "revisit":
        rows = rows.filter(mine__revisit=True)
    # PostgreSQL refuses a NUL character in a text comparison, and no title has one.
    search = search.replace("\x00", "").strip()[:100]
    if search:
        rows = rows.filter(
            Q(slug__icontains=search)
            | Q(title__icontains=search)
            | Q(title_zh__icontains=search)
            | Q(number__iexact=search)
        )
    rows = rows.select_related("pattern")
    if problem_set is not None:
        return rows.order_by("set_position")  # type: ignore[misc]
    return rows.order_by("pattern__position", "pattern__slug", "slug")


def end_of_day(now: dt.datetime, time_zone: str) -> dt.datetime:
    zone = ZoneInfo(time_zone)
    today = now.astimezone(zone).date()
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def problem_sets_with_progress(*, user: User) -> QuerySet[ProblemSetRow]:
    """Every set with its number of problems (`total`) and how many of them the learner solved (`solved`).
    One query (the learner's solved problems are one uncorrelated subquery, read once)."""
    solved = ProblemProgress.objects.filter(user=user, status=ProblemProgress.Status.SOLVED).values("problem_id")
    return ProblemSet.objects.annotate(
        total=Count("entries"),
        solved=Count("entries", filter=Q(entries__problem_id__in=solved)),
    ).order_by("position", "slug")


def patterns_for_filter() -> QuerySet[Pattern]:
    """Primary patterns first in roadmap order, then the finer tags. One query."""
    return Pattern.objects.order_by("-is_primary", "position", "slug")


def problem_for_learner(*, user: User, slug: str) -> Problem | None:
    """A problem with its pattern, tags, the sets listing it (with their sections) and the learner's progress
    (`my_progress`: a list of at most one). Four queries."""
    return (
        Problem.objects.filter(slug=slug)
        .select_related("pattern")
        .prefetch_related(
            "tags",
            Prefetch(
                "set_entries",
                queryset=ProblemSetEntry.objects.select_related("problem_set").order_by("problem_set__position"),
            ),
            Prefetch("progress", queryset=ProblemProgress.objects.filter(user=user), to_attr="my_progress"),
        )
        .first()
    )


def problem_attempts(*, user: User, problem: Problem) -> QuerySet[ProblemAttempt]:
    """The learner's attempts at `problem`, newest first. One query."""
    return ProblemAttempt.objects.filter(user=user, problem=problem).order_by("-date", "-id")


def attempts_for_learner(*, user: User) -> QuerySet[ProblemAttempt]:
    """All the learner's attempts with their problem, newest first. One query."""
    return ProblemAttempt.objects.filter(user=user).select_related("problem").order_by("-date", "-id")


@dataclass(frozen=True)
class MasteryRow:
    pattern: Pattern
    mastery: PatternMastery
    why: list[str]


@dataclass(frozen=True)
class SuggestionRow:
    problem: Problem
    reasons: tuple[Reason, ...]
    why: list[str]


@dataclass(frozen=True)
class MasteryReport:
    patterns: list[MasteryRow]  # roadmap order
    weakest: list[MasteryRow]
    suggestions: list[SuggestionRow]


def _percent(rate: Any) -> str:
    return f"{round(float(rate) * 100)}%"


def reason_text(reason: Reason, titles: dict[str, str]) -> str:
    """A reason of tracker/practice/mastery.py as a sentence in the active language."""
    value = reason.value
    levels = {"easy": _("easy"), "medium": _("medium"), "hard": _("hard")}
    texts = {
        "not_practised": lambda: _("not practised yet"),
        "none_alone": lambda: _("no problem solved alone yet"),
        "low_success": lambda: _("%(rate)s of recent attempts solved alone") % {"rate": _percent(value)},
        "slow": lambda: _("median time %(ratio)s× the target") % {"ratio": value},
        "strong": lambda: _("solved alone, on time"),
        "weak_pattern": lambda: (
            _("%(pattern)s is one of your weakest patterns") % {"pattern": titles.get(str(value), str(value))}
        ),
        "at_level": lambda: _("%(level)s is your level in this pattern") % {"level": levels.get(str(value), value)},
        "nearest_level": lambda: (
            _("nearest to your level (%(level)s) left unsolved") % {"level": levels.get(str(value), value)}
        ),
        "tried_before": lambda: _("tried before without solving it"),
        "in_sets": lambda: _("listed in %(n)s sets") % {"n": value},
    }
    make = texts.get(reason.code)
    return make() if make else reason.code


def pattern_mastery_for_learner(*, user: User, suggestions: int = 5) -> MasteryReport:
    """Mastery per primary pattern, the weakest ones with why, and the next problems to try with why
    (tracker/practice/mastery.py). Five queries: patterns, attempts, candidate problems, suggested problems and
    their tags (none of the last two without suggestions)."""
    patterns = list(Pattern.objects.filter(is_primary=True).order_by("position", "slug"))
    records = [
        # Difficulty and outcome are the model's choices, which the core's literals name.
        AttemptRecord(slug, pattern, difficulty, date, outcome, minutes, pk)  # type: ignore[arg-type]
        for pk, slug, pattern, difficulty, date, outcome, minutes in ProblemAttempt.objects.filter(user=user)
        .order_by()
        .values_list(
            "pk", "problem__slug", "problem__pattern__slug", "problem__difficulty", "date", "outcome", "minutes"
        )
    ]
    masteries = pattern_mastery(patterns=[PatternRef(p.slug, p.position) for p in patterns], attempts=records)
    titles = {p.slug: p.display_title for p in patterns}
    by_slug = {p.slug: p for p in patterns}
    rows = [MasteryRow(by_slug[m.pattern], m, [reason_text(r, titles) for r in m.reasons]) for m in masteries]
    row_of = {row.pattern.slug: row for row in rows}
    weakest = [row_of[m.pattern] for m in weakest_patterns(masteries)][:WEAKEST_SHOWN]

    solved = ProblemProgress.objects.filter(user=user, status=ProblemProgress.Status.SOLVED).values("problem_id")
    tried = {r.problem for r in records}
    candidates = [
        Candidate(
            problem=slug,
            pattern=pattern,
            difficulty=difficulty,  # type: ignore[arg-type]  # a choice of the model: easy, medium, hard
            tried=slug in tried,
            sets=sets,
            first_position=first or 0,
        )
        for slug, pattern, difficulty, sets, first in Problem.objects.exclude(pk__in=solved)
        .annotate(in_sets=Count("set_entries"), first=Min("set_entries__position"))
        .values_list("slug", "pattern__slug", "difficulty", "in_sets", "first")
    ]
    chosen = next_problems(masteries=masteries, candidates=candidates, count=suggestions)
    if not chosen:
        return MasteryReport(patterns=rows, weakest=weakest, suggestions=[])
    problems = (
        Problem.objects.select_related("pattern")
        .prefetch_related("tags")
        .in_bulk([s.problem for s in chosen], field_name="slug")
    )
    suggestion_rows = [
        SuggestionRow(problems[s.problem], s.reasons, [reason_text(r, titles) for r in s.reasons]) for s in chosen
    ]
    return MasteryReport(patterns=rows, weakest=weakest, suggestions=suggestion_rows)
