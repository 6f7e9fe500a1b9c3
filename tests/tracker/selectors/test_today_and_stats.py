"""Today's bundle and the study statistics, in the learner's own time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    DeadlineFactory,
    EnrollmentFactory,
    ItemFactory,
    ProgressFactory,
    ReadingQueueEntryFactory,
    TrackFactory,
    UserFactory,
)
from tracker.models import PlanEntry, StudyProfile, User, Vacation
from tracker.selectors import study_stats, today_bundle
from tracker.services.planning import plan_ensure_current, plan_rebuild
from tracker.services.progress import progress_mark_done
from tracker.services.reviews import review_rate

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


def learner(zone: str = "UTC", **profile):
    user = UserFactory()
    StudyProfile.objects.filter(user=user).update(time_zone=zone, daily_minutes=240, **profile)
    return User.objects.get(pk=user.pk)  # drop the profile cached before the update


def test_a_shanghai_learner_finishing_at_2330_local_counts_for_that_local_day():
    user = learner("Asia/Shanghai")
    # 2026-03-02 23:30 in Shanghai is 15:30 UTC the same day; 00:30 on the 3rd is 16:30 UTC on the 2nd.
    ProgressFactory(user=user, done_at=dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC))
    ProgressFactory(user=user, done_at=dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC))
    stats = study_stats(user=user, profile=user.study_profile, today=dt.date(2026, 3, 3))
    assert stats.days[dt.date(2026, 3, 2)].items_done == 1
    assert stats.days[dt.date(2026, 3, 3)].items_done == 1
    assert stats.current_streak == 2


def test_finished_items_are_counted_per_track_on_local_days_for_the_burn_up_charts():
    user = learner("Asia/Shanghai")
    track, other = TrackFactory(), TrackFactory()
    # 23:30 and 00:30 in Shanghai: two local days; the third is the next local day too.
    ProgressFactory(user=user, item=ItemFactory(track=track), done_at=dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC))
    ProgressFactory(user=user, item=ItemFactory(track=track), done_at=dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC))
    ProgressFactory(user=user, item=ItemFactory(track=track), done_at=dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC))
    ProgressFactory(user=user, item=ItemFactory(track=other), done_at=dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC))
    ProgressFactory(user=user, item=ItemFactory(track=other), status="skipped", done_at=None)
    stats = study_stats(user=user, profile=user.study_profile, today=dt.date(2026, 3, 3))
    assert stats.done_by_track == {
        track.pk: [(dt.date(2026, 3, 2), 1), (dt.date(2026, 3, 3), 2)],
        other.pk: [(dt.date(2026, 3, 1), 1)],
    }


def test_heatmap_has_a_year_of_days_ending_today_with_minutes():
    user = learner()
    ProgressFactory(user=user, done_at=dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC), time_spent_minutes=45)
    stats = study_stats(user=user, profile=user.study_profile, today=MONDAY)
    heatmap = stats.heatmap()
    assert len(heatmap) == 365 and heatmap[-1][0] == MONDAY and heatmap[0][0] == MONDAY - dt.timedelta(days=364)
    assert dict(heatmap)[dt.date(2026, 3, 1)].minutes == 45
    assert sum(day.items_done for _, day in heatmap) == 1


def test_a_vacation_keeps_the_streak_alive():
    user = learner()
    for day in (1, 2, 6):
        ProgressFactory(user=user, done_at=dt.datetime(2026, 3, day, 12, tzinfo=dt.UTC))
    assert study_stats(user=user, profile=user.study_profile, today=dt.date(2026, 3, 6)).current_streak == 1
    Vacation.objects.create(user=user, start_date=dt.date(2026, 3, 3), end_date=dt.date(2026, 3, 5))
    assert study_stats(user=user, profile=user.study_profile, today=dt.date(2026, 3, 6)).current_streak == 3


def build_day(user, tracks: int = 3, items: int = 6):
    made = []
    for priority in range(1, tracks + 1):
        track = TrackFactory()
        made.append([ItemFactory(track=track, position=i, estimated_minutes=20) for i in range(items)])
        EnrollmentFactory(
            user=user, track=track, priority=priority, start_date=MONDAY - dt.timedelta(days=3), pace_per_day=40
        )
    return made


def test_today_gathers_items_by_track_reviews_overdue_reading_deadlines_and_streak():
    user = learner()
    tracks = build_day(user)
    plan_rebuild(user=user, today=MONDAY - dt.timedelta(days=2))  # two days ago; nothing was done since
    first = tracks[0][0]
    progress_mark_done(user=user, item=first, now=dt.datetime(2026, 2, 28, 10, tzinfo=dt.UTC))
    review_rate(user=user, item=first, rating="again", now=dt.datetime(2026, 2, 28, 10, tzinfo=dt.UTC))
    plan_rebuild(user=user, today=MONDAY)
    reading = ReadingQueueEntryFactory(user=user)
    soon = DeadlineFactory(owner=user, due_at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC))
    public = DeadlineFactory(key="cvpr", due_at=dt.datetime(2026, 3, 12, tzinfo=dt.UTC))
    DeadlineFactory(owner=user, due_at=dt.datetime(2026, 4, 30, tzinfo=dt.UTC))  # beyond 14 days
    DeadlineFactory(owner=UserFactory(), due_at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))  # someone else's

    bundle = today_bundle(user=user, now=dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC))

    assert bundle.date == MONDAY
    assert [day.track.pk for day in bundle.tracks] == [t[0].track_id for t in tracks]
    assert all(entry.date == MONDAY for day in bundle.tracks for entry in day.entries)
    assert [card.item_id for card in bundle.reviews_due] == [first.pk]
    missed_items = set(PlanEntry.objects.filter(user=user, status="missed").values_list("item_id", flat=True))
    assert missed_items and {e.item_id for e in bundle.overdue} <= missed_items
    assert bundle.reading == reading
    assert bundle.deadlines == [soon, public]
    assert bundle.current_streak == 0 and bundle.longest_streak == 1


def test_overdue_items_are_those_missed_and_not_yet_done_nor_planned_today():
    user = learner(parallel_limit=1)
    (items,) = build_day(user, tracks=1, items=4)
    plan_rebuild(user=user, today=MONDAY - dt.timedelta(days=2))
    # Two days pass; the missed items are re-planned from today, today's slot takes the first two.
    plan_rebuild(user=user, today=MONDAY)
    bundle = today_bundle(user=user, now=dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC))
    today_items = {e.item_id for day in bundle.tracks for e in day.entries}
    assert today_items == {items[0].pk, items[1].pk}
    assert {e.item_id for e in bundle.overdue} == {items[2].pk, items[3].pk}


def test_an_item_missed_on_several_days_is_overdue_once_at_its_first_missed_day():
    user = learner()
    items = [ItemFactory(track=TrackFactory()) for _ in range(2)]
    for days_ago, item in [(3, items[0]), (2, items[1]), (1, items[0])]:
        PlanEntry.objects.create(
            user=user, item=item, date=MONDAY - dt.timedelta(days=days_ago), status=PlanEntry.Status.MISSED
        )
    bundle = today_bundle(user=user, now=dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC))
    assert [(e.item_id, e.date) for e in bundle.overdue] == [
        (items[0].pk, MONDAY - dt.timedelta(days=3)),
        (items[1].pk, MONDAY - dt.timedelta(days=2)),
    ]


def test_today_runs_at_most_twelve_queries_whatever_the_data(django_assert_max_num_queries):
    user = learner(parallel_limit=5)
    tracks = build_day(user, tracks=5, items=12)
    plan_rebuild(user=user, today=MONDAY - dt.timedelta(days=3))
    for items in tracks:
        for item in items[:2]:
            progress_mark_done(user=user, item=item, now=dt.datetime(2026, 2, 27, 12, tzinfo=dt.UTC))
            review_rate(user=user, item=item, rating="hard", now=dt.datetime(2026, 2, 27, 12, tzinfo=dt.UTC))
    plan_rebuild(user=user, today=MONDAY)
    for _ in range(5):
        ReadingQueueEntryFactory(user=user)
        DeadlineFactory(owner=user, due_at=dt.datetime(2026, 3, 8, tzinfo=dt.UTC))
    # profile, today's entries, their progress, reviews due, overdue, reading, deadlines, the next deadline
    # after the window (when the bundle stops holding), problem re-solves due, concept questions due, finished
    # items, review ratings, vacations
    with django_assert_max_num_queries(13):
        bundle = today_bundle(user=user, now=dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC))
        # Reading what a page shows must not add queries.
        _ = [(e.item.track.title, e.item.my_progress) for day in bundle.tracks for e in day.entries]
        _ = [(c.item.track.title) for c in bundle.reviews_due] + [e.item.title for e in bundle.overdue]
    assert len(bundle.tracks) == 5 and len(bundle.reviews_due) == 10 and len(bundle.deadlines) == 5


def test_the_plan_is_rebuilt_once_when_the_learners_day_turns(time_machine):
    user = learner("Asia/Shanghai")
    build_day(user, tracks=1)
    # 2026-03-01 17:00 UTC is already 2026-03-02 01:00 in Shanghai.
    assert plan_ensure_current(user=user, now=dt.datetime(2026, 3, 1, 17, tzinfo=dt.UTC)).today == MONDAY
    assert plan_ensure_current(user=user, now=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)) is None
    assert plan_ensure_current(
        user=user, now=dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC)
    ).today == MONDAY + dt.timedelta(days=1)
