"""No reminder, digest or feed notice goes to an address its owner has not verified."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.factories import UserFactory, make_learner
from tests.tracker.reminders.conftest import Queue
from tracker.models import Feed, FeedSubscription, ReminderDelivery, User
from tracker.models.feeds import FeedStatus
from tracker.services.feeds import feed_gone_notify
from tracker.services.reminders import reminders_dispatch

pytestmark = pytest.mark.django_db

BEFORE = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
TICK = dt.datetime(2026, 3, 2, 7, 1, tzinfo=dt.UTC)


def _unverify(user: User) -> None:
    EmailAddress.objects.filter(user=user).update(verified=False)


def test_a_learner_whose_address_is_not_verified_gets_no_reminder_until_it_is(queue: Queue):
    verified = make_learner(now=BEFORE, hour=7)
    pending = make_learner(now=BEFORE, hour=7)
    _unverify(pending)
    assert queue.tick(TICK) == 1
    assert [m.to for m in mail.outbox] == [[verified.email]]
    assert not ReminderDelivery.objects.filter(user=pending).exists()

    EmailAddress.objects.filter(user=pending).update(verified=True)
    assert queue.tick(TICK + dt.timedelta(days=1)) == 2
    assert [pending.email] in [m.to for m in mail.outbox]


def test_a_reminder_claimed_before_the_address_changed_to_an_unverified_one_is_skipped(queue: Queue):
    user = make_learner(now=BEFORE, hour=7)
    queue.batches.clear()
    reminders_dispatch(now=TICK)
    User.objects.filter(pk=user.pk).update(email="new@example.org")  # the new address is not verified yet
    assert queue.run(TICK) == 0
    assert mail.outbox == []
    assert ReminderDelivery.objects.get(user=user).note == "the e-mail address is not verified"


def test_a_feed_gone_notice_goes_only_to_verified_addresses():
    feed = Feed.objects.create(url="https://blog.example.org/feed.xml", status=FeedStatus.GONE)
    verified, pending = UserFactory(), UserFactory(email_verified=False)
    for user in (verified, pending):
        FeedSubscription.objects.create(user=user, feed=feed)
    assert feed_gone_notify(feed_id=feed.pk) == 1
    assert [m.to for m in mail.outbox] == [[verified.email]]
