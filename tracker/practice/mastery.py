"""Pattern mastery and the next problems to try: pure functions over a learner's attempts.

`pattern_mastery` measures each pattern from the attempts at its problems (a problem counts for its primary
pattern):

- `solved_alone`: distinct problems of the pattern ever solved alone;
- `success_rate`: the share of the pattern's `RECENT` most recent attempts solved alone (None without attempts);
- `median_ratio`: the median of minutes over the difficulty's target (easy 15, medium 25, hard 40) among those
  recent attempts whose minutes are known (None when none are): 1.0 is on target, 2.0 twice as long;
- `weakness` in 0..1: `0.6 × (1 − success_rate) + 0.4 × min(max(median_ratio − 1, 0), 1)`, at least 0.7 when
  nothing of the pattern was ever solved alone; a pattern never practised is `UNPRACTISED` (0.5): it is unknown,
  weaker than a pattern mastered, stronger than one failed;
- `reasons`: why it is weak (codes with their numbers, which pages turn into sentences);
- `level`: the difficulty to practise it at: hard once a hard problem was solved alone, or 3 mediums with a
  success rate of 0.7 or more; medium once 2 easy problems or a medium one were solved alone; easy before.

`weakest_patterns` orders them weakest first, ties by the patterns' roadmap position, then slug.

`next_problems` suggests up to `count` problems the learner has not solved (alone or with hints) from the
weakest patterns that have any: one from each such pattern in turn, weakest first. Within a pattern it takes the
learner's level, else the nearest easier one, else the nearest harder one; problems never tried before those
tried without success, then those listed in more sets, then the earliest place in a set, then the slug. The
same inputs always give the same suggestions, each with why it was chosen.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .rating import TARGET_MINUTES, Difficulty, Outcome

RECENT = 10
UNPRACTISED = 0.5
NONE_ALONE_FLOOR = 0.7
LOW_SUCCESS = 0.7
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")


@dataclass(frozen=True, slots=True)
class PatternRef:
    slug: str
    position: int


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One attempt: at which problem (and its pattern and difficulty), when, and what happened.
    `order` breaks ties between attempts on one date (a later entry has a higher order)."""

    problem: str
    pattern: str
    difficulty: Difficulty
    date: dt.date
    outcome: Outcome
    minutes: int | None = None
    order: int = 0


@dataclass(frozen=True, slots=True)
class Reason:
    """Why: a code and, where it has one, its number (a rate, a ratio, a count or a difficulty)."""

    code: str
    value: float | int | str | None = None


@dataclass(frozen=True, slots=True)
class PatternMastery:
    pattern: str
    position: int
    attempts: int
    recent_attempts: int
    solved_alone: int
    success_rate: float | None
    median_ratio: float | None
    weakness: float
    level: Difficulty
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A problem the learner could try: its pattern, difficulty, whether they tried it, and how widely it is
    listed (`sets`, and its earliest `first_position` in any set)."""

    problem: str
    pattern: str
    difficulty: Difficulty
    tried: bool = False
    sets: int = 0
    first_position: int = 0


@dataclass(frozen=True, slots=True)
class Suggestion:
    problem: str
    pattern: str
    difficulty: Difficulty
    reasons: tuple[Reason, ...]


def _level(alone_by_difficulty: dict[Difficulty, int], success_rate: float | None) -> Difficulty:
    if alone_by_difficulty["hard"] >= 1 or (
        alone_by_difficulty["medium"] >= 3 and success_rate is not None and success_rate >= LOW_SUCCESS
    ):
        return "hard"
    if alone_by_difficulty["easy"] >= 2 or alone_by_difficulty["medium"] >= 1:
        return "medium"
    return "easy"


def pattern_mastery(*, patterns: Sequence[PatternRef], attempts: Iterable[AttemptRecord]) -> list[PatternMastery]:
    """Mastery of each of `patterns`, in the given order (see the module docstring)."""
    by_pattern: dict[str, list[AttemptRecord]] = defaultdict(list)
    for attempt in attempts:
        by_pattern[attempt.pattern].append(attempt)
    out = []
    for ref in patterns:
        mine = sorted(by_pattern.get(ref.slug, ()), key=lambda a: (a.date, a.order, a.problem), reverse=True)
        alone_problems: dict[str, Difficulty] = {}
        for attempt in mine:
            if attempt.outcome == "solved_alone":
                alone_problems[attempt.problem] = attempt.difficulty
        alone_by_difficulty = dict.fromkeys(DIFFICULTIES, 0)
        for difficulty in alone_problems.values():
            alone_by_difficulty[difficulty] += 1
        recent = mine[:RECENT]
        if not recent:
            out.append(
                PatternMastery(
                    ref.slug, ref.position, 0, 0, 0, None, None, UNPRACTISED, "easy", (Reason("not_practised"),)
                )
            )
            continue
        success = sum(a.outcome == "solved_alone" for a in recent) / len(recent)
        ratios = [a.minutes / TARGET_MINUTES[a.difficulty] for a in recent if a.minutes is not None]
        ratio = statistics.median(ratios) if ratios else None
        weakness = 0.6 * (1 - success) + 0.4 * min(max((ratio or 0) - 1, 0), 1)
        reasons: list[Reason] = []
        if not alone_problems:
            weakness = max(weakness, NONE_ALONE_FLOOR)
            reasons.append(Reason("none_alone"))
        if success < LOW_SUCCESS:
            reasons.append(Reason("low_success", round(success, 2)))
        if ratio is not None and ratio > 1:
            reasons.append(Reason("slow", round(ratio, 2)))
        if not reasons:
            reasons.append(Reason("strong"))
        out.append(
            PatternMastery(
                pattern=ref.slug,
                position=ref.position,
                attempts=len(mine),
                recent_attempts=len(recent),
                solved_alone=len(alone_problems),
                success_rate=success,
                median_ratio=ratio,
                weakness=round(weakness, 4),
                level=_level(alone_by_difficulty, success),
                reasons=tuple(reasons),
            )
        )
    return out


def weakest_patterns(masteries: Iterable[PatternMastery]) -> list[PatternMastery]:
    """Weakest first; ties by roadmap position, then slug."""
    return sorted(masteries, key=lambda m: (-m.weakness, m.position, m.pattern))


def _difficulty_order(level: Difficulty) -> list[Difficulty]:
    """The level, then easier ones nearest first, then harder ones nearest first."""
    index = DIFFICULTIES.index(level)
    return [level, *reversed(DIFFICULTIES[:index]), *DIFFICULTIES[index + 1 :]]


def next_problems(
    *, masteries: Iterable[PatternMastery], candidates: Iterable[Candidate], count: int = 5
) -> list[Suggestion]:
    """Up to `count` problems to try next (see the module docstring)."""
    if count <= 0:
        return []
    by_pattern: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_pattern[candidate.pattern].append(candidate)
    queues: list[tuple[PatternMastery, list[Candidate]]] = []
    for mastery in weakest_patterns(masteries):
        pool = by_pattern.get(mastery.pattern)
        if not pool:
            continue
        rank = {d: i for i, d in enumerate(_difficulty_order(mastery.level))}
        ordered = sorted(pool, key=lambda c: (rank[c.difficulty], c.tried, -c.sets, c.first_position, c.problem))
        queues.append((mastery, ordered))
    suggestions: list[Suggestion] = []
    round_index = 0
    while len(suggestions) < count and any(round_index < len(q) for _, q in queues):
        for mastery, queue in queues:
            if round_index < len(queue) and len(suggestions) < count:
                chosen = queue[round_index]
                reasons = [
                    Reason("weak_pattern", mastery.pattern),
                    *mastery.reasons,
                    Reason("at_level" if chosen.difficulty == mastery.level else "nearest_level", mastery.level),
                ]
                if chosen.tried:
                    reasons.append(Reason("tried_before"))
                if chosen.sets:
                    reasons.append(Reason("in_sets", chosen.sets))
                suggestions.append(Suggestion(chosen.problem, chosen.pattern, chosen.difficulty, tuple(reasons)))
        round_index += 1
    return suggestions
