"""Idempotent POSTs: the first response to a key is stored, and a retry with the key gets it back.

A key is claimed by inserting its row (unique per learner and key) in the same transaction as the work
it guards, so two concurrent retries cannot both act: on PostgreSQL the second insert waits for the
first transaction and then finds the stored response; on SQLite writes are serialised anyway. Work that
fails (an error response or an exception) rolls back with its claim, so the key can be used again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import IdempotencyKey
from tracker.models import User

REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")


class IdempotencyKeyReused(Exception):
    """The key was used before for a different request (another path or body)."""


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any
    headers: dict[str, str]


def _ttl() -> dt.timedelta:
    ttl: dt.timedelta = settings.IDEMPOTENCY_KEY_TTL
    return ttl


def idempotent_call(
    *,
    user: User,
    key: str,
    fingerprint: str,
    method: str,
    path: str,
    run: Callable[[], StoredResponse],
    now: dt.datetime | None = None,
) -> tuple[StoredResponse, bool]:
    """Runs `run` once per (user, key) within the key's lifetime; returns its response and whether it
    was replayed. Raises IdempotencyKeyReused when the key was used for a different request."""
    now = now or timezone.now()
    with transaction.atomic():
        IdempotencyKey.objects.filter(user=user, created_at__lt=now - _ttl()).delete()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    fingerprint=fingerprint,
                    method=method,
                    path=path[:500],
                    status_code=0,
                    created_at=now,
                )
        except IntegrityError:
            existing = IdempotencyKey.objects.get(user=user, key=key)
            if existing.fingerprint != fingerprint:
                raise IdempotencyKeyReused(key) from None
            return StoredResponse(existing.status_code, existing.response_body, existing.response_headers), True
        response = run()
        if not 200 <= response.status_code < 300:
            transaction.set_rollback(True)
            return response, False
        record.status_code = response.status_code
        record.response_body = response.body
        record.response_headers = {k: v for k, v in response.headers.items() if k in REPLAYED_HEADERS}
        record.save(update_fields=["status_code", "response_body", "response_headers"])
        return response, False


def idempotency_keys_purge(*, now: dt.datetime | None = None) -> int:
    """Deletes keys past their lifetime; returns how many. For a periodic job."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=(now or timezone.now()) - _ttl()).delete()
    return deleted
