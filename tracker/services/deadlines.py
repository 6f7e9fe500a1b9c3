"""A learner's own deadlines. Public ones are curated in the admin."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction

from tracker.models import Deadline, Track, User
from tracker.services.learner_state import learner_state_bump


class DeadlineError(Exception):
    """A deadline that cannot be saved; the message names the field and the problem."""


def _validated(deadline: Deadline) -> Deadline:
    try:
        deadline.full_clean(exclude=["owner", "key"])
    except ValidationError as exc:
        raise DeadlineError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
    return deadline


def local_due(due: dt.datetime | dt.date, time_zone: str) -> dt.datetime:
    """A wall-clock time (or a date, meaning its last minute) in `time_zone` as an aware datetime."""
    zone = ZoneInfo(time_zone)
    if not isinstance(due, dt.datetime):
        return dt.datetime.combine(due, dt.time(23, 59), tzinfo=zone)
    return due if due.tzinfo else due.replace(tzinfo=zone)


@transaction.atomic
def deadline_create(
    *,
    user: User,
    title: str,
    due_at: dt.datetime,
    time_zone: str,
    kind: str = Deadline.Kind.PERSONAL,
    url: str = "",
    track: Track | None = None,
) -> Deadline:
    if track is not None and track.owner_id not in (None, user.pk):
        raise DeadlineError("track: that track is not yours.")
    learner_state_bump(user_id=user.pk)
    return _validated_save(
        Deadline(owner=user, title=title, due_at=due_at, time_zone=time_zone, kind=kind, url=url, track=track)
    )


def _validated_save(deadline: Deadline) -> Deadline:
    _validated(deadline).save()
    return deadline


@transaction.atomic
def deadline_update(*, deadline: Deadline, **changes: object) -> Deadline:
    allowed = {"title", "due_at", "time_zone", "kind", "url", "track"}
    unknown = set(changes) - allowed
    if unknown:
        raise DeadlineError(f"Cannot change {', '.join(sorted(unknown))}.")
    if deadline.owner_id is None:
        raise DeadlineError("Public deadlines are curated; add your own instead.")
    for name, value in changes.items():
        setattr(deadline, name, value)
    learner_state_bump(user_id=deadline.owner_id)
    return _validated_save(deadline)


@transaction.atomic
def deadline_delete(*, deadline: Deadline) -> None:
    if deadline.owner_id is None:
        raise DeadlineError("Public deadlines are curated; they cannot be deleted here.")
    learner_state_bump(user_id=deadline.owner_id)
    deadline.delete()
