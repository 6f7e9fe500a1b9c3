"""What a learner does to an item: start, done, skip, undo, a note, time spent.

Each call is atomic. Finishing or reopening an item that was not on today's plan (done early, say)
re-plans from today in the same transaction, so the plan never offers what is already done.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tracker.models import Item, PlanEntry, Progress, ReviewCard, StudyProfile, User
from tracker.services.learner_state import learner_state_bump
from tracker.services.planning import plan_rebuild
from tracker.timezones import local_today

MAX_NOTE_CHARS = 20_000


class ProgressError(Exception):
    """An action that cannot be done; the message says why and what to do."""


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _today(user: User, now: dt.datetime) -> dt.date:
    profile = StudyProfile.objects.get_or_create(user=user)[0]
    return local_today(profile.time_zone, now)


def _progress(user: User, item: Item) -> Progress:
    # Locked so that two clicks (two tabs, a retried request) apply one after the other.
    return Progress.objects.select_for_update().get_or_create(user=user, item=item)[0]


def _close_todays_entry(user: User, item: Item, today: dt.date, status: str) -> bool:
    """Sets today's new-item entry to `status`; False when the item was not planned for today."""
    return PlanEntry.objects.filter(user=user, item=item, date=today, kind=PlanEntry.Kind.NEW).update(status=status) > 0


@transaction.atomic
def progress_start(*, user: User, item: Item, now: dt.datetime | None = None) -> Progress:
    progress = _progress(user, item)
    if progress.status in {Progress.Status.TODO, Progress.Status.SKIPPED}:
        progress.status = Progress.Status.DOING
        progress.started_at = progress.started_at or _now(now)
        progress.save(update_fields=["status", "started_at", "updated_at"])
        learner_state_bump(user_id=user.pk)
    return progress


@transaction.atomic
def progress_mark_done(
    *, user: User, item: Item, now: dt.datetime | None = None, minutes_spent: int | None = None
) -> Progress:
    """Marks the item done now; adds `minutes_spent` (else the estimate, if none was logged)."""
    now = _now(now)
    progress = _progress(user, item)
    if progress.is_completed:
        return progress
    progress.status = Progress.Status.DONE
    progress.done_at = now
    if progress.started_at and progress.started_at > now:
        progress.started_at = now
    if minutes_spent is not None:
        _check_minutes(minutes_spent)
        progress.time_spent_minutes += minutes_spent
    elif progress.time_spent_minutes == 0:
        progress.time_spent_minutes = item.estimated_minutes
    progress.save()
    if not _close_todays_entry(user, item, _today(user, now), PlanEntry.Status.DONE):
        plan_rebuild(user=user, today=_today(user, now))
    learner_state_bump(user_id=user.pk)
    return progress


@transaction.atomic
def progress_skip(*, user: User, item: Item, now: dt.datetime | None = None) -> Progress:
    """Skips the item: it leaves the plan and does not count as done."""
    now = _now(now)
    progress = _progress(user, item)
    progress.status = Progress.Status.SKIPPED
    progress.done_at = None
    progress.save(update_fields=["status", "done_at", "updated_at"])
    if not _close_todays_entry(user, item, _today(user, now), PlanEntry.Status.SKIPPED):
        plan_rebuild(user=user, today=_today(user, now))
    learner_state_bump(user_id=user.pk)
    return progress


@transaction.atomic
def progress_undo(*, user: User, item: Item, now: dt.datetime | None = None) -> Progress:
    """Takes back done or skipped: the item is to do again (or doing, if it was started) and its
    spaced-review card goes, since the rating was for work now undone."""
    now = _now(now)
    progress = _progress(user, item)
    progress.status = Progress.Status.DOING if progress.started_at else Progress.Status.TODO
    progress.done_at = None
    progress.save(update_fields=["status", "done_at", "updated_at"])
    ReviewCard.objects.filter(user=user, item=item).delete()
    today = _today(user, now)
    _close_todays_entry(user, item, today, PlanEntry.Status.PLANNED)
    plan_rebuild(user=user, today=today)
    return progress


@transaction.atomic
def progress_set_note(*, user: User, item: Item, note: str) -> Progress:
    """Saves the learner's markdown note on the item (rendered sanitised, never as raw HTML)."""
    if len(note) > MAX_NOTE_CHARS:
        raise ProgressError(f"The note has {len(note)} characters; keep it under {MAX_NOTE_CHARS}.")
    progress = _progress(user, item)
    progress.note = note
    progress.save(update_fields=["note", "updated_at"])
    learner_state_bump(user_id=user.pk)
    return progress


def _check_minutes(minutes: int) -> None:
    if not 0 < minutes <= 24 * 60:
        raise ProgressError(f"Time spent must be between 1 and 1440 minutes, not {minutes}.")


@transaction.atomic
def progress_add_time(*, user: User, item: Item, minutes: int) -> Progress:
    """Adds study time to the item."""
    _check_minutes(minutes)
    progress = _progress(user, item)
    progress.time_spent_minutes += minutes
    progress.save(update_fields=["time_spent_minutes", "updated_at"])
    learner_state_bump(user_id=user.pk)
    return progress
