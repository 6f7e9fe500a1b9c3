"""Sign up, verify the address, sign in, sign out and reset the password, as a new learner goes through them;
and the limits that slow and stop guessing on the web form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tracker.models import StudyProfile, User

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "username": "ada",
    "email": "ada@example.org",
    "password1": "a-long-pass-phrase",
    "password2": "a-long-pass-phrase",
    "time_zone": "Asia/Shanghai",
}


def test_the_home_page_sends_a_visitor_to_sign_in(client: Client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Sign in" in body and 'href="/accounts/signup/"' in body and 'class="auth card"' in body
    # No GitHub or Google button without their client ids (tests/frontend/test_social_sign_in.py has them).
    assert "github" not in body.lower()


def test_the_old_url_names_still_point_at_the_account_pages():
    assert reverse("login") == reverse("account_login") == "/accounts/login/"
    assert reverse("logout") == reverse("account_logout")
    assert reverse("signup") == reverse("account_signup")
    assert reverse("password_reset") == reverse("account_reset_password")


def test_sign_up_creates_the_learner_with_a_profile_signs_them_in_and_asks_to_verify_the_address(client: Client):
    response = client.post(reverse("account_signup"), SIGN_UP)
    assert response.status_code == 302 and response["Location"] == reverse("frontend:home")
    user = User.objects.get(username="ada")
    assert user.check_password("a-long-pass-phrase")
    assert StudyProfile.objects.get(user=user).time_zone == "Asia/Shanghai"
    assert client.get(reverse("frontend:home")).status_code == 200
    address = EmailAddress.objects.get(user=user)
    assert address.email == "ada@example.org" and not address.verified

    (message,) = mail.outbox
    assert message.to == ["ada@example.org"] and message.subject.startswith("Brainqueue: ")
    html = message.alternatives[0][0]
    assert "background:#f6f7f9" in html  # the reminder e-mail's look
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", message.body)
    assert link, message.body
    confirm = client.get(link.group(1))
    assert confirm.status_code == 200 and 'class="auth card"' in confirm.content.decode()
    assert client.post(link.group(1)).status_code == 302
    address.refresh_from_db()
    assert address.verified


def test_sign_up_explains_each_mistake_and_creates_nothing(client: Client):
    UserFactory(username="taken", email="taken@example.org")
    response = client.post(
        reverse("account_signup"),
        {
            "username": "taken",
            "email": "TAKEN@example.org",
            "password1": "short",
            "password2": "other",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"username", "email", "time_zone"}
    assert {"password1", "password2"} & set(errors)
    assert User.objects.count() == 1


@pytest.mark.parametrize("password", ["aB3$xyz12", "password123", "1234567890123"])
def test_a_password_shorter_than_ten_characters_or_a_common_one_is_refused(client: Client, password: str):
    response = client.post(reverse("account_signup"), {**SIGN_UP, "password1": password, "password2": password})
    assert response.status_code == 200 and "password1" in response.context["form"].errors
    assert not User.objects.filter(username="ada").exists()


def test_sign_in_with_the_name_or_the_address_and_sign_out(client: Client):
    UserFactory(username="bo", email="bo@example.org")
    bad = client.post(reverse("account_login"), {"login": "bo", "password": "wrong"})
    assert bad.status_code == 200 and "_auth_user_id" not in client.session
    good = client.post(reverse("account_login"), {"login": "bo", "password": "correct-horse-battery"})
    assert good.status_code == 302 and good["Location"] == reverse("frontend:home")
    assert client.get(reverse("frontend:home")).status_code == 200
    out = client.post(reverse("logout"))
    assert out.status_code == 302
    assert client.get(reverse("frontend:home")).status_code == 302
    by_address = client.post(reverse("account_login"), {"login": "BO@example.org", "password": "correct-horse-battery"})
    assert by_address.status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(client: Client):
    user = UserFactory(username="cy", email="cy@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "cy@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cy@example.org"] and "Password Reset" in message.subject
    assert "background:#f6f7f9" in message.alternatives[0][0]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body)
    assert link, message.body

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200 and not form_page.context.get("token_fail")
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "brand-new-phrase-9", "password2": "brand-new-phrase-9"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-phrase-9")
    assert client.get(link.group(1), follow=True).context["token_fail"] is True


def test_password_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(client: Client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"}, follow=True)
    assert response.status_code == 200
    assert mail.outbox == []


def test_the_account_pages_speak_chinese(client: Client):
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("account_reset_password")).content.decode()
    assert 'lang="zh-Hans"' in body and "密码" in body


# --- Guessing -------------------------------------------------------------------------------------------

LIMIT = 5  # settings.ACCOUNT_RATE_LIMITS["login_failed"]: 5 failures per account in 15 minutes
WINDOW = dt.timedelta(minutes=15)


def _sign_in(client: Client, login: str, password: str, ip: str = "203.0.113.7"):
    return client.post(reverse("account_login"), {"login": login, "password": password}, REMOTE_ADDR=ip)


def test_guesses_past_the_per_account_limit_are_refused_until_the_lock_lifts(client: Client):
    UserFactory(username="demo", email="demo@example.org")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(LIMIT):
            assert _sign_in(client, "demo", "wrong-guess").status_code == 200
        locked = _sign_in(client, "demo", "wrong-guess")
        assert locked.status_code == 429
        assert int(locked["Retry-After"]) == 15 * 60
        assert "Signing in is paused for 15 minutes" in locked.content.decode()
        # Typing the address instead of the name counts against the same account.
        assert _sign_in(client, "DEMO@example.org", "correct-horse-battery").status_code == 429
        # The right password from another address is refused too while the lock lasts.
        assert _sign_in(Client(), "demo", "correct-horse-battery", ip="198.51.100.2").status_code == 429
        assert "_auth_user_id" not in client.session

        # Another account, from another address, is unaffected.
        UserFactory(username="other")
        assert _sign_in(Client(), "other", "correct-horse-battery", ip="198.51.100.9").status_code == 302

        clock.shift(WINDOW - dt.timedelta(seconds=30))
        wait = _sign_in(client, "demo", "correct-horse-battery")
        assert wait.status_code == 429 and int(wait["Retry-After"]) == 30
        clock.shift(dt.timedelta(seconds=31))
        assert _sign_in(client, "demo", "correct-horse-battery").status_code == 302


def test_a_lock_says_the_same_for_a_name_no_account_has(client: Client):
    UserFactory(username="real")
    for login in ("real", "ghost"):
        answers = [_sign_in(Client(), login, "wrong-guess", ip=f"198.51.100.{n}") for n in range(LIMIT + 1)]
        assert [a.status_code for a in answers] == [200] * LIMIT + [429]
        assert "Signing in is paused for 15 minutes" in answers[-1].content.decode()


def test_one_address_guessing_many_accounts_is_stopped(client: Client):
    users = [UserFactory() for _ in range(5)]
    codes = [_sign_in(client, u.username, f"wrong-{n}").status_code for n in range(4) for u in users]
    assert codes == [200] * 20  # 4 tries at each of 5 accounts: no account's limit, the address's is full
    assert _sign_in(client, UserFactory().username, "correct-horse-battery").status_code == 429


def test_sign_ups_from_one_address_are_limited():
    codes = []
    for n in range(6):
        data = {**SIGN_UP, "username": f"new{n}", "email": f"new{n}@example.org"}
        codes.append(Client().post(reverse("account_signup"), data, REMOTE_ADDR="203.0.113.50").status_code)
    assert codes == [302] * 5 + [429]
    assert User.objects.count() == 5


def test_password_reset_requests_are_limited_per_address(client: Client):
    UserFactory(email="dee@example.org")
    for _ in range(3):
        client.post(reverse("account_reset_password"), {"email": "dee@example.org"})
    refused = client.post(reverse("account_reset_password"), {"email": "dee@example.org"})
    assert refused.status_code in (200, 429) and len(mail.outbox) == 3


@pytest.mark.django_db
def test_the_old_password_addresses_lead_to_the_new_pages(client):
    assert client.get("/accounts/password_reset/")["Location"] == "/accounts/password/reset/"
    assert client.get("/accounts/password_change/")["Location"] == "/accounts/password/change/"
