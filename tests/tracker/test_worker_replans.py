"""End to end: beat's nightly re-plan and its batches run in a real Celery worker on the real Redis broker and
the real PostgreSQL; a second dispatch and a copy of a batch re-plan nobody again."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from tests.factories import EnrollmentFactory, ItemFactory, TrackFactory, UserFactory
from tests.workers import start_worker, stop_worker, wait_for, worker_env
from tracker.models import PlanEntry, StudyProfile, WorkerHeartbeat
from tracker.services.planning import plan_rebuild
from tracker.tasks import replans_dispatch, replans_run_batch, worker_heartbeat
from tracker.timezones import local_today

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_replans_each_learner_whose_day_turned_once(postgres: None, redis_url: str):
    queue = f"test-planning-{uuid.uuid4().hex[:8]}"  # its own queue: never eats anyone else's tasks
    now = timezone.now()
    users = []
    for zone in ("America/Los_Angeles", "Europe/Berlin", "Asia/Shanghai"):
        user = UserFactory(profile__time_zone=zone)
        track = TrackFactory()
        for position in range(4):
            ItemFactory(track=track, position=position, estimated_minutes=30)
        yesterday = local_today(zone, now) - dt.timedelta(days=1)
        EnrollmentFactory(user=user, track=track, priority=1, pace_per_day=30, start_date=yesterday)
        plan_rebuild(user=user, today=yesterday)  # last planned yesterday: due now
        users.append(user)
    stamps = {u.pk: list(PlanEntry.objects.filter(user=u).values_list("pk", "updated_at")) for u in users}

    def all_replanned() -> bool:
        profiles = StudyProfile.objects.filter(user__in=users).values_list("time_zone", "plan_built_on")
        return all(day == local_today(zone, timezone.now()) for zone, day in profiles)

    worker = start_worker(queue, worker_env(redis_url, PLANNING_QUEUE=queue))
    try:
        replans_dispatch.apply_async(queue=queue)
        wait_for(all_replanned, worker, "re-plan the three learners")
        replanned = {u.pk: list(PlanEntry.objects.filter(user=u).values_list("pk", "updated_at")) for u in users}
        assert replanned != stamps
        # Beat ticks again and the broker delivers a copy of a batch; a heartbeat sent after them tells
        # when the worker (one at a time, in order) has run them.
        replans_dispatch.apply_async(queue=queue)
        replans_run_batch.apply_async(args=[[u.pk for u in users]], queue=queue)
        worker_heartbeat.apply_async(kwargs={"hostname": queue}, queue=queue)
        wait_for(lambda: WorkerHeartbeat.objects.filter(hostname=queue).exists(), worker, "run the copies")
    finally:
        output = stop_worker(worker)
    assert "tracker.tasks.replans_run_batch" in output and "succeeded" in output
    # Nothing was written again: every entry as the first run left it.
    assert {u.pk: list(PlanEntry.objects.filter(user=u).values_list("pk", "updated_at")) for u in users} == replanned
    for user in users:
        assert PlanEntry.objects.filter(user=user, status="missed").exists()  # yesterday's item rolled forward
