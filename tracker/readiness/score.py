"""Interview readiness for one career direction: a figure 0–100 made of visible parts.

`readiness` is pure and deterministic: no database, no clock; the caller gathers the inputs
(tracker/selectors/readiness.py). The figure is the sum of six parts, each worth at most its weight:

| part | weight | value (0–1) |
|---|---|---|
| skills | 25 | the direction's skills self-assessed, level 0–4 over 4, weighted by tier (T3 4, T2 3, T1 2, T0 1) |
| track | 20 | done leaf items of the direction's `career-*` track over its leaf items |
| problems | 20 | per primary pattern, problems solved alone up to 3, over 3; the mean over the patterns |
| retention | 15 | the sum of FSRS retrievability of the direction's reviewed questions over min(questions, 50) |
| exercises | 10 | exercises passed (full score) over min(exercises, 10) |
| mocks | 10 | once 3 sessions are scored: (mean rubric score of the last 5 − 1) / 3; before that 0 |

Rules (the property tests check each):

1. Every part is capped: its value is clipped to 0–1, so a part never gives more than its weight, and
   the figure is within 0–100.
2. More of any part never lowers the figure: a higher skill level, more items done, more problems solved
   alone, higher retrievability or more reviewed questions, more exercises passed, a higher mock score, or
   the first three mock sessions.
3. Uncertainty: each part has a lower and an upper value around its value. Self-assessed skills count one
   level lower and one level higher; retention's lower value is the retrievability a week from now with no
   review (what is left if the learner stops); a skill not assessed counts 0 in all three; mock scores,
   self-scored, count half a point lower and higher.
   Counts (items, problems, exercises) are exact. So `low <= score <= high`, all within 0–100.
4. The mock part is shown (and counts) only after 3 scored sessions; before that it is 0 of 10.
5. Next actions: for each kind of action, the gain in points of one realistic sitting (rate or raise the
   most valuable skill one level, finish the track's next 5 items, solve 2 problems alone in the weakest
   pattern, review the due questions and learn up to 10 new ones, pass one more exercise, do a mock
   interview); the three with the largest gain, largest first (ties in the order just given). An action
   that gains nothing is never proposed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WEIGHTS: dict[str, int] = {"skills": 25, "track": 20, "problems": 20, "retention": 15, "exercises": 10, "mocks": 10}
TIER_WEIGHTS: dict[str, int] = {"T3": 4, "T2": 3, "T1": 2, "T0": 1}
MAX_LEVEL = 4
PATTERN_TARGET = 3
RETENTION_TARGET = 50
EXERCISE_TARGET = 10
MOCKS_SHOWN_AFTER = 3
MOCKS_COUNTED = 5
TRACK_STEP = 5
PATTERN_STEP = 2
NEW_QUESTIONS_STEP = 10
# What a question just learned or reviewed is worth in retention: FSRS's default desired retention.
FRESH_RETRIEVABILITY = 0.9


@dataclass(frozen=True)
class SkillInput:
    key: str
    tier: str
    level: int | None  # None: not assessed yet (counts as 0)


@dataclass(frozen=True)
class QuestionMemory:
    now: float  # retrievability now, 0–1
    week: float  # retrievability a week from now without review, 0–1 (at most `now`)
    due: bool


@dataclass(frozen=True)
class ReadinessInputs:
    skills: Sequence[SkillInput] = ()
    track_done: int = 0
    track_total: int = 0
    solved_alone_by_pattern: Mapping[str, int] | None = None  # every primary pattern, with its count
    questions_total: int = 0  # questions of the direction the learner can review
    memories: Sequence[QuestionMemory] = ()  # the direction's reviewed questions
    exercises_passed: int = 0
    exercises_total: int = 0
    mock_scores: Sequence[float] = ()  # each scored session's mean rubric score (1–4), newest first


@dataclass(frozen=True)
class Part:
    name: str
    weight: int
    value: float  # 0–1
    low: float
    high: float
    shown: bool = True

    @property
    def points(self) -> float:
        return self.weight * self.value


@dataclass(frozen=True)
class Action:
    kind: str  # assess_skill, raise_skill, track_items, solve_pattern, review_questions, pass_exercise, mock
    target: str  # the skill key, pattern slug, ... (empty when the kind says it all)
    gain: float  # points


@dataclass(frozen=True)
class Readiness:
    score: int
    low: int
    high: int
    parts: tuple[Part, ...]
    actions: tuple[Action, ...]
    mocks_shown: bool


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def _part(name: str, value: float, low: float | None = None, high: float | None = None, shown: bool = True) -> Part:
    v = _clip(value)
    lo = min(v, _clip(low if low is not None else value))
    hi = max(v, _clip(high if high is not None else value))
    return Part(name, WEIGHTS[name], v, lo, hi, shown)


def _skills_value(skills: Sequence[SkillInput], shift: int = 0) -> float:
    total = sum(TIER_WEIGHTS.get(s.tier, 1) for s in skills)
    if not total:
        return 0.0
    got = sum(
        TIER_WEIGHTS.get(s.tier, 1) * min(MAX_LEVEL, max(0, s.level + shift)) / MAX_LEVEL
        for s in skills
        if s.level is not None
    )
    return got / total


def _ratio(done: int, total: int) -> float:
    return done / total if total > 0 else 0.0


def _patterns_value(counts: Mapping[str, int]) -> float:
    if not counts:
        return 0.0
    return sum(min(PATTERN_TARGET, max(0, c)) for c in counts.values()) / (PATTERN_TARGET * len(counts))


def _retention_target(questions_total: int) -> int:
    # Fixed by the bank, not by what was reviewed: another reviewed question can only add (rule 2).
    return min(RETENTION_TARGET, max(0, questions_total))


def _mock_mean(scores: Sequence[float]) -> float:
    recent = [min(4.0, max(1.0, s)) for s in scores[:MOCKS_COUNTED]]
    return sum(recent) / len(recent)


def readiness(inputs: ReadinessInputs) -> Readiness:
    """The figure, its range, its parts and the three next actions that would raise it most."""
    parts = _parts(inputs)
    score = sum(p.weight * p.value for p in parts)
    low = sum(p.weight * p.low for p in parts)
    high = sum(p.weight * p.high for p in parts)
    return Readiness(
        score=round(score),
        low=round(low),
        high=round(high),
        parts=parts,
        actions=_actions(inputs, parts),
        mocks_shown=len(inputs.mock_scores) >= MOCKS_SHOWN_AFTER,
    )


def _parts(inputs: ReadinessInputs) -> tuple[Part, ...]:
    memories = inputs.memories
    target = _retention_target(inputs.questions_total)
    retention_now = sum(_clip(m.now) for m in memories) / target if target else 0.0
    retention_week = sum(min(_clip(m.week), _clip(m.now)) for m in memories) / target if target else 0.0
    exercise_target = min(EXERCISE_TARGET, max(inputs.exercises_total, inputs.exercises_passed))
    mocks_shown = len(inputs.mock_scores) >= MOCKS_SHOWN_AFTER
    if mocks_shown:
        mean = _mock_mean(inputs.mock_scores)
        mock = _part("mocks", (mean - 1) / 3, (mean - 1.5) / 3, (mean - 0.5) / 3)
    else:
        mock = _part("mocks", 0.0, shown=False)
    return (
        _part(
            "skills",
            _skills_value(inputs.skills),
            _skills_value(inputs.skills, -1),
            _skills_value(inputs.skills, +1),
        ),
        _part("track", _ratio(min(inputs.track_done, inputs.track_total), inputs.track_total)),
        _part("problems", _patterns_value(inputs.solved_alone_by_pattern or {})),
        _part("retention", retention_now, retention_week),
        _part("exercises", _ratio(inputs.exercises_passed, exercise_target)),
        mock,
    )


def _actions(inputs: ReadinessInputs, parts: tuple[Part, ...]) -> tuple[Action, ...]:
    by_name = {p.name: p for p in parts}
    candidates: list[Action] = []

    # Skills: the one whose next level is worth most (highest tier; unassessed before assessed; lowest level).
    skill_total = sum(TIER_WEIGHTS.get(s.tier, 1) for s in inputs.skills)
    open_skills = [s for s in inputs.skills if (s.level or 0) < MAX_LEVEL]
    if skill_total and open_skills:
        best = min(open_skills, key=lambda s: (-TIER_WEIGHTS.get(s.tier, 1), s.level is not None, s.level or 0, s.key))
        gain = WEIGHTS["skills"] * TIER_WEIGHTS.get(best.tier, 1) / MAX_LEVEL / skill_total
        candidates.append(Action("assess_skill" if best.level is None else "raise_skill", best.key, gain))

    left = inputs.track_total - min(inputs.track_done, inputs.track_total)
    if left > 0:
        candidates.append(Action("track_items", "", WEIGHTS["track"] * min(TRACK_STEP, left) / inputs.track_total))

    counts = inputs.solved_alone_by_pattern or {}
    if counts:
        slug, count = min(counts.items(), key=lambda kv: (kv[1], kv[0]))
        step = min(PATTERN_STEP, PATTERN_TARGET - count)
        if step > 0:
            candidates.append(
                Action("solve_pattern", slug, WEIGHTS["problems"] * step / (PATTERN_TARGET * len(counts)))
            )

    target = _retention_target(inputs.questions_total)
    if target:
        unreviewed = max(0, inputs.questions_total - len(inputs.memories))
        after = sum(
            max(_clip(m.now), FRESH_RETRIEVABILITY) if m.due else _clip(m.now) for m in inputs.memories
        ) + FRESH_RETRIEVABILITY * min(NEW_QUESTIONS_STEP, unreviewed)
        gain = WEIGHTS["retention"] * (_clip(after / target) - by_name["retention"].value)
        if gain > 0:
            candidates.append(Action("review_questions", "", gain))

    exercise_target = min(EXERCISE_TARGET, max(inputs.exercises_total, inputs.exercises_passed))
    if inputs.exercises_passed < exercise_target:
        candidates.append(Action("pass_exercise", "", WEIGHTS["exercises"] / exercise_target))

    sessions = len(inputs.mock_scores)
    if sessions < MOCKS_SHOWN_AFTER:
        # Toward the mock part (an average interview, 2.5 of 4, is worth half of it), spread over the
        # sessions still needed before it counts.
        candidates.append(Action("mock", "", WEIGHTS["mocks"] * 0.5 / (MOCKS_SHOWN_AFTER - sessions)))

    order = {kind: i for i, kind in enumerate(ACTION_KINDS)}
    ranked = sorted((a for a in candidates if a.gain > 0), key=lambda a: (-a.gain, order[a.kind]))
    return tuple(ranked[:3])


ACTION_KINDS = (
    "assess_skill",
    "raise_skill",
    "track_items",
    "solve_pattern",
    "review_questions",
    "pass_exercise",
    "mock",
)
