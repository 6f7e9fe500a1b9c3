"""Actions on items (start, done, skip, undo, note, time) and spaced review with FSRS."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import EnrollmentFactory, ItemFactory, TrackFactory, UserFactory
from tracker.models import PlanEntry, Progress, ReviewCard, ReviewLog
from tracker.services.planning import plan_rebuild
from tracker.services.progress import (
    ProgressError,
    progress_add_time,
    progress_mark_done,
    progress_set_note,
    progress_skip,
    progress_start,
    progress_undo,
)
from tracker.services.reviews import ReviewError, review_rate

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)
MONDAY_9 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


@pytest.fixture
def planned():
    user = UserFactory()
    track = TrackFactory()
    items = [ItemFactory(track=track, position=i, estimated_minutes=30, kind="problem") for i in range(4)]
    EnrollmentFactory(user=user, track=track, start_date=MONDAY, pace_per_day=30)
    plan_rebuild(user=user, today=MONDAY)
    return user, items


def test_start_then_done_records_times_and_closes_todays_entry(planned):
    user, items = planned
    progress_start(user=user, item=items[0], now=MONDAY_9)
    progress = progress_mark_done(user=user, item=items[0], now=MONDAY_9 + dt.timedelta(minutes=40), minutes_spent=40)
    assert (progress.status, progress.started_at, progress.time_spent_minutes) == ("done", MONDAY_9, 40)
    assert PlanEntry.objects.get(user=user, item=items[0], date=MONDAY).status == "done"
    # Done on its planned day: the rest of the plan stays where it was.
    assert PlanEntry.objects.get(user=user, item=items[1]).date == MONDAY + dt.timedelta(days=1)


def test_skip_takes_the_item_out_of_the_plan_and_undo_brings_it_back(planned):
    user, items = planned
    progress_skip(user=user, item=items[0], now=MONDAY_9)
    assert PlanEntry.objects.get(user=user, item=items[0], date=MONDAY).status == "skipped"
    assert Progress.objects.get(user=user, item=items[0]).status == "skipped"

    progress_undo(user=user, item=items[0], now=MONDAY_9)

    assert Progress.objects.get(user=user, item=items[0]).status == "todo"
    assert PlanEntry.objects.get(user=user, item=items[0], date=MONDAY).status == "planned"


def test_undo_of_a_rated_item_removes_its_review_card(planned):
    user, items = planned
    progress_mark_done(user=user, item=items[0], now=MONDAY_9)
    review_rate(user=user, item=items[0], rating="good", now=MONDAY_9)
    progress_undo(user=user, item=items[0], now=MONDAY_9)
    assert not ReviewCard.objects.filter(user=user, item=items[0]).exists()
    assert Progress.objects.get(user=user, item=items[0]).done_at is None


def test_notes_and_time_spent_are_kept_and_limits_explained(planned):
    user, items = planned
    progress_set_note(user=user, item=items[1], note="**im2col** turns conv into GEMM")
    progress_add_time(user=user, item=items[1], minutes=25)
    progress_add_time(user=user, item=items[1], minutes=5)
    progress = Progress.objects.get(user=user, item=items[1])
    assert (progress.note, progress.time_spent_minutes) == ("**im2col** turns conv into GEMM", 30)
    with pytest.raises(ProgressError, match="between 1 and 1440"):
        progress_add_time(user=user, item=items[1], minutes=0)
    with pytest.raises(ProgressError, match="under 20000"):
        progress_set_note(user=user, item=items[1], note="x" * 20_001)


def test_rating_a_done_item_schedules_its_review_and_shows_the_review_state(planned):
    user, items = planned
    progress_mark_done(user=user, item=items[0], now=MONDAY_9)
    progress_mark_done(user=user, item=items[1], now=MONDAY_9)

    again = review_rate(user=user, item=items[0], rating="again", now=MONDAY_9)
    easy = review_rate(user=user, item=items[1], rating="easy", now=MONDAY_9)

    assert again.due < easy.due
    assert again.due - MONDAY_9 < dt.timedelta(hours=1)  # forgotten: back within the hour
    assert easy.due - MONDAY_9 >= dt.timedelta(days=1)
    assert Progress.objects.get(user=user, item=items[1]).status == "review"
    assert ReviewLog.objects.filter(user=user).count() == 2
    # The review of the "easy" item is in the plan on its due date.
    due_day = easy.due.date()
    assert PlanEntry.objects.filter(user=user, item=items[1], kind="review", date=due_day).exists()


def test_good_ratings_space_reviews_further_apart(planned):
    user, items = planned
    progress_mark_done(user=user, item=items[0], now=MONDAY_9)
    now = MONDAY_9
    intervals = []
    for _ in range(4):
        card = review_rate(user=user, item=items[0], rating="good", now=now)
        intervals.append(card.due - now)
        now = card.due
    assert intervals == sorted(intervals) and intervals[-1] > intervals[0]
    assert ReviewCard.objects.get(user=user, item=items[0]).reps == 4


def test_a_rating_needs_a_done_item_and_a_known_rating(planned):
    user, items = planned
    with pytest.raises(ReviewError, match="Mark the item done"):
        review_rate(user=user, item=items[2], rating="good", now=MONDAY_9)
    progress_mark_done(user=user, item=items[2], now=MONDAY_9)
    with pytest.raises(ReviewError, match="again, hard, good, easy"):
        review_rate(user=user, item=items[2], rating="perfect", now=MONDAY_9)
    assert not ReviewCard.objects.exists()
