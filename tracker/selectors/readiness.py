"""Gathers the inputs of the readiness score (tracker/readiness/score.py) for the four career directions in
a fixed number of queries (eleven, whatever the learner's history), then scores each direction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, Count, DurationField, ExpressionWrapper, F, Q, Value
from django.utils.translation import get_language

from tracker.models import (
    CareerDirection,
    Exercise,
    Item,
    Pattern,
    ProblemProgress,
    Progress,
    Question,
    QuestionCard,
    Skill,
    SkillAssessment,
    Submission,
    User,
)
from tracker.question_cards import retrievability_after
from tracker.readiness.score import QuestionMemory, Readiness, ReadinessInputs, SkillInput, readiness
from tracker.selectors.mock_interviews import mock_scores_by_direction

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class DirectionReadiness:
    direction: str
    label: str
    track_slug: str
    result: Readiness
    inputs: ReadinessInputs
    pattern_titles: dict[str, str]
    skill_titles: dict[str, str]


@dataclass(frozen=True)
class Gathered:
    """The inputs of each direction, and the names the actions refer to."""

    inputs: dict[str, ReadinessInputs]
    pattern_titles: dict[str, str]
    skill_titles: dict[str, str]


def readiness_inputs(*, user: User, now: dt.datetime) -> dict[str, ReadinessInputs]:
    """The readiness inputs of each direction (eleven plain queries)."""
    return _gather(user=user, now=now).inputs


def _gather(*, user: User, now: dt.datetime) -> Gathered:
    """Plain queries (no subqueries): building the SQL is most of the cost at this size."""
    directions = list(CareerDirection.values)
    track_of = {CareerDirection.track_slug(d): d for d in directions}
    chinese = (get_language() or "en").startswith("zh")

    # 1–2. The directions' skills (through their career tracks), and the learner's levels.
    levels = dict(SkillAssessment.objects.filter(user=user).values_list("skill_id", "level"))
    skills: dict[str, list[SkillInput]] = defaultdict(list)
    skill_titles: dict[str, str] = {}
    for pk, key, tier, slug, title, title_en in Skill.objects.filter(
        tracks__slug__in=track_of, tracks__owner__isnull=True
    ).values_list("pk", "key", "tier", "tracks__slug", "title", "title_en"):
        skills[track_of[slug]].append(SkillInput(key=key, tier=tier, level=levels.get(pk)))
        skill_titles[key] = title if chinese or not title_en else title_en

    # 3–4. The career tracks' items (a leaf is an item no other item names as its parent), and those the
    # learner completed.
    items = list(
        Item.objects.filter(track__slug__in=track_of, track__owner__isnull=True).values_list(
            "pk", "parent_id", "track__slug"
        )
    )
    parents = {parent for _pk, parent, _slug in items if parent is not None}
    completed = set(
        Progress.objects.filter(
            user=user,
            status__in=Progress.COMPLETED_STATUSES,
            item__track__slug__in=track_of,
            item__track__owner__isnull=True,
        ).values_list("item_id", flat=True)
    )
    totals: dict[str, int] = defaultdict(int)
    done: dict[str, int] = defaultdict(int)
    for pk, _parent, slug in items:
        if pk not in parents:
            totals[slug] += 1
            done[slug] += pk in completed

    # 5–6. The primary patterns, and the learner's problems solved alone in each (read from the learner's
    # own rows, so the cost does not grow with other learners').
    patterns = list(Pattern.objects.filter(is_primary=True).values_list("pk", "slug", "title", "title_zh"))
    pattern_titles = {slug: title_zh if chinese and title_zh else title for _pk, slug, title, title_zh in patterns}
    # A problem's pattern is always a primary one (Problem.pattern), so the pattern table needs no join.
    solved = dict(
        ProblemProgress.objects.filter(user=user, solved_alone_count__gt=0)
        .values_list("problem__pattern_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    alone = {slug: solved.get(pk, 0) for pk, slug, _title, _title_zh in patterns}

    # 7. The questions the learner can review, counted per set of directions (a handful of rows).
    visible = Q(owner__isnull=True, is_published=True) | Q(owner=user)
    counts: dict[str, int] = dict.fromkeys(directions, 0)
    for joined, n in Question.objects.filter(visible).values_list("directions").annotate(n=Count("pk")).order_by():
        for direction in joined.split(","):
            if direction in counts:
                counts[direction] += n

    # 8. The learner's cards of those questions, with the questions' directions.
    memories: dict[str, list[QuestionMemory]] = defaultdict(list)
    cards = QuestionCard.objects.filter(user=user).filter(
        Q(question__owner__isnull=True, question__is_published=True) | Q(question__owner=user)
    )
    # The time since the last review and whether the card is due are worked out by the database: no
    # datetime to parse per card.
    cards = cards.annotate(
        since=ExpressionWrapper(Value(now) - F("last_review"), output_field=DurationField()),
        is_due=ExpressionWrapper(Q(due__lte=now), output_field=BooleanField()),
    )
    for stability, since, is_due, joined in cards.values_list("stability", "since", "is_due", "question__directions"):
        memory = QuestionMemory(
            now=retrievability_after(stability=stability, elapsed=since),
            week=retrievability_after(stability=stability, elapsed=since + WEEK if since is not None else None),
            due=bool(is_due),
        )
        for direction in joined.split(","):
            memories[direction].append(memory)

    # 9–10. Exercises published, and those the learner passed (a graded submission with the full score).
    exercises_total = Exercise.objects.filter(is_published=True).count()
    exercises_passed = (
        Submission.objects.filter(
            user=user,
            kind=Submission.Kind.SUBMIT,
            status=Submission.Status.DONE,
            exercise__is_published=True,
            score__gte=F("exercise__max_score"),
        )
        .values("exercise_id")
        .distinct()
        .count()
    )

    # 11. Mock scores.
    mocks = mock_scores_by_direction(user=user)
    inputs = {
        d: ReadinessInputs(
            skills=tuple(skills[d]),
            track_done=done[CareerDirection.track_slug(d)],
            track_total=totals[CareerDirection.track_slug(d)],
            solved_alone_by_pattern=alone,
            questions_total=counts[d],
            memories=tuple(memories[d]),
            exercises_passed=exercises_passed,
            exercises_total=exercises_total,
            mock_scores=tuple(mocks.get(d, ())),
        )
        for d in directions
    }
    return Gathered(inputs=inputs, pattern_titles=pattern_titles, skill_titles=skill_titles)


def readiness_for_learner(*, user: User, now: dt.datetime) -> list[DirectionReadiness]:
    """Each direction's readiness, with the names its parts and actions refer to (eleven plain queries)."""
    gathered = _gather(user=user, now=now)
    inputs = gathered.inputs
    return [
        DirectionReadiness(
            direction=d,
            label=str(CareerDirection(d).label),
            track_slug=CareerDirection.track_slug(d),
            result=readiness(inputs[d]),
            inputs=inputs[d],
            pattern_titles=gathered.pattern_titles,
            skill_titles=gathered.skill_titles,
        )
        for d in CareerDirection.values
    ]
