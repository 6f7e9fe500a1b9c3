"""One-click unsubscribe (RFC 8058): GET asks, POST unsubscribes, a bad token changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import make_learner
from tests.tracker.reminders.conftest import Queue
from tracker.links import unsubscribe_token_make, unsubscribe_token_user
from tracker.models import StudyProfile, User
from tracker.services.users import reminders_unsubscribe, study_profile_update

UTC = dt.UTC
BEFORE = dt.datetime(2026, 3, 2, 6, tzinfo=UTC)
TICK = dt.datetime(2026, 3, 2, 7, tzinfo=UTC)


def enabled(user: User) -> bool:
    return StudyProfile.objects.get(user=user).reminders_enabled


@pytest.fixture
def csrf_client() -> Client:
    """A client that enforces CSRF, as a browser or a mail provider would meet it."""
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
def test_the_email_link_asks_first_and_the_one_click_post_unsubscribes(queue: Queue, csrf_client: Client):
    user = make_learner(now=BEFORE, hour=7)
    queue.tick(TICK)
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>").removeprefix("http://127.0.0.1:8000")

    page = csrf_client.get(url)
    assert page.status_code == 200 and "Stop the reminder e-mails?" in page.text
    assert page["Cache-Control"].startswith("max-age=0") and page["Referrer-Policy"] == "no-referrer"
    assert enabled(user)  # a link scanner's GET changes nothing

    # What Gmail and others send: a POST with this body, no cookie, no CSRF token.
    done = csrf_client.post(url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    profile = StudyProfile.objects.get(user=user)
    assert not profile.reminders_enabled and profile.next_reminder_at is None
    assert queue.tick(TICK + dt.timedelta(days=1)) == 0

    # Again: still fine, still off. Then Settings turns them back on.
    assert csrf_client.post(url).status_code == 200
    assert "You are unsubscribed" in csrf_client.get(url).text
    with time_machine.travel(TICK + dt.timedelta(days=1, hours=1), tick=False):
        study_profile_update(user=user, reminders_enabled=True)
    assert queue.tick(TICK + dt.timedelta(days=2)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["forged", "altered", "other-salt", "garbage"])
def test_a_forged_or_altered_token_changes_nothing(csrf_client: Client, how: str):
    user = make_learner(now=BEFORE)
    victim = make_learner(now=BEFORE)
    token = unsubscribe_token_make(user=user)
    bad = {
        "forged": f"{victim.pk}:{token.split(':', 1)[1]}",  # another learner's id with this signature
        "altered": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "other-salt": __import__("django.core.signing", fromlist=["x"]).TimestampSigner().sign(str(victim.pk)),
        "garbage": "not-a-token",
    }[how]
    for method in (csrf_client.get, csrf_client.post):
        response = method(reverse("public:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "This link does not work" in response.text and "nothing was changed" in response.text
    assert enabled(user) and enabled(victim)


@pytest.mark.django_db
def test_an_expired_token_changes_nothing(csrf_client: Client):
    user = make_learner(now=BEFORE)
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        token = unsubscribe_token_make(user=user)
    with time_machine.travel(dt.datetime(2026, 2, 15, tzinfo=UTC), tick=False):
        assert unsubscribe_token_user(token=token) == user  # 45 days: still good
    with time_machine.travel(dt.datetime(2026, 3, 5, tzinfo=UTC), tick=False):
        assert csrf_client.post(reverse("public:unsubscribe", args=[token])).status_code == 400
    assert enabled(user)


@pytest.mark.django_db
def test_the_confirmation_page_speaks_the_learners_language(client: Client):
    user = make_learner(now=BEFORE, language="zh-hans")
    page = client.get(reverse("public:unsubscribe", args=[unsubscribe_token_make(user=user)]))
    assert "停止接收提醒邮件？" in page.text


@pytest.mark.django_db
def test_unsubscribing_says_whether_the_reminders_were_on():
    user = make_learner(now=BEFORE, hour=7)

    first_profile, first = reminders_unsubscribe(user=user)
    written = StudyProfile.objects.get(user=user).updated_at
    _, second = reminders_unsubscribe(user=user)

    assert (first, second) == (True, False)
    assert first_profile.reminders_enabled is False
    assert StudyProfile.objects.get(user=user).updated_at == written  # the second click wrote nothing
