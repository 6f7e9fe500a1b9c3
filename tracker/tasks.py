"""Celery tasks: thin wrappers that load rows and call a service."""

from __future__ import annotations

import socket

from celery import shared_task

from tracker.services.heartbeats import worker_heartbeat_record


@shared_task(ignore_result=True, soft_time_limit=10, time_limit=20)
def worker_heartbeat(hostname: str | None = None) -> None:
    """Records that a worker is alive; beat runs it every minute."""
    worker_heartbeat_record(hostname=hostname or socket.gethostname())
