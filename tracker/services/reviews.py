"""Spaced review with FSRS (py-fsrs): a done item, rated, comes back when it is about to be forgotten.

FSRS rather than SM-2: it models memory stability and difficulty per item from the ratings, needs
fewer reviews for the same retention, and py-fsrs is a maintained implementation.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from fsrs import Card, Rating, Scheduler, State

from tracker.models import Item, PlanEntry, Progress, ReviewCard, ReviewLog, StudyProfile, User
from tracker.services.planning import plan_rebuild
from tracker.timezones import local_today

# No fuzz: the same ratings give the same dates, which learners can reason about and tests can pin.
SCHEDULER = Scheduler(enable_fuzzing=False)
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


class ReviewError(Exception):
    """A rating that cannot be taken; the message says why."""


def _card(row: ReviewCard | None) -> Card:
    if row is None:
        return Card()
    return Card(
        card_id=row.pk,
        state=State(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=row.due,
        last_review=row.last_review,
    )


@transaction.atomic
def review_rate(
    *, user: User, item: Item, rating: str, now: dt.datetime | None = None, duration_seconds: int | None = None
) -> ReviewCard:
    """Records a rating (again, hard, good, easy) of a done item and schedules its next review."""
    if rating not in RATINGS:
        raise ReviewError(f"Rate with one of {', '.join(RATINGS)}, not {rating!r}.")
    now = now or timezone.now()
    progress = Progress.objects.select_for_update().filter(user=user, item=item).first()
    if progress is None or not progress.is_completed:
        raise ReviewError("Mark the item done before rating it; reviews are for what you have studied.")
    row = ReviewCard.objects.select_for_update().filter(user=user, item=item).first()
    card, _log = SCHEDULER.review_card(_card(row), RATINGS[rating], review_datetime=now)
    values = {
        "due": card.due,
        "state": int(card.state),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "last_review": card.last_review,
    }
    if row is None:
        row = ReviewCard.objects.create(user=user, item=item, reps=1, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.reps += 1
        row.save()
    ReviewLog.objects.create(
        user=user, item=item, rating=int(RATINGS[rating]), reviewed_at=now, duration_seconds=duration_seconds
    )
    if progress.status != Progress.Status.REVIEW:
        progress.status = Progress.Status.REVIEW
        progress.save(update_fields=["status", "updated_at"])
    profile = StudyProfile.objects.get_or_create(user=user)[0]
    today = local_today(profile.time_zone, now)
    PlanEntry.objects.filter(user=user, item=item, date=today, kind=PlanEntry.Kind.REVIEW).update(
        status=PlanEntry.Status.DONE
    )
    plan_rebuild(user=user, today=today)
    return row
