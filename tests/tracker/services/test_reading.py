"""The reading queue: one ordered list, reordered, read with a summary, dropped."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import ItemFactory, TrackFactory, UserFactory
from tracker.models import Item, ReadingQueueEntry
from tracker.services.reading import (
    NotReadable,
    ReadingError,
    reading_entry_add,
    reading_entry_delete,
    reading_entry_move,
    reading_entry_set_status,
)

pytestmark = pytest.mark.django_db


def queue(user):
    return list(ReadingQueueEntry.objects.filter(user=user).order_by("position").values_list("pk", flat=True))


def test_items_and_links_join_one_queue_at_the_end_once():
    user = UserFactory()
    chapter = ItemFactory(kind="chapter")
    first, created = reading_entry_add(user=user, item=chapter)
    link, link_created = reading_entry_add(user=user, url="https://oldpan.me/archives/tensorrt", title="TensorRT")
    again, created_again = reading_entry_add(user=user, item=chapter)
    assert again == first and queue(user) == [first.pk, link.pk]
    assert (created, link_created, created_again) == (True, True, False)
    with pytest.raises(ReadingError, match="item or a link"):
        reading_entry_add(user=user)
    with pytest.raises(ReadingError, match="someone else's"):
        reading_entry_add(user=user, item=ItemFactory(track=TrackFactory(owner=UserFactory())))


@pytest.mark.parametrize("kind", sorted(set(Item.Kind.values) - Item.READABLE_KINDS))
def test_only_items_that_are_read_or_watched_join_the_queue(kind):
    user = UserFactory()
    with pytest.raises(NotReadable, match="only chapters, sections, lectures, articles and resources"):
        reading_entry_add(user=user, item=ItemFactory(kind=kind))
    assert queue(user) == []
    for readable in sorted(Item.READABLE_KINDS):
        assert reading_entry_add(user=user, item=ItemFactory(kind=readable))[1]


def test_moving_an_entry_keeps_positions_one_to_n():
    user = UserFactory()
    a, b, c = (reading_entry_add(user=user, url=f"https://e.org/{n}")[0] for n in "abc")
    reading_entry_move(entry=c, position=1)
    assert queue(user) == [c.pk, a.pk, b.pk]
    reading_entry_move(entry=c, position=99)
    assert queue(user) == [a.pk, b.pk, c.pk]
    assert list(
        ReadingQueueEntry.objects.filter(user=user).order_by("position").values_list("position", flat=True)
    ) == [1, 2, 3]
    reading_entry_delete(entry=a)
    assert list(
        ReadingQueueEntry.objects.filter(user=user).order_by("position").values_list("position", flat=True)
    ) == [1, 2]


def test_marking_read_keeps_the_summary_and_the_time():
    user = UserFactory()
    entry, _ = reading_entry_add(user=user, url="https://e.org/x")
    now = dt.datetime(2026, 3, 2, 21, tzinfo=dt.UTC)
    reading_entry_set_status(entry=entry, status="read", summary="BN folds into the conv weights.", now=now)
    entry.refresh_from_db()
    assert (entry.status, entry.read_at, entry.summary) == ("read", now, "BN folds into the conv weights.")
    reading_entry_set_status(entry=entry, status="queued")
    entry.refresh_from_db()
    assert entry.read_at is None and entry.summary == "BN folds into the conv weights."
    with pytest.raises(ReadingError, match="one of"):
        reading_entry_set_status(entry=entry, status="finished")
