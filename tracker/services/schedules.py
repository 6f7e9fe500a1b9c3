"""Periodic jobs live in the database (django-celery-beat), so curators see and change them in the admin."""

from __future__ import annotations

from django_celery_beat.models import IntervalSchedule, PeriodicTask

# name → (task, every N seconds). Only created when missing: an edit made in the admin stays.
PERIODIC_TASKS: dict[str, tuple[str, int]] = {
    "Worker heartbeat": ("tracker.tasks.worker_heartbeat", 60),
    # Claims the feeds due for a fetch and enqueues them on the feeds queue (tracker/services/feeds.py).
    "Feeds dispatcher": ("tracker.tasks.feeds_dispatch", 60),
    # Claims the reminders whose local hour has come and enqueues sends on the email queue
    # (tracker/services/reminders.py). Every 5 minutes: a reminder goes out at most 5 minutes late.
    "Reminders dispatcher": ("tracker.tasks.reminders_dispatch", 300),
    # Claims the learners whose local day has turned and re-plans them in batches (tracker/services/
    # replanning.py). Every 5 minutes: a learner's plan is re-made at most 5 minutes after their midnight.
    "Nightly re-plan": ("tracker.tasks.replans_dispatch", 300),
    # Closes running mock interviews whose time is up (tracker/services/mock_interviews.py); a page or the API
    # reading one past its end closes it too, so this only tidies sessions nobody looks at.
    "Close expired mock interviews": ("tracker.tasks.mock_interviews_close_expired", 60),
    # Drops idempotency keys older than 24 hours and expired API tokens (api/tasks.py).
    "API purge": ("api.tasks.api_purge_expired", 3600),
}


def periodic_tasks_ensure() -> list[str]:
    """Creates the periodic tasks that do not exist yet; returns the names it created."""
    created = []
    for name, (task, seconds) in PERIODIC_TASKS.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        every, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.create(name=name, task=task, interval=every)
        created.append(name)
    return created
