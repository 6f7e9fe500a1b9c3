"""End to end: beat's dispatcher task and the send batches run in a real Celery worker on the real Redis
broker, read and write the real PostgreSQL, and deliver through a real SMTP server; a second dispatch,
and a copy of every batch, send nothing more."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.factories import DeadlineFactory, make_learner
from tests.tracker.reminders.conftest import SmtpServer
from tests.workers import start_worker, stop_worker, wait_for, wait_until_worked_off, worker_env
from tracker.models import ReminderDelivery, StudyProfile
from tracker.tasks import reminders_dispatch, reminders_send_batch

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_each_reminder_once_through_smtp(postgres: None, redis_url: str, smtp_server: SmtpServer):
    queue = f"test-email-{uuid.uuid4().hex[:8]}"  # its own queue: never eats anyone else's tasks
    now = timezone.now()
    users = []
    for zone in ("America/New_York", "Europe/Berlin", "Asia/Shanghai"):
        user = make_learner(now=now - dt.timedelta(days=1), zone=zone)
        StudyProfile.objects.filter(user=user).update(next_reminder_at=now - dt.timedelta(minutes=1))
        users.append(user)
    DeadlineFactory(owner=users[0], title_en="Paper due", due_at=now + dt.timedelta(hours=20))
    env = worker_env(
        redis_url,
        # The local settings send through EMAIL_URL (the test settings keep mail in memory).
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        EMAIL_URL=f"smtp://{smtp_server.host}:{smtp_server.port}",
        EMAIL_QUEUE=queue,  # where the worker's dispatcher routes the send batches
    )
    worker = start_worker(queue, env)
    try:
        reminders_dispatch.apply_async(queue=queue)
        wait_for(lambda: ReminderDelivery.objects.filter(status="sent").count() == 4, worker, "send the reminders")
        wait_for(lambda: len(smtp_server.handler.envelopes) == 3, worker, "deliver three e-mails")
        batches = list(ReminderDelivery.objects.values_list("pk", "claim_token"))

        # Beat ticks again, and the broker delivers a copy of a batch: nothing more goes out.
        reminders_dispatch.apply_async(queue=queue)
        for pk, token in batches:
            reminders_send_batch.apply_async(args=[[pk], token], queue=queue)
        reminders_dispatch.apply_async(queue=queue)
        # Two rounds: the tasks above, then any batch a dispatcher among them might have sent.
        wait_until_worked_off(worker, queue, rounds=2)
        assert worker.poll() is None
        assert ReminderDelivery.objects.filter(status="sent").count() == ReminderDelivery.objects.count() == 4
    finally:
        output = stop_worker(worker)
    assert "tracker.tasks.reminders_send_batch" in output and "succeeded" in output
    assert sorted(e.rcpt_tos[0] for e in smtp_server.handler.envelopes) == sorted(u.email for u in users)
    messages = {m["To"]: m for m in smtp_server.handler.messages()}
    first = messages[users[0].email]
    assert first.get_content_type() == "multipart/alternative"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["Message-ID"] == ReminderDelivery.objects.get(user=users[0], kind="daily").message_id
    assert "Paper due" in first.get_body(("plain",)).get_content()
