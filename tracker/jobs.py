"""The services' handle on the background tasks: a task looked up by its name in Celery's registry.

tracker/tasks.py imports the services it wraps, so a service cannot import the tasks module back; it
names the task instead, as CELERY_TASK_ROUTES and the beat schedules already do. The tracker app imports
the tasks module when Django starts (TrackerConfig.ready), so every name is registered by then.
"""

from __future__ import annotations

from typing import Any

from celery import Task, current_app


def tracker_task(name: str) -> Task[Any, Any]:
    """The task `tracker.tasks.<name>`, to call `.delay()` or `.apply_async()` on."""
    return current_app.tasks[f"tracker.tasks.{name}"]
