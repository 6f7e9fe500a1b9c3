"""Re-planning through the database: history kept, missed work rolled forward, changes re-plan."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import EnrollmentFactory, ItemFactory, ProgressFactory, TrackFactory, UserFactory
from tracker.models import Enrollment, Item, PlanEntry, Progress, StudyProfile
from tracker.selectors import enrollments_with_progress
from tracker.services import planning
from tracker.services.enrollments import EnrollmentError, enrollment_update
from tracker.services.planning import plan_rebuild
from tracker.services.progress import progress_mark_done
from tracker.services.users import ProfileError, study_profile_update

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


def learner(**profile):
    user = UserFactory()
    StudyProfile.objects.filter(user=user).update(**{"daily_minutes": 240, "parallel_limit": 2, **profile})
    return user


def enrol(user, priority, n_items=5, minutes=30, pace=30, start=MONDAY, **kwargs):
    track = TrackFactory()
    items = [ItemFactory(track=track, position=i, estimated_minutes=minutes) for i in range(n_items)]
    enrollment = EnrollmentFactory(
        user=user, track=track, priority=priority, pace_per_day=pace, start_date=start, **kwargs
    )
    return enrollment, items


def tracks_by_day(user):
    days = defaultdict(set)
    for entry in PlanEntry.objects.filter(user=user, kind="new").select_related("item"):
        days[entry.date].add(entry.item.track_id)
    return days


def test_rebuild_writes_a_plan_that_keeps_the_parallel_limit_and_priorities():
    user = learner(parallel_limit=2)
    first, _ = enrol(user, 1)
    second, _ = enrol(user, 2)
    third, _ = enrol(user, 3)

    result = plan_rebuild(user=user, today=MONDAY)

    days = tracks_by_day(user)
    assert result.entries_created == 15
    assert days[MONDAY] == {first.track_id, second.track_id}
    assert all(len(tracks) <= 2 for tracks in days.values())
    # The third track takes a slot the day after the first two finish their five items.
    third_days = sorted(d for d, tracks in days.items() if third.track_id in tracks)
    assert third_days[0] == MONDAY + dt.timedelta(days=5)


def test_missed_items_roll_forward_and_past_days_keep_their_history():
    user = learner()
    _, items = enrol(user, 1)
    plan_rebuild(user=user, today=MONDAY)
    progress_mark_done(user=user, item=items[0], now=dt.datetime(2026, 3, 2, 18, tzinfo=dt.UTC))

    result = plan_rebuild(user=user, today=MONDAY + dt.timedelta(days=3))

    history = {
        (e.date, e.item_id): e.status
        for e in PlanEntry.objects.filter(user=user, date__lt=MONDAY + dt.timedelta(days=3))
    }
    assert history[(MONDAY, items[0].pk)] == "done"
    assert history[(MONDAY + dt.timedelta(days=1), items[1].pk)] == "missed"
    assert history[(MONDAY + dt.timedelta(days=2), items[2].pk)] == "missed"
    assert result.missed_marked == 2
    upcoming = list(
        PlanEntry.objects.filter(user=user, date__gte=MONDAY + dt.timedelta(days=3))
        .order_by("date")
        .values_list("item_id", flat=True)
    )
    assert upcoming == [items[1].pk, items[2].pk, items[3].pk, items[4].pk]  # nothing lost, order kept


def test_marking_an_item_done_early_replans_from_today():
    user = learner()
    _, items = enrol(user, 1)
    plan_rebuild(user=user, today=MONDAY)
    assert PlanEntry.objects.get(user=user, item=items[3]).date == MONDAY + dt.timedelta(days=3)

    progress_mark_done(user=user, item=items[3], now=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))

    assert not PlanEntry.objects.filter(user=user, item=items[3]).exists()
    assert PlanEntry.objects.get(user=user, item=items[4]).date == MONDAY + dt.timedelta(days=3)
    assert Progress.objects.get(user=user, item=items[3]).status == "done"


def test_pausing_a_track_gives_its_slot_to_the_next_by_priority(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC), tick=False)
    user = learner(parallel_limit=1)
    first, _ = enrol(user, 1)
    second, _ = enrol(user, 2)
    plan_rebuild(user=user)
    assert tracks_by_day(user)[MONDAY] == {first.track_id}

    enrollment_update(enrollment=first, status=Enrollment.Status.PAUSED)

    assert tracks_by_day(user)[MONDAY] == {second.track_id}
    assert not PlanEntry.objects.filter(user=user, item__track=first.track, date__gte=MONDAY).exists()


def test_changing_priority_or_the_limit_replans(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC), tick=False)
    user = learner(parallel_limit=1)
    first, _ = enrol(user, 1)
    second, _ = enrol(user, 2)
    plan_rebuild(user=user)

    enrollment_update(enrollment=second, priority=0 + 1)
    enrollment_update(enrollment=first, priority=2)
    assert tracks_by_day(user)[MONDAY] == {second.track_id}

    study_profile_update(user=user, parallel_limit=2)
    assert tracks_by_day(user)[MONDAY] == {first.track_id, second.track_id}


def test_bad_settings_are_refused_with_the_field_named_and_nothing_changes(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC), tick=False)
    user = learner()
    first, _ = enrol(user, 1)
    with pytest.raises(ProfileError, match="parallel_limit"):
        study_profile_update(user=user, parallel_limit=0)
    with pytest.raises(ProfileError, match="time_zone"):
        study_profile_update(user=user, time_zone="Moon/Base")
    with pytest.raises(EnrollmentError, match="pace_per_day"):
        enrollment_update(enrollment=first, pace_per_day=0)
    assert StudyProfile.objects.get(user=user).parallel_limit == 2
    first.refresh_from_db()
    assert first.pace_per_day == 30


def test_a_track_that_cannot_meet_its_target_reports_when_it_would_finish():
    user = learner()
    late, _ = enrol(user, 1, n_items=10, target_date=MONDAY + dt.timedelta(days=3))
    on_time, _ = enrol(user, 2, n_items=2, target_date=MONDAY + dt.timedelta(days=30))

    result = plan_rebuild(user=user, today=MONDAY)

    assert [f.enrollment_id for f in result.late_tracks] == [late.pk]
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.projected_finish_date == MONDAY + dt.timedelta(days=9)
    assert on_time.projected_finish_date == MONDAY + dt.timedelta(days=1)


def test_pinned_entries_stay_where_the_learner_put_them():
    user = learner()
    _, items = enrol(user, 1, n_items=3)
    PlanEntry.objects.create(user=user, item=items[2], date=MONDAY + dt.timedelta(days=20), origin="pinned")

    plan_rebuild(user=user, today=MONDAY)
    plan_rebuild(user=user, today=MONDAY + dt.timedelta(days=1))

    assert list(PlanEntry.objects.filter(user=user, item=items[2]).values_list("date", "origin")) == [
        (MONDAY + dt.timedelta(days=20), "pinned")
    ]


def test_a_failing_rebuild_changes_nothing(monkeypatch: pytest.MonkeyPatch):
    user = learner()
    enrol(user, 1)
    plan_rebuild(user=user, today=MONDAY)
    before = list(PlanEntry.objects.order_by("pk").values_list("pk", "date", "status"))

    def explode(**kwargs: object) -> None:
        raise RuntimeError("scheduler crashed")

    monkeypatch.setattr(planning, "build_plan", explode)
    with pytest.raises(RuntimeError):
        plan_rebuild(user=user, today=MONDAY + dt.timedelta(days=2))
    assert list(PlanEntry.objects.order_by("pk").values_list("pk", "date", "status")) == before


def test_rest_days_and_vacations_get_nothing_in_the_stored_plan():
    user = learner(rest_weekdays=[6])
    from tracker.models import Vacation

    Vacation.objects.create(user=user, start_date=MONDAY + dt.timedelta(days=2), end_date=MONDAY + dt.timedelta(days=3))
    enrol(user, 1, n_items=10)
    plan_rebuild(user=user, today=MONDAY)
    dates = set(PlanEntry.objects.filter(user=user).values_list("date", flat=True))
    assert MONDAY + dt.timedelta(days=2) not in dates and MONDAY + dt.timedelta(days=3) not in dates
    assert not any(d.weekday() == 6 for d in dates)


def test_rebuild_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    user = learner(parallel_limit=5)
    for priority in range(1, 6):
        enrol(user, priority, n_items=40)
    # profile lock, stored entries, enrolments, finished, pinned, the tracks' item checksums, items (the
    # tracks are new to this process's cache), reviews, practice due, vacations, bulk insert, enrolment
    # forecasts, profile marker, the state version (its row made on a first bump) + savepoint bookkeeping
    with django_assert_max_num_queries(19):
        plan_rebuild(user=user, today=MONDAY)


def test_a_second_learner_on_the_same_tracks_reuses_their_items():
    first, second = learner(parallel_limit=5), learner(parallel_limit=5)
    tracks = [enrol(first, priority, n_items=40)[0].track for priority in range(1, 4)]
    for priority, track in enumerate(tracks, start=1):
        EnrollmentFactory(user=second, track=track, priority=priority)
    plan_rebuild(user=first, today=MONDAY)
    with CaptureQueriesContext(connection) as queries:
        plan_rebuild(user=second, today=MONDAY)

    item_reads = [q["sql"] for q in queries.captured_queries if 'FROM "tracker_item"' in q["sql"]]
    assert len(item_reads) == 1  # the checksums only: the items came from the cache
    assert "SUM" in item_reads[0]
    assert PlanEntry.objects.filter(user=second).count() == PlanEntry.objects.filter(user=first).count() > 0


def test_an_item_changed_behind_the_planners_back_is_planned_as_it_is_now():
    user = learner(parallel_limit=1, daily_minutes=60)
    enrollment, items = enrol(user, 1, n_items=3)
    plan_rebuild(user=user, today=MONDAY)
    assert PlanEntry.objects.get(user=user, item=items[0]).minutes == items[0].estimated_minutes

    # An update that stamps nothing (no updated_at, no signal) still changes what the planner reads.
    Item.objects.filter(pk=items[0].pk).update(estimated_minutes=45)
    Item.objects.filter(pk=items[1].pk).update(position=99)
    added = ItemFactory(track=enrollment.track, position=1000, estimated_minutes=10)
    plan_rebuild(user=user, today=MONDAY + dt.timedelta(days=1))

    planned = PlanEntry.objects.filter(user=user, kind="new", date__gte=MONDAY + dt.timedelta(days=1))
    assert planned.get(item=items[0]).minutes == 45
    order = list(planned.order_by("date", "position").values_list("item_id", flat=True))
    assert order.index(items[2].pk) < order.index(items[1].pk) < order.index(added.pk)


def test_a_skipped_item_leaves_the_plan_but_does_not_count_as_learned():
    user = learner()
    enrollment, (done, skipped, reviewed, todo) = enrol(user, 1, n_items=4)
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    ProgressFactory(user=user, item=done, status=Progress.Status.DONE, done_at=now)
    ProgressFactory(user=user, item=skipped, status=Progress.Status.SKIPPED, done_at=None)
    ProgressFactory(user=user, item=reviewed, status=Progress.Status.REVIEW, done_at=now)

    plan_rebuild(user=user, today=MONDAY)

    assert set(PlanEntry.objects.filter(user=user, kind="new").values_list("item_id", flat=True)) == {todo.pk}
    row = enrollments_with_progress(user=user).get(pk=enrollment.pk)
    assert (row.done_items, row.total_items) == (2, 4)
    assert set(Progress.CLOSED_STATUSES) - set(Progress.COMPLETED_STATUSES) == {Progress.Status.SKIPPED}


# --- Writing only what changed ----------------------------------------------------------------------------


def writes(queries) -> list[str]:
    """The INSERT, UPDATE and DELETE statements among captured queries, by statement and table."""
    found = []
    for query in queries.captured_queries:
        words = query["sql"].split()
        if words[0] in {"INSERT", "UPDATE", "DELETE"}:
            table = words[2] if words[0] in {"INSERT", "DELETE"} else words[1]
            found.append(f"{words[0]} {table.strip(chr(34))}")
    return found


def stored_plan(user):
    return sorted(
        PlanEntry.objects.filter(user=user).values_list(
            "item_id", "date", "kind", "status", "origin", "enrollment_id", "minutes", "position"
        )
    )


def test_a_replan_with_no_change_writes_nothing():
    user = learner(parallel_limit=2)
    for priority in (1, 2, 3):
        enrol(user, priority, n_items=8)
    plan_rebuild(user=user, today=MONDAY)
    pks = set(PlanEntry.objects.filter(user=user).values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        result = plan_rebuild(user=user, today=MONDAY)

    assert writes(queries) == []
    assert (result.entries_created, result.entries_updated, result.entries_deleted, result.missed_marked) == (
        0,
        0,
        0,
        0,
    )
    assert set(PlanEntry.objects.filter(user=user).values_list("pk", flat=True)) == pks


def test_a_small_change_writes_only_the_rows_that_changed():
    user = learner(parallel_limit=1)
    _, items = enrol(user, 1, n_items=5)
    plan_rebuild(user=user, today=MONDAY)
    untouched = PlanEntry.objects.get(user=user, item=items[1])
    # The learner finished the third item elsewhere (an import, another device) without a re-plan.
    Progress.objects.create(user=user, item=items[2], status="done", done_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))

    with CaptureQueriesContext(connection) as queries:
        result = plan_rebuild(user=user, today=MONDAY)

    # Its entry goes, the two after it move a day earlier, the track's forecast moves with them.
    assert (result.entries_created, result.entries_updated, result.entries_deleted) == (0, 2, 1)
    # ... and the learner's state version, so Today's caches see the new plan.
    assert writes(queries) == [
        "DELETE tracker_planentry",
        "UPDATE tracker_planentry",
        "UPDATE tracker_enrollment",
        "UPDATE tracker_learnerstate",
    ]
    assert [e.date for e in PlanEntry.objects.filter(user=user).order_by("date")] == [
        MONDAY + dt.timedelta(days=n) for n in range(4)
    ]
    assert PlanEntry.objects.get(user=user, item=items[1]).updated_at == untouched.updated_at


def test_a_replan_stores_what_planning_from_nothing_stores():
    """Whatever happened in between, the diff leaves the same rows as deleting the planner's entries
    and planning again (what re-planning did before it wrote only the changes)."""
    user = learner(parallel_limit=2, rest_weekdays=[6])
    first, items = enrol(user, 1, n_items=12, minutes=45, pace=90)
    enrol(user, 2, n_items=9, minutes=20)
    third, _ = enrol(user, 3, n_items=6, minutes=60, pace=60)
    plan_rebuild(user=user, today=MONDAY)
    PlanEntry.objects.create(user=user, item=items[11], date=MONDAY + dt.timedelta(days=9), origin="pinned")
    Progress.objects.create(user=user, item=items[0], status="done", done_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    PlanEntry.objects.filter(user=user, item=items[0]).update(status="done")
    steps = [
        lambda: None,
        lambda: Enrollment.objects.filter(pk=first.pk).update(priority=4),
        lambda: StudyProfile.objects.filter(user=user).update(daily_minutes=100, parallel_limit=3),
        lambda: Enrollment.objects.filter(pk=first.pk).update(status="paused"),
        lambda: Enrollment.objects.filter(pk=first.pk).update(status="active", pace_per_day=45),
    ]
    for n, step in enumerate(steps):
        step()
        day = MONDAY + dt.timedelta(days=n)
        plan_rebuild(user=user, today=day)
        incremental = stored_plan(user)
        PlanEntry.objects.filter(user=user, date__gte=day, origin="planner", status="planned").delete()
        plan_rebuild(user=user, today=day)
        assert stored_plan(user) == incremental, f"step {n}"
    assert third.pk in set(PlanEntry.objects.filter(user=user).values_list("enrollment_id", flat=True))


def test_a_replan_with_no_change_runs_a_fixed_number_of_queries(django_assert_num_queries):
    user = learner(parallel_limit=5)
    for priority in range(1, 6):
        enrol(user, priority, n_items=40)
    plan_rebuild(user=user, today=MONDAY)
    # savepoint, profile lock, stored entries (from today on and missed), enrolments, finished, pinned,
    # items, reviews, practice due (problem re-solves, concept questions), vacations, savepoint release: no write
    with django_assert_num_queries(12):
        plan_rebuild(user=user, today=MONDAY)
