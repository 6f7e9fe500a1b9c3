"""FSRS for concept questions, shared by the services that rate them and the selectors that read how well
they are remembered (retrievability), so neither imports the other."""

from __future__ import annotations

import datetime as dt

from fsrs import Card, Rating, Scheduler, State

from tracker.models import QuestionCard

# What one question's review costs in the day's budget (read, recall, check the answer, rate).
QUESTION_REVIEW_MINUTES = 2
# No fuzz: the same ratings give the same dates, as for study items (tracker/services/reviews.py).
SCHEDULER = Scheduler(enable_fuzzing=False)
DECAY: float = SCHEDULER._DECAY
FACTOR: float = SCHEDULER._FACTOR
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


def fsrs_card(row: QuestionCard | None) -> Card:
    if row is None:
        return Card(card_id=0)  # py-fsrs would otherwise sleep a millisecond to make an id
    return Card(
        card_id=row.pk,
        state=State(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=row.due,
        last_review=row.last_review,
    )


def retrievability_after(*, stability: float | None, elapsed: dt.timedelta | None) -> float:
    """The probability (0–1) that the learner recalls the answer `elapsed` after the last review (FSRS's
    forgetting curve): py-fsrs's own formula (Scheduler.get_card_retrievability), whole days as it counts
    them, without building a Card for each question."""
    if stability is None or elapsed is None or not stability > 0:
        return 0.0
    return float((1 + FACTOR * max(0, elapsed.days) / stability) ** DECAY)
