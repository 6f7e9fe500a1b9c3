"""The API's token sign-in shares the web form's failed-sign-in limit, and asks for the two-factor code."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from tests.factories import UserFactory
from tracker.models import User

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/auth/tokens/"


def _token(login: str, password: str, ip: str = "203.0.113.7", **extra: str):
    body = {"username": login, "password": password, "device_name": "Pixel 8", **extra}
    return APIClient(REMOTE_ADDR=ip).post(TOKENS, body, format="json")


def _totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_guesses_past_the_per_account_limit_are_refused_until_the_lock_lifts() -> None:
    UserFactory(username="demo")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert [_token("demo", "wrong").status_code for _ in range(5)] == [400] * 5
        locked = _token("demo", "correct-horse-battery")
        assert locked.status_code == 429
        problem = locked.json()
        assert problem["code"] == "sign_in_locked" and problem["retry_after"] == 15 * 60
        assert "paused for 15 minutes" in problem["detail"] and int(locked["Retry-After"]) == 15 * 60
        # Another account, from another address, is unaffected.
        UserFactory(username="other")
        assert _token("other", "correct-horse-battery", ip="198.51.100.9").status_code == 201
        clock.shift(dt.timedelta(minutes=15, seconds=1))
        assert _token("demo", "correct-horse-battery").status_code == 201


def test_the_web_form_and_the_api_count_failures_of_one_account_together() -> None:
    UserFactory(username="demo", email="demo@example.org")
    web = Client()
    for _ in range(3):
        assert web.post(reverse("account_login"), {"login": "demo", "password": "x"}).status_code == 200
    assert [_token("demo@example.org", "wrong", ip="198.51.100.3").status_code for _ in range(2)] == [400, 400]
    assert _token("demo", "correct-horse-battery", ip="198.51.100.4").status_code == 429
    assert web.post(reverse("account_login"), {"login": "demo", "password": "correct-horse-battery"}).status_code == 429


@time_machine.travel("2026-03-02 08:00:05Z", tick=False)  # the code stays the current one for the whole test
def test_a_token_needs_the_two_factor_code_when_two_factor_is_on() -> None:
    user: User = UserFactory(username="tf")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).get_unused_codes()

    missing = _token("tf", "correct-horse-battery")
    assert missing.status_code == 400
    assert missing.json()["errors"] == [
        {"field": "otp", "code": "otp_required", "message": missing.json()["errors"][0]["message"]}
    ]
    wrong = _token("tf", "correct-horse-battery", otp="000000" if _totp(secret) != "000000" else "111111")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["code"] == "otp_invalid"
    assert not ApiToken.objects.filter(user=user).exists()

    ok = _token("tf", "correct-horse-battery", otp=_totp(secret))
    assert ok.status_code == 201 and ok.json()["token"]
    by_recovery_code = _token("tf", "correct-horse-battery", otp=codes[0])
    assert by_recovery_code.status_code == 201
    assert _token("tf", "correct-horse-battery", otp=codes[0]).status_code == 400  # a recovery code works once
    assert ApiToken.objects.filter(user=user).count() == 2
