"""Gathers the inputs of the readiness score (tracker/readiness/score.py) for the four career directions in
a fixed number of queries (eight, whatever the learner's history), then scores each direction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q

from tracker.models import (
    CareerDirection,
    Exercise,
    Pattern,
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


def readiness_inputs(*, user: User, now: dt.datetime) -> dict[str, ReadinessInputs]:
    """The readiness inputs of each direction (eight queries)."""
    directions = list(CareerDirection.values)
    track_of = {CareerDirection.track_slug(d): d for d in directions}

    # 1–2. The directions' skills (through their career tracks) and the learner's levels.
    skills: dict[str, list[SkillInput]] = defaultdict(list)
    levels = dict(SkillAssessment.objects.filter(user=user).values_list("skill_id", "level"))
    for pk, key, tier, slug in Skill.objects.filter(tracks__slug__in=track_of, tracks__owner__isnull=True).values_list(
        "pk", "key", "tier", "tracks__slug"
    ):
        skills[track_of[slug]].append(SkillInput(key=key, tier=tier, level=levels.get(pk)))

    # 3–4. The career tracks' leaf items and those the learner completed.
    leaves = leaf_items().filter(track__slug__in=track_of, track__owner__isnull=True)
    totals = dict(leaves.values_list("track__slug").annotate(n=Count("pk")).order_by())
    done = dict(
        Progress.objects.filter(user=user, status__in=Progress.COMPLETED_STATUSES, item__in=leaves)
        .values_list("item__track__slug")
        .annotate(n=Count("pk"))
        .order_by()
    )

    # 5. Problems solved alone, by primary pattern (every primary pattern listed, with 0 when none).
    alone = dict(
        Pattern.objects.filter(is_primary=True)
        .annotate(
            n=Count(
                "problems__progress",
                filter=Q(problems__progress__user=user, problems__progress__solved_alone_count__gt=0),
            )
        )
        .values_list("slug", "n")
    )

    # 6. The questions the learner can review, counted per direction in one aggregate.
    visible = Question.objects.visible_to(user).filter(Q(is_published=True) | Q(owner=user))
    counts = visible.aggregate(**{d: Count("pk", filter=Q(directions__contains=d)) for d in directions})

    # 7. The learner's cards with their question's directions.
    memories: dict[str, list[QuestionMemory]] = defaultdict(list)
    cards = QuestionCard.objects.filter(user=user, question__in=visible).values_list(
        "stability", "last_review", "due", "question__directions"
    )
    for stability, last_review, due, joined in cards:
        memory = QuestionMemory(
            now=retrievability(stability=stability, last_review=last_review, now=now),
            week=retrievability(stability=stability, last_review=last_review, now=now + WEEK),
            due=due <= now,
        )
        for direction in joined.split(","):
            memories[direction].append(memory)

    # 8. Exercises passed (a graded submission with the full score) and published.
    exercises = Exercise.objects.filter(is_published=True).aggregate(
        total=Count("pk", distinct=True),
        passed=Count(
            "pk",
            distinct=True,
            filter=Q(
                submissions__user=user,
                submissions__kind=Submission.Kind.SUBMIT,
                submissions__status=Submission.Status.DONE,
                submissions__score__gte=F("max_score"),
            ),
        ),
    )

    # 9. Mock scores (one query; counted with the others above as the history's).
    mocks = mock_scores_by_direction(user=user)
    return {
        d: ReadinessInputs(
            skills=tuple(skills[d]),
            track_done=done.get(CareerDirection.track_slug(d), 0),
            track_total=totals.get(CareerDirection.track_slug(d), 0),
            solved_alone_by_pattern=alone,
            questions_total=counts[d],
            memories=tuple(memories[d]),
            exercises_passed=exercises["passed"],
            exercises_total=exercises["total"],
            mock_scores=tuple(mocks.get(d, ())),
        )
        for d in directions
    }


def readiness_for_learner(*, user: User, now: dt.datetime) -> list[DirectionReadiness]:
    """Each direction's readiness, with the names its parts and actions refer to (ten queries)."""
    inputs = readiness_inputs(user=user, now=now)
    patterns = dict(Pattern.objects.filter(is_primary=True).values_list("slug", "title"))
    skill_titles = dict(Skill.objects.values_list("key", "title_en"))
    return [
        DirectionReadiness(
            direction=d,
            label=str(CareerDirection(d).label),
            track_slug=CareerDirection.track_slug(d),
            result=readiness(inputs[d]),
            inputs=inputs[d],
            pattern_titles=patterns,
            skill_titles=skill_titles,
        )
        for d in CareerDirection.values
    ]
