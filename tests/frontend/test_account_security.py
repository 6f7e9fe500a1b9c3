"""Two-factor sign-in, the sessions and devices on Settings, the new-browser e-mail, and GitHub sign-in
against a stub of GitHub's token and profile endpoints (in-process: these tests never reach the internet)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import UserFactory
from tracker.models import StudyProfile, User

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Safari/604.1"


def _browser(user_agent: str, ip: str) -> Client:
    return Client(headers={"user-agent": user_agent}, REMOTE_ADDR=ip)


PASSWORD = "correct-horse-battery"  # the factories' test password


def _sign_in(client: Client, login: str = "mo") -> Any:
    return client.post(reverse("account_login"), {"login": login, "password": PASSWORD})


# --- Two-factor -----------------------------------------------------------------------------------------


@time_machine.travel("2026-03-02 08:00:05Z", tick=False)  # the code stays the current one for the whole test
def test_with_two_factor_on_the_sign_in_asks_for_the_code():
    user = UserFactory(username="mo")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = Client()
    first = _sign_in(client)
    assert first.status_code == 302 and first["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    page = client.get(first["Location"])
    assert page.status_code == 200 and 'class="auth card"' in page.content.decode()
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    wrong = client.post(first["Location"], {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["code"]
    assert "_auth_user_id" not in client.session
    done = client.post(first["Location"], {"code": code})
    assert done.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_the_two_factor_page_is_in_the_site_layout():
    UserFactory(username="mo")
    client = Client()
    _sign_in(client)
    page = client.get(reverse("mfa_index"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="auth card"' in body and 'class="brand"' in body


# --- Sessions and devices -------------------------------------------------------------------------------


def test_settings_lists_browsers_and_devices_and_ends_another_browsers_session():
    user = UserFactory(username="mo")
    laptop, phone = _browser(FIREFOX, "203.0.113.10"), _browser(SAFARI, "198.51.100.20")
    _sign_in(laptop)
    _sign_in(phone)
    laptop.get(reverse("frontend:home"))
    page = phone.get(reverse("frontend:settings"))
    body = page.content.decode()
    assert "Firefox on Linux" in body and "Safari on iOS" in body and "203.0.113.10" in body
    assert "this browser" in body

    other = UserSession.objects.get(user=user, user_agent=FIREFOX)
    ended = phone.post(reverse("frontend:session-end", args=[other.pk]))
    assert ended.status_code == 302
    assert laptop.get(reverse("frontend:home")).status_code == 302  # signed out
    assert phone.get(reverse("frontend:home")).status_code == 200
    assert not UserSession.objects.filter(pk=other.pk).exists()


def test_a_learner_cannot_end_someone_elses_session():
    UserFactory(username="mo")
    stranger = UserFactory(username="eve")
    theirs = Client()
    _sign_in(theirs, "eve")
    theirs.get(reverse("frontend:home"))
    mine = Client()
    _sign_in(mine)
    session = UserSession.objects.get(user=stranger)
    mine.post(reverse("frontend:session-end", args=[session.pk]))
    assert UserSession.objects.filter(pk=session.pk).exists()
    assert theirs.get(reverse("frontend:home")).status_code == 200


def test_changing_the_password_signs_out_the_other_browsers():
    UserFactory(username="mo")
    laptop, phone = _browser(FIREFOX, "203.0.113.10"), _browser(SAFARI, "198.51.100.20")
    _sign_in(laptop)
    _sign_in(phone)
    changed = phone.post(
        reverse("account_change_password"),
        {"oldpassword": "correct-horse-battery", "password1": "a-new-long-phrase", "password2": "a-new-long-phrase"},
    )
    assert changed.status_code == 302
    assert phone.get(reverse("frontend:home")).status_code == 200
    assert laptop.get(reverse("frontend:home")).status_code == 302


def test_a_sign_in_from_a_new_browser_is_e_mailed_and_a_known_one_is_not():
    user = UserFactory(username="mo", email="mo@example.org")
    laptop = _browser(FIREFOX, "203.0.113.10")
    _sign_in(laptop)  # the first sign-in ever: nothing to warn about
    laptop.post(reverse("logout"))
    _sign_in(laptop)  # the same browser again
    assert mail.outbox == []
    StudyProfile.objects.filter(user=user).update(language="zh-hans")
    _sign_in(_browser(SAFARI, "198.51.100.20"))
    (notice,) = mail.outbox
    assert notice.to == ["mo@example.org"] and "Brainqueue" in notice.subject
    assert "198.51.100.20" in notice.body and "iPhone" in notice.body
    assert "浏览器" in notice.body  # in the learner's language
    assert "background:#f6f7f9" in notice.alternatives[0][0]


# --- GitHub sign-in -------------------------------------------------------------------------------------

GITHUB = {"github": {"SCOPE": ["read:user", "user:email"], "APPS": [{"client_id": "stub-id", "secret": "stub-secret"}]}}


class _Response:
    def __init__(self, body: Any, status: int = 200) -> None:
        self.status_code = status
        self.text = json.dumps(body)
        self.content = self.text.encode()
        self.headers = {"content-type": "application/json"}
        self._body = body

    def json(self) -> Any:
        return self._body

    def raise_for_status(self) -> None:
        assert self.status_code < 400


class StubGitHub:
    """github.com's token endpoint and api.github.com's /user and /user/emails, answered in-process."""

    def __init__(self, *, email: str, verified: bool, login: str = "octo") -> None:
        self.profile = {"id": 4242, "login": login, "name": "Octo Cat", "email": email}
        self.emails = [{"email": email, "verified": verified, "primary": True}]
        self.calls: list[str] = []

    def __enter__(self) -> StubGitHub:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def request(self, method: str, url: str, **kwargs: Any) -> _Response:
        self.calls.append(url)
        if url == "https://github.com/login/oauth/access_token":
            assert kwargs["data"]["client_secret"] == "stub-secret"
            return _Response({"access_token": "stub-token", "token_type": "bearer"})
        if url == "https://api.github.com/user":
            return _Response(self.profile)
        if url == "https://api.github.com/user/emails":
            return _Response(self.emails)
        raise AssertionError(f"unexpected request to {url}")

    def get(self, url: str, **kwargs: Any) -> _Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> _Response:
        return self.request("POST", url, **kwargs)


def _github_sign_in(client: Client, stub: StubGitHub, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr("frontend.accounts_adapter.SocialAccountAdapter.get_requests_session", lambda self: stub)
    start = client.post(reverse("github_login"))
    assert start.status_code == 302 and start["Location"].startswith("https://github.com/login/oauth/authorize")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    return client.get(reverse("github_callback"), {"code": "stub-code", "state": state})


@override_settings(SOCIALACCOUNT_PROVIDERS=GITHUB)
def test_the_github_button_shows_when_its_client_id_is_set():
    body = Client().get(reverse("account_login")).content.decode()
    assert "/accounts/github/login/" in body


@override_settings(SOCIALACCOUNT_PROVIDERS=GITHUB)
def test_github_sign_in_creates_an_account_with_a_verified_address(monkeypatch: pytest.MonkeyPatch):
    client = Client()
    done = _github_sign_in(client, StubGitHub(email="octo@example.org", verified=True), monkeypatch)
    assert done.status_code == 302
    user = User.objects.get(email="octo@example.org")
    assert SocialAccount.objects.get(user=user).uid == "4242"
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("frontend:home")).status_code == 200
    assert StudyProfile.objects.filter(user=user).exists()


@override_settings(SOCIALACCOUNT_PROVIDERS=GITHUB)
def test_github_sign_in_joins_an_account_through_its_verified_address(monkeypatch: pytest.MonkeyPatch):
    user = UserFactory(username="mo", email="mo@example.org")
    client = Client()
    done = _github_sign_in(client, StubGitHub(email="mo@example.org", verified=True), monkeypatch)
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert SocialAccount.objects.get(user=user).provider == "github"
    assert User.objects.count() == 1


@override_settings(SOCIALACCOUNT_PROVIDERS=GITHUB)
@pytest.mark.parametrize(
    ("ours", "theirs"), [(False, True), (True, False)], ids=["unverified-here", "unverified-at-github"]
)
def test_github_sign_in_never_joins_an_account_through_an_unverified_address(
    monkeypatch: pytest.MonkeyPatch, ours: bool, theirs: bool
):
    user = UserFactory(username="mo", email="mo@example.org", email_verified=ours)
    if not ours:
        EmailAddress.objects.create(user=user, email="mo@example.org", verified=False, primary=True)
    client = Client()
    refused = _github_sign_in(client, StubGitHub(email="mo@example.org", verified=theirs), monkeypatch)
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.filter(user=user).exists()
    assert User.objects.count() == 1
    # allauth asks to finish signing up, where the address is taken: sign in to that account first.
    page = client.get(refused["Location"]) if refused.status_code == 302 else refused
    assert page.status_code == 200 and "sign in" in page.content.decode().lower()
    user.refresh_from_db()
    assert user.has_usable_password()
