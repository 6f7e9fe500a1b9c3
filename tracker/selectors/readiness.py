"""Gathers the inputs of the readiness score (tracker/readiness/score.py) for the four career directions in
a fixed number of queries (eight, whatever the learner's history), then scores each direction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.utils.translation import get_language

from tracker.models import (
    CareerDirection,
    Exercise,
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
from tracker.question_cards import retrievability
from tracker.readiness.score import QuestionMemory, Readiness, ReadinessInputs, SkillInput, readiness
from tracker.selectors.curriculum import leaf_items
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
    """The readiness inputs of each direction (eight queries)."""
    return _gather(user=user, now=now).inputs


def _gather(*, user: User, now: dt.datetime) -> Gathered:
    directions = list(CareerDirection.values)
    track_of = {CareerDirection.track_slug(d): d for d in directions}

    # 1. The directions' skills (through their career tracks) with the learner's level.
    skills: dict[str, list[SkillInput]] = defaultdict(list)
    skill_titles: dict[str, str] = {}
    level = SkillAssessment.objects.filter(user=user, skill=OuterRef("pk")).values("level")[:1]
    rows = (
        Skill.objects.filter(tracks__slug__in=track_of, tracks__owner__isnull=True)
        .annotate(my_level=Subquery(level))
        .values_list("key", "tier", "tracks__slug", "my_level", "title", "title_en")
    )
    chinese = (get_language() or "en").startswith("zh")
    for key, tier, slug, my_level, title, title_en in rows:
        skills[track_of[slug]].append(SkillInput(key=key, tier=tier, level=my_level))
        skill_titles[key] = title if chinese or not title_en else title_en

    # 2. The career tracks' leaf items, and those the learner completed.
    done_leaf = Progress.objects.filter(user=user, item=OuterRef("pk"), status__in=Progress.COMPLETED_STATUSES)
    track_counts = {
        slug: (total, done)
        for slug, total, done in leaf_items()
        .filter(track__slug__in=track_of, track__owner__isnull=True)
        .values("track__slug")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(Exists(done_leaf))))
        .values_list("track__slug", "total", "done")
        .order_by()
    }

    # 3–4. The primary patterns, and the learner's problems solved alone in each (read from the learner's
    # own rows, so the cost does not grow with other learners').
    pattern_titles = {
        slug: title_zh if chinese and title_zh else title
        for slug, title, title_zh in Pattern.objects.filter(is_primary=True).values_list("slug", "title", "title_zh")
    }
    solved = dict(
        ProblemProgress.objects.filter(user=user, solved_alone_count__gt=0, problem__pattern__is_primary=True)
        .values_list("problem__pattern__slug")
        .annotate(n=Count("pk"))
        .order_by()
    )
    alone = {slug: solved.get(slug, 0) for slug in pattern_titles}

    # 5. The questions the learner can review, counted per direction in one aggregate.
    visible = Question.objects.visible_to(user).filter(Q(is_published=True) | Q(owner=user))
    counts = visible.aggregate(**{d: Count("pk", filter=Q(directions__contains=d)) for d in directions})

    # 6. The learner's cards with their question's directions.
    memories: dict[str, list[QuestionMemory]] = defaultdict(list)
    cards = (
        QuestionCard.objects.filter(user=user, question__in=visible)
        .annotate(is_due=ExpressionWrapper(Q(due__lte=now), output_field=BooleanField()))
        .values_list("stability", "last_review", "is_due", "question__directions")
    )
    week_later = now + WEEK
    for stability, last_review, is_due, joined in cards:
        memory = QuestionMemory(
            now=retrievability(stability=stability, last_review=last_review, now=now),
            week=retrievability(stability=stability, last_review=last_review, now=week_later),
            due=bool(is_due),
        )
        for direction in joined.split(","):
            memories[direction].append(memory)

    # 7. Exercises published, and those passed (a graded submission with the full score).
    passed = Submission.objects.filter(
        user=user,
        exercise=OuterRef("pk"),
        kind=Submission.Kind.SUBMIT,
        status=Submission.Status.DONE,
        score__gte=OuterRef("max_score"),
    )
    exercises = Exercise.objects.filter(is_published=True).aggregate(
        total=Count("pk"), passed=Count("pk", filter=Q(Exists(passed)))
    )

    # 8. Mock scores.
    mocks = mock_scores_by_direction(user=user)
    inputs = {
        d: ReadinessInputs(
            skills=tuple(skills[d]),
            track_done=track_counts.get(CareerDirection.track_slug(d), (0, 0))[1],
            track_total=track_counts.get(CareerDirection.track_slug(d), (0, 0))[0],
            solved_alone_by_pattern=alone,
            questions_total=counts[d],
            memories=tuple(memories[d]),
            exercises_passed=exercises["passed"],
            exercises_total=exercises["total"],
            mock_scores=tuple(mocks.get(d, ())),
        )
        for d in directions
    }
    return Gathered(inputs=inputs, pattern_titles=pattern_titles, skill_titles=skill_titles)


def readiness_for_learner(*, user: User, now: dt.datetime) -> list[DirectionReadiness]:
    """Each direction's readiness, with the names its parts and actions refer to (eight queries)."""
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
