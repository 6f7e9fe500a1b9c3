"""Leaderboards of timed exercises: each learner's best speed-up, ranked.

Who is ranked (the one definition): a graded submission (kind submit, done) accepted (AC: correct and at
least the bundle's `min_speedup`) with a measured speed-up (`Submission.speedup`), not held for review or
rejected by a curator. Each learner appears once, with their best speed-up; the earlier submission breaks a
tie, both within a learner's own submissions and between learners. A learner who published no handle is
ranked like any other, but others see them only as "a learner": the handle is the only thing of them shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from django.db.models import F, QuerySet
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from tracker.models import Exercise, Submission, User
from tracker.models.exercises import RANKABLE_REVIEWS

RANKING = (F("speedup").desc(), F("created_at").asc(), F("id").asc())


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    handle: str  # the learner's published handle; "" when they published none
    is_you: bool
    speedup: float
    submitted_at: dt.datetime
    submission_id: int | None  # the viewer's own row only: another learner's submission is not theirs to open


def ranked_submissions(*, exercise: Exercise) -> QuerySet[Submission]:
    """The submissions a leaderboard may rank on this exercise (every learner's, not yet one per learner)."""
    return Submission.objects.filter(
        exercise=exercise,
        kind=Submission.Kind.SUBMIT,
        status=Submission.Status.DONE,
        verdict=Submission.Verdict.AC,
        speedup__isnull=False,
        review__in=RANKABLE_REVIEWS,
    )


def exercise_leaderboard(*, exercise: Exercise, viewer: User) -> list[LeaderboardRow]:
    """The exercise's board, best first, in ONE query (none for an untimed exercise, which has no board):
    each learner's best ranked submission (a window numbering each learner's submissions best first,
    kept where it is 1) with the learner's published handle (a LEFT JOIN on the study profile)."""
    if not exercise.timed:
        return []
    per_learner = Window(RowNumber(), partition_by=[F("user_id")], order_by=list(RANKING))
    best = (
        ranked_submissions(exercise=exercise)
        .annotate(nth=per_learner)
        .filter(nth=1)
        .order_by(*RANKING)
        .values("id", "user_id", "speedup", "created_at", "user__study_profile__public_handle")
    )
    return [
        LeaderboardRow(
            rank=n,
            handle=row["user__study_profile__public_handle"] or "",
            is_you=row["user_id"] == viewer.pk,
            speedup=cast(float, row["speedup"]),  # never null here: the filter keeps ranked speed-ups only
            submitted_at=row["created_at"],
            submission_id=row["id"] if row["user_id"] == viewer.pk else None,
        )
        for n, row in enumerate(best, start=1)
    ]


def leaderboard_exercises() -> QuerySet[Exercise]:
    """Published exercises, as a leaderboard looks one up (a board exists only when `timed`)."""
    return Exercise.objects.filter(is_published=True).only("id", "slug", "title", "timed")
