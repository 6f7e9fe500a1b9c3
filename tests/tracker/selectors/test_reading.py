"""The reading queue as the reading page shows it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import ReadingQueueEntryFactory, UserFactory
from tracker.selectors import reading_page

pytestmark = pytest.mark.django_db


def test_the_reading_page_puts_what_is_being_read_first_and_keeps_read_ones_apart():
    user = UserFactory()
    first = ReadingQueueEntryFactory(user=user, position=1)
    second = ReadingQueueEntryFactory(user=user, position=2, status="reading")
    done = ReadingQueueEntryFactory(user=user, position=3, status="read", read_at=timezone.now(), summary="ok")
    ReadingQueueEntryFactory(user=UserFactory(), position=1)
    to_read, read = reading_page(user=user)
    assert to_read == [second, first] and read == [done]
