"""Celery tasks: thin wrappers that load rows and call a service."""

from __future__ import annotations

import socket
from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from tracker.services import feeds as feed_services
from tracker.services.heartbeats import worker_heartbeat_record


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
