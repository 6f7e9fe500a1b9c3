"""The reading queue: add, reorder, start, mark read with a summary, drop."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from tracker.models import Item, ReadingQueueEntry, User
from tracker.services.learner_state import learner_state_bump

MAX_SUMMARY_CHARS = 20_000


class ReadingError(Exception):
    """A reading-queue change that cannot be made; the message says why."""


class NotReadable(ReadingError):
    """The item is not read or watched (a problem, an exercise, a milestone…): it has no place in the queue."""


def _next_position(user: User) -> int:
    top = ReadingQueueEntry.objects.filter(user=user).aggregate(m=Max("position"))["m"]
    return (top or 0) + 1


@transaction.atomic
def reading_entry_add(
    *, user: User, item: Item | None = None, url: str = "", title: str = ""
) -> tuple[ReadingQueueEntry, bool]:
    """Queues a curriculum item or a link at the end of the queue. Returns the entry and whether it was
    created: an item already queued comes back as it is.

    Raises NotReadable for an item that is not read or watched (`Item.READABLE_KINDS`)."""
    if item is None and not url:
        raise ReadingError("Give a track item or a link to read.")
    if item is not None:
        if item.track.owner_id not in (None, user.pk):
            raise ReadingError("That item is in someone else's track.")
        if item.kind not in Item.READABLE_KINDS:
            raise NotReadable(
                f"This item is not something to read (its kind is {item.kind}); only chapters, sections, "
                "lectures, articles and resources go into the reading queue."
            )
        existing = ReadingQueueEntry.objects.filter(user=user, item=item).first()
        if existing:
            return existing, False
    entry = ReadingQueueEntry.objects.create(
        user=user, item=item, url=url, title=title[:300], position=_next_position(user)
    )
    learner_state_bump(user_id=user.pk)
    return entry, True


@transaction.atomic
def reading_entry_move(*, entry: ReadingQueueEntry, position: int) -> ReadingQueueEntry:
    """Moves the entry to `position` (1 is the top), shifting the others; positions stay 1..n."""
    entries = list(
        ReadingQueueEntry.objects.select_for_update().filter(user_id=entry.user_id).order_by("position", "id")
    )
    ordered = [e for e in entries if e.pk != entry.pk]
    index = min(max(position, 1), len(entries)) - 1
    ordered.insert(index, next(e for e in entries if e.pk == entry.pk))
    changed = []
    for number, row in enumerate(ordered, start=1):
        if row.position != number:
            row.position = number
            changed.append(row)
    ReadingQueueEntry.objects.bulk_update(changed, ["position"])
    learner_state_bump(user_id=entry.user_id)
    entry.refresh_from_db()
    return entry


@transaction.atomic
def reading_entry_set_status(
    *, entry: ReadingQueueEntry, status: str, summary: str | None = None, now: dt.datetime | None = None
) -> ReadingQueueEntry:
    """Sets reading, read (with the day's summary note) or dropped; queued puts it back."""
    if status not in ReadingQueueEntry.Status.values:
        raise ReadingError(f"Status must be one of {', '.join(ReadingQueueEntry.Status.values)}.")
    if summary is not None:
        if len(summary) > MAX_SUMMARY_CHARS:
            raise ReadingError(f"The summary has {len(summary)} characters; keep it under {MAX_SUMMARY_CHARS}.")
        entry.summary = summary
    entry.status = status
    entry.read_at = (now or timezone.now()) if status == ReadingQueueEntry.Status.READ else None
    entry.save()
    learner_state_bump(user_id=entry.user_id)
    return entry


@transaction.atomic
def reading_entry_delete(*, entry: ReadingQueueEntry) -> None:
    user_id, position = entry.user_id, entry.position
    entry.delete()
    ReadingQueueEntry.objects.filter(user_id=user_id, position__gt=position).update(position=F("position") - 1)
    learner_state_bump(user_id=user_id)
