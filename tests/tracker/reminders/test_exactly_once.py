"""Exactly once per learner and local date: two beats, two workers, copies of a task, a retried task, a
worker killed between claim and send. The last tests run real threads on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import smtplib
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection

from tests.factories import DeadlineFactory, make_learner
from tests.tracker.reminders.conftest import Queue
from tracker.models import ReminderDelivery, StudyProfile
from tracker.services.reminders import reminders_dispatch, reminders_send
from tracker.services.users import study_profile_update

UTC = dt.UTC
BEFORE = dt.datetime(2026, 3, 2, 6, tzinfo=UTC)  # a Monday
TICK = dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_second_tick_and_a_copy_of_a_task_send_nothing_more(queue: Queue):
    users = [make_learner(now=BEFORE, hour=7) for _ in range(3)]
    reminders_dispatch(now=TICK)
    batches = list(queue.batches)
    assert queue.run(TICK) == 3
    # The broker delivers the batch again (a copy, or a redelivery after a lost ack): nothing is sent.
    for ids, token in batches:
        assert reminders_send(delivery_ids=ids, token=token, now=TICK) == 0
    # Another beat's tick in the same minute, and ticks long after: nothing either.
    assert queue.tick(TICK) == 0
    assert queue.tick(TICK + dt.timedelta(hours=2)) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


@pytest.mark.django_db
def test_a_reminder_rescheduled_to_the_same_day_is_not_sent_twice(queue: Queue):
    user = make_learner(now=BEFORE, hour=7)
    assert queue.tick(TICK) == 1
    # The learner moves the hour to later today, after today's e-mail went out.
    with time_machine.travel(TICK + dt.timedelta(hours=1), tick=False):
        study_profile_update(user=user, reminder_hour=20)
    assert queue.tick(dt.datetime(2026, 3, 2, 20, 0, tzinfo=UTC)) == 0
    assert queue.tick(dt.datetime(2026, 3, 3, 20, 0, tzinfo=UTC)) == 1
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_worker_killed_between_claim_and_send_is_replaced_by_the_next_tick(queue: Queue):
    user = make_learner(now=BEFORE, hour=7)
    reminders_dispatch(now=TICK)
    ((ids, token),) = queue.batches
    queue.batches.clear()
    # A worker takes the batch over, then dies before sending (what reminders_send does first).
    ReminderDelivery.objects.filter(pk__in=ids, claim_token=token).update(claim_token="dead-worker", claimed_at=TICK)
    assert queue.tick(TICK + dt.timedelta(minutes=4)) == 0  # not stale yet: the worker may be alive
    assert queue.tick(TICK + dt.timedelta(minutes=10)) == 1  # stale: claimed again and sent
    assert queue.tick(TICK + dt.timedelta(minutes=30)) == 0  # a sent reminder never again
    assert [m.to[0] for m in mail.outbox] == [user.email]
    # The dead worker's task, redelivered by the broker, finds nothing of its own.
    assert reminders_send(delivery_ids=ids, token=token, now=TICK + dt.timedelta(minutes=31)) == 0


@pytest.mark.django_db
def test_an_smtp_failure_hands_the_batch_back_and_the_retry_sends_it_once(queue: Queue):
    users = [make_learner(now=BEFORE, hour=7) for _ in range(3)]
    reminders_dispatch(now=TICK)
    ((ids, token),) = queue.batches
    real = mail.get_connection

    class Flaky:
        """Sends the first message, then the server goes away."""

        def __init__(self, **kwargs: Any) -> None:
            self.inner = real(**kwargs)
            self.count = 0

        def __enter__(self) -> Flaky:
            self.inner.__enter__()
            return self

        def __exit__(self, *exc: object) -> None:
            self.inner.__exit__(*exc)

        def send_messages(self, messages: list[Any]) -> int:
            self.count += 1
            if self.count > 1:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            return int(self.inner.send_messages(messages))

    with (
        mock.patch("tracker.services.reminders.get_connection", Flaky),
        pytest.raises(smtplib.SMTPServerDisconnected),
    ):
        reminders_send(delivery_ids=ids, token=token, now=TICK)
    assert len(mail.outbox) == 1
    assert ReminderDelivery.objects.filter(status="sent").count() == 1
    # The task retries with the same arguments: the two unsent ones go out, the sent one does not.
    assert reminders_send(delivery_ids=ids, token=token, now=TICK + dt.timedelta(seconds=30)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


@pytest.mark.django_db
def test_a_refused_address_is_skipped_and_the_others_are_sent(queue: Queue):
    good, bad = make_learner(now=BEFORE, hour=7), make_learner(now=BEFORE, hour=7)
    reminders_dispatch(now=TICK)
    ((ids, token),) = queue.batches
    real_send = mail.backends.locmem.EmailBackend.send_messages

    def refuse(self: Any, messages: list[Any]) -> int:
        if messages[0].to == [bad.email]:
            raise smtplib.SMTPRecipientsRefused({bad.email: (550, b"No such user")})
        return int(real_send(self, messages))

    with mock.patch.object(mail.backends.locmem.EmailBackend, "send_messages", refuse):
        assert reminders_send(delivery_ids=ids, token=token, now=TICK) == 1
    assert [m.to[0] for m in mail.outbox] == [good.email]
    skipped = ReminderDelivery.objects.get(user=bad)
    assert skipped.status == "skipped" and "refused" in skipped.note
    assert queue.tick(TICK + dt.timedelta(hours=1)) == 0


@pytest.mark.django_db
def test_a_learner_who_unsubscribed_after_the_claim_gets_nothing(queue: Queue):
    user = make_learner(now=BEFORE, hour=7)
    reminders_dispatch(now=TICK)
    StudyProfile.objects.filter(user=user).update(reminders_enabled=False)  # in another request, say
    assert queue.run(TICK) == 0
    assert ReminderDelivery.objects.get(user=user).status == "skipped"


@pytest.mark.django_db
def test_the_dispatcher_enqueues_on_commit_on_the_email_queue(django_capture_on_commit_callbacks, settings):
    make_learner(now=BEFORE, hour=7)
    with mock.patch("tracker.tasks.reminders_send_batch.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert reminders_dispatch(now=TICK) == 1
        delay.assert_not_called()  # not before the claim is committed
        for callback in callbacks:
            callback()
    delay.assert_called_once()
    ids, token = delay.call_args.args
    assert ReminderDelivery.objects.filter(pk__in=ids, claim_token=token).count() == 1
    route = settings.CELERY_TASK_ROUTES["tracker.tasks.reminders_send_batch"]
    assert route == {"queue": settings.EMAIL_QUEUE} and settings.EMAIL_QUEUE == "email"


# --- Real threads on PostgreSQL ----------------------------------------------------------------------------


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
        thread.join(60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_beats_and_duplicated_tasks_on_postgresql_send_one_email_each(postgres: None, queue: Queue, settings):
    settings.REMINDERS_BATCH_SIZE = 7
    users = [make_learner(now=BEFORE, hour=7) for _ in range(40)]
    for user in users[:10]:
        DeadlineFactory(owner=user, due_at=TICK + dt.timedelta(days=1, hours=3))

    # Two beats tick at the same moment (two dispatcher processes).
    _in_threads(lambda: reminders_dispatch(now=TICK), lambda: reminders_dispatch(now=TICK))
    batches = list(queue.batches)
    assert sum(len(ids) for ids, _ in batches) == 50  # 40 daily + 10 deadline claims, each claimed once

    # Every batch is delivered twice, to two workers running at once.
    sent = _in_threads(
        *[
            (lambda ids=ids, token=token: reminders_send(delivery_ids=ids, token=token, now=TICK))
            for ids, token in batches
        ],
        *[
            (lambda ids=ids, token=token: reminders_send(delivery_ids=ids, token=token, now=TICK))
            for ids, token in batches
        ],
    )
    assert sum(int(str(n)) for n in sent) == 40
    per_address = Counter(m.to[0] for m in mail.outbox)
    assert per_address == Counter(u.email for u in users)
    assert ReminderDelivery.objects.filter(status="sent").count() == 50
    assert ReminderDelivery.objects.values("message_id").distinct().count() == 40

    # More ticks, in parallel again, later that day: nothing more.
    queue.batches.clear()
    later = TICK + dt.timedelta(minutes=10)
    _in_threads(lambda: reminders_dispatch(now=later), lambda: reminders_dispatch(now=later))
    assert queue.batches == []
    assert len(mail.outbox) == 40
