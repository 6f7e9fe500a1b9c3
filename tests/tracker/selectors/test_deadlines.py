"""Deadlines: public ones and the learner's own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import DeadlineFactory, UserFactory
from tracker.selectors import deadlines_page

pytestmark = pytest.mark.django_db


def test_deadlines_are_public_and_own_ahead_and_own_passed_within_30_days():
    user = UserFactory()
    now = timezone.now()
    mine = DeadlineFactory(owner=user, due_at=now + dt.timedelta(days=2))
    public = DeadlineFactory(owner=None, key="conf", due_at=now + dt.timedelta(days=9))
    DeadlineFactory(owner=UserFactory(), due_at=now + dt.timedelta(days=1))
    passed = DeadlineFactory(owner=user, due_at=now - dt.timedelta(days=3))
    DeadlineFactory(owner=user, due_at=now - dt.timedelta(days=40))
    assert deadlines_page(user=user, now=now) == ([mine, public], [passed])
