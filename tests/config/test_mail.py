"""The counting e-mail backend: every message sent or failed is counted, whoever sends it."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence

import pytest
from django.core import mail
from django.core.mail import EmailMessage, send_mass_mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from tests.factories import FeedFactory, FeedSubscriptionFactory
from tests.metrics_support import value
from tracker.models import Feed
from tracker.services.feeds import feed_gone_notify


class RefusesBoom(LocmemBackend):
    """Keeps mail in memory but fails on a message whose subject is "boom", as an SMTP server might."""

    opened = closed = 0

    def open(self) -> bool:
        RefusesBoom.opened += 1
        return True

    def close(self) -> None:
        RefusesBoom.closed += 1

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if any(m.subject == "boom" for m in messages):
            raise smtplib.SMTPDataError(554, b"rejected")
        return super().send_messages(messages)


@pytest.fixture
def counting(settings) -> None:
    settings.EMAIL_BACKEND = "config.mail.CountingEmailBackend"
    settings.METRICS_EMAIL_INNER_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_the_settings_put_the_counting_backend_in_front_of_email_urls() -> None:
    from config.settings import base

    assert base.EMAIL_BACKEND == "config.mail.CountingEmailBackend"
    # The backend EMAIL_URL chose (the console without one) sends what the counting one hands it.
    assert base.METRICS_EMAIL_INNER_BACKEND.startswith("django.core.mail.backends.")


@pytest.mark.django_db
def test_a_feed_gone_notice_is_counted_as_sent(counting) -> None:
    feed = FeedFactory(status=Feed.Status.GONE)
    FeedSubscriptionFactory(feed=feed)
    FeedSubscriptionFactory(feed=feed)
    sent, failed = value("brainqueue_emails_total", outcome="sent"), value("brainqueue_emails_total", outcome="failed")
    assert feed_gone_notify(feed_id=feed.pk) == 2
    assert len(mail.outbox) == 2
    assert value("brainqueue_emails_total", outcome="sent") == sent + 2
    assert value("brainqueue_emails_total", outcome="failed") == failed


def test_a_failure_counts_the_messages_before_it_as_sent_and_the_rest_as_failed(settings) -> None:
    settings.EMAIL_BACKEND = "config.mail.CountingEmailBackend"
    settings.METRICS_EMAIL_INNER_BACKEND = f"{__name__}.RefusesBoom"
    RefusesBoom.opened = RefusesBoom.closed = 0
    sent, failed = value("brainqueue_emails_total", outcome="sent"), value("brainqueue_emails_total", outcome="failed")
    messages = [(subject, "body", "from@example.org", ["to@example.org"]) for subject in ("one", "boom", "three")]
    with pytest.raises(smtplib.SMTPDataError):
        send_mass_mail(messages)
    assert [m.subject for m in mail.outbox] == ["one"]
    assert value("brainqueue_emails_total", outcome="sent") == sent + 1
    assert value("brainqueue_emails_total", outcome="failed") == failed + 2
    assert (RefusesBoom.opened, RefusesBoom.closed) == (1, 1)  # one connection for the batch, closed
