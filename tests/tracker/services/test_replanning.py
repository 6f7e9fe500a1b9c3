"""The nightly re-plan: each learner once per local date, at their midnight, whoever comes first (the job,
a request, the daily e-mail). The last tests run real threads on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection

from tests.factories import EnrollmentFactory, ItemFactory, TrackFactory, UserFactory
from tracker.models import Item, PlanEntry, StudyProfile, User
from tracker.services import planning, replanning
from tracker.services.planning import plan_ensure_current
from tracker.services.replanning import replans_dispatch, replans_run
from tracker.services.schedules import PERIODIC_TASKS, periodic_tasks_ensure

UTC = dt.UTC
MONDAY = dt.date(2026, 3, 2)


@dataclass
class Batches:
    """Stands in for the broker: the batches the dispatcher enqueued."""

    enqueued: list[list[int]] = field(default_factory=list)

    def tick(self, now: dt.datetime) -> int:
        """One dispatcher tick, then its batches; returns how many learners were re-planned."""
        self.enqueued.clear()
        replans_dispatch(now=now)
        return self.run(now)

    def run(self, now: dt.datetime) -> int:
        batches = list(self.enqueued)
        self.enqueued.clear()
        return sum(replans_run(user_ids=ids, now=now) for ids in batches)


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> Batches:
    queue = Batches()
    monkeypatch.setattr(replanning, "_enqueue_batch", queue.enqueued.append)
    return queue


@pytest.fixture
def replans(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[tuple[int, dt.date]]]:
    """Counts the re-plans that wrote a plan, by learner and day (thread-safe)."""
    counts: Counter[tuple[int, dt.date]] = Counter()
    lock = threading.Lock()
    real = planning._plan_write

    def counted(**kwargs: object) -> planning.PlanRebuild:
        result = real(**kwargs)  # type: ignore[arg-type]
        with lock:
            counts[(kwargs["user"].pk, result.today)] += 1  # type: ignore[attr-defined]
        return result

    monkeypatch.setattr(planning, "_plan_write", counted)
    yield counts


def planned_learner(*, zone: str, planned_at: dt.datetime, items: int = 3, **profile: object) -> User:
    """A learner in `zone` with one track, planned at the instant `planned_at` (their local date then)."""
    user = UserFactory(profile__time_zone=zone, **{f"profile__{k}": v for k, v in profile.items()})
    track = TrackFactory()
    for position in range(items):
        ItemFactory(track=track, position=position, estimated_minutes=30)
    start = planned_at.astimezone(ZoneInfo(zone)).date()
    EnrollmentFactory(user=user, track=track, priority=1, pace_per_day=30, start_date=start)
    plan_ensure_current(user=user, now=planned_at)
    return user


def plan_day(user: User) -> dt.date | None:
    return StudyProfile.objects.get(user=user).plan_built_on


# --- When -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_learners_are_replanned_at_their_own_midnight_whatever_the_zone(batches: Batches):
    # 2026-03-08 15:00 UTC: Sunday 23:00 in Shanghai, Sunday 08:00 in Los Angeles.
    evening = dt.datetime(2026, 3, 8, 15, 0, tzinfo=UTC)
    shanghai = planned_learner(zone="Asia/Shanghai", planned_at=evening)
    los_angeles = planned_learner(zone="America/Los_Angeles", planned_at=evening)
    assert (plan_day(shanghai), plan_day(los_angeles)) == (dt.date(2026, 3, 8), dt.date(2026, 3, 8))

    assert batches.tick(dt.datetime(2026, 3, 8, 15, 59, tzinfo=UTC)) == 0  # 23:59 in Shanghai
    # The same instant is Monday 00:05 in Shanghai and still Sunday in Los Angeles.
    assert batches.tick(dt.datetime(2026, 3, 8, 16, 5, tzinfo=UTC)) == 1
    assert (plan_day(shanghai), plan_day(los_angeles)) == (dt.date(2026, 3, 9), dt.date(2026, 3, 8))
    # Los Angeles' midnight: 07:00 UTC, its clocks having sprung forward that Sunday (PDT, not PST's 08:00).
    assert StudyProfile.objects.get(user=los_angeles).replan_due_at == dt.datetime(2026, 3, 9, 7, tzinfo=UTC)
    assert batches.tick(dt.datetime(2026, 3, 9, 6, 59, tzinfo=UTC)) == 0
    assert batches.tick(dt.datetime(2026, 3, 9, 7, 0, tzinfo=UTC)) == 1
    assert plan_day(los_angeles) == dt.date(2026, 3, 9)
    # Missed work rolled forward in each zone's own day.
    assert PlanEntry.objects.filter(user=shanghai, date=dt.date(2026, 3, 8), status="missed").count() == 1
    assert PlanEntry.objects.filter(user=los_angeles, date=dt.date(2026, 3, 9), status="planned").exists()


@pytest.mark.parametrize(
    ("zone", "planned_at", "midnight"),
    [
        # The clocks fall back on Sunday 1 November 2026: Monday's midnight is PST again.
        ("America/Los_Angeles", dt.datetime(2026, 11, 1, 12, tzinfo=UTC), dt.datetime(2026, 11, 2, 8, tzinfo=UTC)),
        # Santiago springs forward at its midnight (00:00 → 01:00): the day begins at 01:00 local, 04:00 UTC.
        ("America/Santiago", dt.datetime(2026, 9, 5, 15, tzinfo=UTC), dt.datetime(2026, 9, 6, 4, tzinfo=UTC)),
        ("Asia/Shanghai", dt.datetime(2026, 11, 1, 12, tzinfo=UTC), dt.datetime(2026, 11, 1, 16, tzinfo=UTC)),
    ],
)
@pytest.mark.django_db
def test_the_next_day_begins_at_local_midnight_across_daylight_saving_changes(
    batches: Batches, zone: str, planned_at: dt.datetime, midnight: dt.datetime
):
    user = planned_learner(zone=zone, planned_at=planned_at)
    assert StudyProfile.objects.get(user=user).replan_due_at == midnight
    before = plan_day(user)
    assert batches.tick(midnight - dt.timedelta(seconds=1)) == 0
    assert batches.tick(midnight) == 1
    assert plan_day(user) == before + dt.timedelta(days=1)  # type: ignore[operator]


# --- Exactly once -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_tick_and_a_copy_of_a_batch_replan_nobody_twice(batches: Batches, replans: Counter):
    planned = dt.datetime(2026, 3, 2, 12, tzinfo=UTC)
    users = [planned_learner(zone="UTC", planned_at=planned) for _ in range(3)]
    replans.clear()
    midnight = dt.datetime(2026, 3, 3, 0, 1, tzinfo=UTC)
    replans_dispatch(now=midnight)
    (batch,) = batches.enqueued
    assert sorted(batch) == sorted(u.pk for u in users)
    assert replans_dispatch(now=midnight) == 0  # another beat at the same moment: all claimed
    assert batches.run(midnight) == 3
    # The broker delivers the batch again, and beat ticks on through the day: nothing more.
    assert replans_run(user_ids=batch, now=midnight) == 0
    assert batches.tick(midnight + dt.timedelta(hours=3)) == 0
    assert batches.tick(midnight + dt.timedelta(hours=23)) == 0
    assert replans == Counter({(u.pk, dt.date(2026, 3, 3)): 1 for u in users})
    assert batches.tick(midnight + dt.timedelta(days=1)) == 3  # the next night


@pytest.mark.django_db
def test_a_lost_batch_is_claimed_again_when_its_lease_ends(batches: Batches, settings):
    user = planned_learner(zone="UTC", planned_at=dt.datetime(2026, 3, 2, 12, tzinfo=UTC))
    midnight = dt.datetime(2026, 3, 3, 0, 1, tzinfo=UTC)
    assert replans_dispatch(now=midnight) == 1
    batches.enqueued.clear()  # the worker died with the batch
    assert batches.tick(midnight + settings.REPLAN_CLAIM_LEASE - dt.timedelta(seconds=1)) == 0
    assert batches.tick(midnight + settings.REPLAN_CLAIM_LEASE) == 1
    assert plan_day(user) == dt.date(2026, 3, 3)


@pytest.mark.django_db
def test_a_learner_who_came_first_is_not_replanned_by_the_job(batches: Batches, replans: Counter):
    user = planned_learner(zone="Europe/Berlin", planned_at=dt.datetime(2026, 3, 2, 12, tzinfo=UTC))
    replans.clear()
    # 00:30 in Berlin: the learner opens the app before the job's tick.
    early = dt.datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    assert plan_ensure_current(user=user, now=early) is not None
    assert batches.tick(early + dt.timedelta(minutes=1)) == 0
    # And the other way round: claimed by the job, planned by a request, then the batch runs.
    replans_dispatch(now=dt.datetime(2026, 3, 3, 23, 1, tzinfo=UTC))
    assert plan_ensure_current(user=user, now=dt.datetime(2026, 3, 3, 23, 2, tzinfo=UTC)) is not None
    assert batches.run(dt.datetime(2026, 3, 3, 23, 3, tzinfo=UTC)) == 0
    assert replans == Counter({(user.pk, dt.date(2026, 3, 3)): 1, (user.pk, dt.date(2026, 3, 4)): 1})
    # The lease the claim left is put right: due at the next midnight, not again in ten minutes.
    assert StudyProfile.objects.get(user=user).replan_due_at == dt.datetime(2026, 3, 4, 23, tzinfo=UTC)


@pytest.mark.django_db
def test_learners_never_planned_are_due_and_deactivated_accounts_wait_a_day(batches: Batches):
    new = UserFactory()
    gone = UserFactory(is_active=False)
    assert StudyProfile.objects.get(user=new).replan_due_at is None
    now = dt.datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert batches.tick(now) == 1
    assert plan_day(new) == MONDAY and plan_day(gone) is None
    assert StudyProfile.objects.get(user=gone).replan_due_at == now + dt.timedelta(days=1)


@pytest.mark.django_db
def test_one_learner_failing_does_not_hold_back_the_batch(batches: Batches, monkeypatch: pytest.MonkeyPatch):
    planned = dt.datetime(2026, 3, 2, 12, tzinfo=UTC)
    broken, fine = planned_learner(zone="UTC", planned_at=planned), planned_learner(zone="UTC", planned_at=planned)
    real = planning.build_plan

    def build_plan(**kwargs: object) -> object:
        if any(t.track_id in broken_tracks for t in kwargs["tracks"]):  # type: ignore[attr-defined]
            raise RuntimeError("scheduler crashed")
        return real(**kwargs)  # type: ignore[arg-type]

    broken_tracks = set(broken.enrollments.values_list("track_id", flat=True))
    monkeypatch.setattr(planning, "build_plan", build_plan)
    assert batches.tick(dt.datetime(2026, 3, 3, 0, 1, tzinfo=UTC)) == 1
    assert (plan_day(broken), plan_day(fine)) == (MONDAY, MONDAY + dt.timedelta(days=1))


@pytest.mark.django_db
def test_the_dispatcher_enqueues_on_commit_on_the_planning_queue(django_capture_on_commit_callbacks, settings):
    settings.REPLAN_BATCH_SIZE = 2
    users = [UserFactory() for _ in range(3)]
    with mock.patch("tracker.tasks.replans_run_batch.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert replans_dispatch(now=dt.datetime(2026, 3, 2, 10, tzinfo=UTC)) == 3
        delay.assert_not_called()  # not before the claim is committed
        for callback in callbacks:
            callback()
    assert sorted(len(call.args[0]) for call in delay.call_args_list) == [1, 2]
    assert sorted(pk for call in delay.call_args_list for pk in call.args[0]) == sorted(u.pk for u in users)
    for task in ("tracker.tasks.replans_dispatch", "tracker.tasks.replans_run_batch"):
        assert settings.CELERY_TASK_ROUTES[task] == {"queue": settings.PLANNING_QUEUE}


@pytest.mark.django_db
def test_the_nightly_replan_is_a_periodic_task_in_the_database():
    from django_celery_beat.models import PeriodicTask

    assert "Nightly re-plan" in periodic_tasks_ensure()
    task = PeriodicTask.objects.get(name="Nightly re-plan")
    assert (task.task, task.interval.every, task.interval.period) == ("tracker.tasks.replans_dispatch", 300, "seconds")
    assert PERIODIC_TASKS["Nightly re-plan"][0] == task.task


# --- The request's fallback, and the daily e-mail ---------------------------------------------------------


@pytest.mark.django_db
def test_without_the_job_the_first_request_of_the_day_replans(client, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False)
    user = planned_learner(zone="Asia/Shanghai", planned_at=dt.datetime(2026, 3, 2, 1, tzinfo=UTC))
    first = Item.objects.get(track__enrollments__user=user, position=0)
    time_machine.move_to(dt.datetime(2026, 3, 4, 2, tzinfo=UTC), tick=False)  # two days on, no worker ran
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert plan_day(user) == dt.date(2026, 3, 4)
    # Monday's item, missed, is today's first.
    assert first.display_title() in response.content.decode()
    assert PlanEntry.objects.get(user=user, item=first, status="planned").date == dt.date(2026, 3, 4)


@pytest.mark.django_db
def test_the_email_of_a_learner_away_for_100_days_lists_todays_items(time_machine, monkeypatch):
    from tests.tracker.reminders.conftest import Queue
    from tracker.services import reminders
    from tracker.services.reminders import reminder_schedule

    start = dt.datetime(2026, 1, 5, 6, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    user = planned_learner(zone="UTC", planned_at=start, items=200, reminder_hour=7)
    reminder_schedule(profile=StudyProfile.objects.get(user=user), now=start)
    later = start + dt.timedelta(days=100, hours=1)  # 07:00, a hundred days on; no visit, no job
    assert not PlanEntry.objects.filter(user=user, date=later.date()).exists()  # past the 90-day plan
    time_machine.move_to(later, tick=False)
    StudyProfile.objects.filter(user=user).update(next_reminder_at=later)
    queue = Queue()
    monkeypatch.setattr(reminders, "_enqueue_send", lambda ids, token: queue.batches.append((ids, token)))
    assert queue.tick(later) == 1
    (message,) = mail.outbox
    first = Item.objects.get(track__enrollments__user=user, position=0)  # missed on day one, never done
    entry = PlanEntry.objects.get(user=user, date=later.date(), status="planned")
    assert entry.item == first
    assert first.display_title() in message.body
    assert plan_day(user) == later.date()


# --- Real threads on PostgreSQL ---------------------------------------------------------------------------


def _in_threads(*targets: Callable[[], object]) -> list[object]:
    """Runs the targets at the same moment, each on its own database connection."""
    barrier = threading.Barrier(len(targets))
    results: list[object] = [None] * len(targets)
    errors: list[BaseException] = []

    def run(n: int, target: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[n] = target()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, t)) for n, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_copies_of_batches_and_requests_on_postgresql_replan_each_learner_day_once(
    postgres: None, batches: Batches, replans: Counter, settings
):
    settings.REPLAN_BATCH_SIZE = 7
    planned = dt.datetime(2026, 3, 8, 12, tzinfo=UTC)
    zones = ["Asia/Shanghai", "America/Los_Angeles", "Europe/Berlin", "UTC"]
    users = [planned_learner(zone=zones[n % 4], planned_at=planned) for n in range(40)]
    replans.clear()
    now = dt.datetime(2026, 3, 9, 12, tzinfo=UTC)  # Monday in every one of these zones

    # Two beats tick at the same moment (two dispatcher processes).
    claimed = _in_threads(lambda: replans_dispatch(now=now), lambda: replans_dispatch(now=now))
    assert sum(int(str(n)) for n in claimed) == 40
    enqueued = list(batches.enqueued)
    assert sorted(pk for batch in enqueued for pk in batch) == sorted(u.pk for u in users)  # each claimed once

    # Every batch is delivered twice, to two workers at once, while ten learners open the app.
    results = _in_threads(
        *[(lambda ids=ids: replans_run(user_ids=ids, now=now)) for ids in enqueued],
        *[(lambda ids=ids: replans_run(user_ids=ids, now=now)) for ids in enqueued],
        *[(lambda user=user: plan_ensure_current(user=user, now=now)) for user in users[:10]],
    )
    batch_replans = sum(int(str(n)) for n in results[: 2 * len(enqueued)])
    request_replans = sum(r is not None for r in results[2 * len(enqueued) :])
    assert batch_replans + request_replans == 40
    assert replans == Counter({(u.pk, dt.date(2026, 3, 9)): 1 for u in users})
    assert all(plan_day(u) == dt.date(2026, 3, 9) for u in users)

    # More ticks, in parallel again, later that day: nobody is due.
    batches.enqueued.clear()
    later = now + dt.timedelta(minutes=5)
    assert _in_threads(lambda: replans_dispatch(now=later), lambda: replans_dispatch(now=later)) == [0, 0]
    assert batches.enqueued == []


@pytest.mark.django_db(transaction=True)
def test_the_job_and_a_request_at_once_on_postgresql_replan_once(postgres: None, replans: Counter):
    user = planned_learner(zone="Asia/Shanghai", planned_at=dt.datetime(2026, 3, 8, 3, tzinfo=UTC))
    replans.clear()
    now = dt.datetime(2026, 3, 8, 16, 1, tzinfo=UTC)  # 00:01 on Monday in Shanghai
    for _ in range(5):  # five nights, each raced again
        results = _in_threads(
            lambda now=now: replans_run(user_ids=[user.pk], now=now),
            lambda now=now: plan_ensure_current(user=user, now=now),
        )
        assert int(str(results[0])) + (results[1] is not None) == 1
        now += dt.timedelta(days=1)
    assert replans == Counter({(user.pk, dt.date(2026, 3, 9) + dt.timedelta(days=n)): 1 for n in range(5)})
