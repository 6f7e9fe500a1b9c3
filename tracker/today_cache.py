"""Naming a learner's Today without building it: its ETag, a 304 from one query, and a cached copy.

What a Today shows is decided by the learner, their local date, their state version (raised by every
write that can change it, tracker/services/learner_state.py), the curated content's version, the
language it is shown in, and the time only through what `TodayBundle.valid_until` says (deadlines that
pass or come into the two weeks ahead; a page's countdowns add their own). `today_state` reads all but
the last in one query: the profile with both versions.

The ETag is `"<digest>.<unix seconds>"`: a digest of that key and of the instant up to which the body
holds, the instant written out so that a conditional request can be answered from the key alone. A
request names a fresh Today when one of its tags is the digest of the current key with its instant and
that instant is still ahead. A day that turns, a write, a curated change or a passing deadline each
gives a tag that no longer matches, so a 304 is never stale.

A built Today may be kept in Django's cache under the same key until its instant. It cannot be stale
either: a write raises the version in its own transaction, the version is read before the data, so an
entry never holds data older than its key; and an entry is stored only once the reading transaction has
committed (straight away outside one), so data a rollback undoes is never kept under a version that a
later write will reach. After restoring a database backup, clear the cache: versions go back with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.crypto import salted_hmac

from tracker.models import LearnerState, StudyProfile, User
from tracker.services.planning import plan_ensure_current
from tracker.timezones import local_today

# A cached Today is kept at most this long, whatever its instant (a day turns within it anyway).
CACHE_SECONDS_MAX = 24 * 3600


@dataclass(frozen=True)
class TodayState:
    """The learner's profile, local date and versions: what names their Today, short of the language."""

    profile: StudyProfile
    date: dt.date
    version: int
    content_version: int

    @property
    def key(self) -> str:
        return f"today:{self.profile.user_id}:{self.date.isoformat()}:{self.version}:{self.content_version}"


def _read(user: User, now: dt.datetime) -> TodayState | None:
    learner = LearnerState.objects.filter(user=OuterRef("user")).values("version")[:1]
    content = LearnerState.objects.filter(user__isnull=True).values("version")[:1]
    profile = (
        StudyProfile.objects.filter(user=user)
        .annotate(
            state_version=Coalesce(Subquery(learner), 0, output_field=IntegerField()),
            content_version=Coalesce(Subquery(content), 0, output_field=IntegerField()),
        )
        .first()
    )
    if profile is None:
        return None
    return TodayState(
        profile=profile,
        date=local_today(profile.time_zone, now),
        version=profile.state_version,
        content_version=profile.content_version,
    )


def today_state(*, user: User, now: dt.datetime) -> TodayState:
    """The learner's TodayState at `now`, the plan made current first: a new day re-plans (which raises
    the version). One query when the plan is today's."""
    state = _read(user, now)
    if state is None:
        StudyProfile.objects.get_or_create(user=user)
        state = _read(user, now)
    assert state is not None  # noqa: S101 -- the profile exists now
    if state.profile.plan_built_on != state.date:
        plan_ensure_current(user=user, now=now)
        state = _read(user, now)
        assert state is not None  # noqa: S101
    return state


def today_etag(key: str, valid_until: dt.datetime) -> str:
    """The ETag of the Today named `key` that holds until `valid_until` (rounded down to the second)."""
    until = int(valid_until.timestamp())
    digest = salted_hmac("tracker.today_cache", f"{key}|{until}", algorithm="sha256").hexdigest()[:32]
    return f'"{digest}.{until}"'


def today_etag_match(if_none_match: str | None, key: str, now: dt.datetime) -> str | None:
    """The tag of `If-None-Match` that names the current Today `key` and is still fresh at `now`, or None."""
    if not if_none_match:
        return None
    for raw in if_none_match.split(","):
        tag = raw.strip().removeprefix("W/")
        _, dot, until = tag.strip('"').rpartition(".")
        if not dot or not until.isdigit() or int(until) <= now.timestamp():
            continue
        if tag == today_etag(key, dt.datetime.fromtimestamp(int(until), tz=dt.UTC)):
            return tag
    return None


def today_cached(key: str, now: dt.datetime) -> tuple[Any, dt.datetime] | None:
    """The value kept under `key` and its instant, while that instant is ahead of `now`."""
    entry = cache.get(key)
    if entry is None:
        return None
    value, valid_until = entry
    if now >= valid_until:
        return None
    return value, valid_until


def today_cache_store(key: str, value: Any, *, valid_until: dt.datetime, now: dt.datetime) -> None:
    """Keeps `value` under `key` until `valid_until`, once the current transaction (if any) commits."""
    seconds = int(min(max((valid_until - now).total_seconds(), 1), CACHE_SECONDS_MAX))
    transaction.on_commit(lambda: cache.set(key, (value, valid_until), timeout=seconds))
