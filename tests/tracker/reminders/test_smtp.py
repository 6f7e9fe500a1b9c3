"""Through a real SMTP server (aiosmtpd on loopback): what a mail provider receives."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import DeadlineFactory, make_learner
from tests.tracker.reminders.conftest import Queue, SmtpServer
from tracker.models import ReminderDelivery

UTC = dt.UTC
BEFORE = dt.datetime(2026, 3, 2, 6, tzinfo=UTC)
TICK = dt.datetime(2026, 3, 2, 7, tzinfo=UTC)


@pytest.mark.django_db
def test_a_real_smtp_server_receives_multipart_mail_with_unsubscribe_headers(
    queue: Queue, smtp_settings: SmtpServer, settings
):
    settings.SITE_URL = "https://brainqueue.example"
    settings.REMINDERS_UNSUBSCRIBE_MAILTO = "unsubscribe@brainqueue.example"
    english = make_learner(now=BEFORE, hour=7)
    chinese = make_learner(now=BEFORE, hour=7, language="zh-hans")
    DeadlineFactory(owner=english, title_en="Paper due", due_at=TICK + dt.timedelta(days=1))
    assert queue.tick(TICK) == 2

    envelopes = smtp_settings.handler.envelopes
    assert sorted(e.rcpt_tos[0] for e in envelopes) == sorted([english.email, chinese.email])
    by_to = {m["To"]: m for m in smtp_settings.handler.messages()}
    message = by_to[english.email]
    assert message.get_content_type() == "multipart/alternative"
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode(p.get_content_charset())
        for p in message.walk()
        if not p.is_multipart()
    }
    assert set(parts) >= {"text/plain", "text/html"}
    assert "Paper due" in parts["text/plain"] and "due tomorrow" in parts["text/plain"]
    assert "<html" in parts["text/html"] and "Paper due" in parts["text/html"]

    delivery = ReminderDelivery.objects.get(user=english, kind="daily")
    assert message["Message-ID"] == delivery.message_id
    assert message["Message-ID"].endswith("@brainqueue.example>")
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://brainqueue.example/unsubscribe/")
    assert "<mailto:unsubscribe@brainqueue.example?subject=unsubscribe>" in unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Subject"] == "Brainqueue · 2026-03-02: 0 new, 0 to review"

    # The Chinese subject survives encoding on the wire.
    assert by_to[chinese.email]["Subject"] == "Brainqueue · 2026-03-02：0 项新内容，0 项待复习"
