"""Periodic clean-up of the API's rows; beat runs it hourly (tracker.services.schedules.PERIODIC_TASKS)."""

from __future__ import annotations

from celery import shared_task

from api.services.idempotency import idempotency_keys_purge
from tracker.services.tokens import api_tokens_purge_expired


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def api_purge_expired() -> None:
    """Deletes idempotency keys older than a day and expired device tokens; hourly is enough."""
    idempotency_keys_purge()
    api_tokens_purge_expired()
