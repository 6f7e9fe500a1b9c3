"""Celery tasks: thin wrappers that load rows and call a service.

Tasks sit above the services, like views: this module imports the services it wraps, at the top. A
service that queues a task (a dispatcher's batches, a submission's grading) does not import this module
back; it looks the task up by name in Celery's registry (`tracker.jobs.tracker_task`), the name being the
task's public contract anyway (CELERY_TASK_ROUTES, the beat schedules). That keeps the import graph
acyclic, which import-linter checks, instead of hiding a cycle behind imports inside functions; and each
service call here stays typed. TrackerConfig.ready imports this module, so every task is registered
before a service asks for one.
"""

from __future__ import annotations

import socket
from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from tracker.services import exercise_drafts as draft_services
from tracker.services import exercises as exercise_services
from tracker.services import feeds as feed_services
from tracker.services import mock_interviews as mock_services
from tracker.services import reminders as reminder_services
from tracker.services import replanning as replan_services
from tracker.services.heartbeats import worker_heartbeat_record
from tracker.services.probes import probe_run


@shared_task(ignore_result=True, soft_time_limit=10, time_limit=20)
def worker_heartbeat(hostname: str | None = None) -> None:
    """Records that a worker is alive; beat runs it every minute."""
    worker_heartbeat_record(hostname=hostname or socket.gethostname())


# --- Blog feeds (tracker/services/feeds.py). Routed to the feeds queue by CELERY_TASK_ROUTES. ---


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def feeds_dispatch() -> int:
    """Beat runs it every minute: claims the due feeds and enqueues batch fetches."""
    return feed_services.feeds_dispatch()


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def feeds_fetch_batch(self: Task[Any, Any], feed_ids: list[int]) -> None:
    """Fetches a batch of claimed feeds. A retry (database down) re-fetches only feeds still claimed."""
    feed_services.feeds_fetch(feed_ids=[int(i) for i in feed_ids])


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def feed_gone_notify(self: Task[Any, Any], feed_id: int) -> None:
    """Tells the subscribers of a feed that answered 410 Gone."""
    feed_services.feed_gone_notify(feed_id=int(feed_id))


# --- Reminders (tracker/services/reminders.py). Sends are routed to the email queue by CELERY_TASK_ROUTES. ---


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def reminders_dispatch() -> int:
    """Beat runs it every 5 minutes: claims the reminders whose hour has come and enqueues send batches."""
    return reminder_services.reminders_dispatch()


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    # The hard limit stays below REMINDERS_CLAIM_STALE_AFTER, so a claim is never taken from a live batch.
    soft_time_limit=120,
    time_limit=150,
    autoretry_for=(OSError, OperationalError, InterfaceError),  # smtplib's errors are OSErrors
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def reminders_send_batch(self: Task[Any, Any], delivery_ids: list[int], token: str) -> int:
    """Sends a batch of claimed reminders on one SMTP connection; a copy of the task sends nothing."""
    return reminder_services.reminders_send(delivery_ids=[int(i) for i in delivery_ids], token=str(token))


# --- Exercise grading (tracker/services/exercises.py). Routed to the grading queue by CELERY_TASK_ROUTES. ---


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    # Defaults only: submission_enqueue passes limits derived from the bundle (cases x wall-clock limit).
    soft_time_limit=300,
    time_limit=330,
    max_retries=3,
)
def grade_submission(self: Task[Any, Any], submission_id: int) -> str:
    """Grades one submission in the sandbox. A copy of the task (redelivery) finds it claimed and does
    nothing; only an internal error of the grader is retried, and the last try records it."""
    try:
        return exercise_services.submission_grade(
            submission_id=int(submission_id), final_attempt=self.request.retries >= (self.max_retries or 0)
        )
    except exercise_services.GradingInternalError as exc:
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    # The reference runs twice over every case (outputs, then graded on them); a bundle that needs longer
    # is refused with the time limit's message.
    soft_time_limit=600,
    time_limit=660,
    max_retries=3,
)
def exercise_draft_validate(self: Task[Any, Any], draft_id: int) -> str:
    """Validates an uploaded or edited bundle in the sandbox and publishes it, or refuses it with its report.
    A copy of the task finds the draft claimed and does nothing; a worker without a sandbox retries."""
    try:
        return draft_services.exercise_draft_validate(
            draft_id=int(draft_id), final_attempt=self.request.retries >= (self.max_retries or 0)
        )
    except draft_services.DraftRetry as exc:
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc


# --- Operations (tracker/services/probes.py): a harmless task to check that a queue's workers run work. ---


@shared_task(bind=True, ignore_result=True, acks_late=True, soft_time_limit=40, time_limit=45)
def probe_sleep(self: Task[Any, Any], key: str, seconds: float = 0.0) -> None:
    """Records in Redis that this worker ran the probe `key` (after sleeping at most 30 s)."""
    probe_run(key=str(key), seconds=float(seconds), worker=str(self.request.hostname))


# --- The nightly re-plan (tracker/services/replanning.py). Routed to the planning queue by CELERY_TASK_ROUTES. ---


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def replans_dispatch() -> int:
    """Beat runs it every 5 minutes: claims the learners whose local day has turned and enqueues batches."""
    return replan_services.replans_dispatch()


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    # The hard limit stays below REPLAN_CLAIM_LEASE, so a live batch's learners are never claimed again.
    soft_time_limit=240,
    time_limit=270,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def replans_run_batch(self: Task[Any, Any], user_ids: list[int]) -> int:
    """Re-plans a batch of claimed learners, each in their own transaction; a copy re-plans nobody twice."""
    return replan_services.replans_run(user_ids=[int(i) for i in user_ids])


# --- Mock interviews (tracker/services/mock_interviews.py): the default queue. ---


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def mock_interviews_close_expired() -> int:
    """Beat runs it every minute: closes the running mock interviews whose time is up (a guarded UPDATE claims
    each, so a page that closed one meanwhile is not undone)."""
    return mock_services.mock_sessions_close_expired()
