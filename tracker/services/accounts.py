"""Accounts: signing in against the shared limits, verified addresses, sessions, and closing an account
(the learner's data goes with it, curated content stays)."""

from __future__ import annotations

import datetime as dt
import math
import time

from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tracker.models import StudyProfile, User


@transaction.atomic
def account_profile_start(*, user: User, time_zone: str = "UTC", language: str = "en") -> StudyProfile:
    """The study profile of an account just signed up (by the form, or through GitHub or Google), with its
    first reminder scheduled. Returns the profile; an account that has one keeps it, with the new zone."""
    from tracker.services.reminders import reminder_schedule

    profile, _created = StudyProfile.objects.update_or_create(
        user=user, defaults={"time_zone": time_zone, "language": language}
    )
    return reminder_schedule(profile=profile)


class AccountDeletionError(Exception):
    """The account was not deleted; the message says why."""


@transaction.atomic
def account_delete(*, user: User, password: str) -> None:
    """Deletes `user` and everything they own, after checking their password.

    Every model with a foreign key to the user cascades (their own tracks with their items, progress, plan,
    reviews, reading queue, deadlines, subscriptions, submissions, reminders, API tokens, e-mail addresses,
    GitHub/Google links, two-factor keys, web sessions); curated tracks,
    skills, exercises and shared feeds stay. tests/tracker/services/test_data_export.py counts the rows.
    """
    if not user.check_password(password):
        raise AccountDeletionError(_("The password is not right; the account was not deleted."))
    user.delete()


# --- Signing in -----------------------------------------------------------------------------------------
# The web form (django-allauth's LoginForm) and the API's token sign-in (api/views/auth.py) both go through
# allauth's adapter, so they share one failed-sign-in limit: per account and per client address
# (settings.ACCOUNT_RATE_LIMITS["login_failed"]), counted in the default cache (Redis in production).


class SignInError(Exception):
    """The name or address and the password do not match an active account; nothing says which."""


class SignInLocked(SignInError):
    """Too many failed sign-ins for this account or from this address; `wait` seconds until the next try."""

    def __init__(self, message: str, *, wait: int) -> None:
        super().__init__(message)
        self.wait = wait


def login_attempts_key(*, login: str) -> str:
    """The key failed sign-ins are counted under: the account that `login` (a user name or an address, any
    case) names, so typing the address instead of the name counts against the same limit; or, when no
    account matches, the text itself, which is limited the same way (a lock says nothing of existence)."""
    text = login.strip().lower()
    field = "email__iexact" if "@" in text else "username__iexact"
    user_id = User.objects.filter(**{field: text}).values_list("pk", flat=True).first() if text else None
    return f"account:{user_id}" if user_id is not None else f"login:{text}"


def sign_in_lock_seconds(*, request: HttpRequest, key: str) -> int:
    """Seconds until a failed-sign-in limit that is full for `key` or the client's address has room again
    (at least 1). Reads the counters allauth keeps: a list of attempt times per rate, newest first."""
    now = time.time()
    wait = 0.0
    for rate in ratelimit.get_rates(app="allauth.account", action="login_failed"):
        cache_key = ratelimit.get_cache_key(request, app="allauth.account", action="login_failed", rate=rate, key=key)
        history = [t for t in cache.get(cache_key, []) if t > now - rate.duration]
        if len(history) >= rate.amount:
            wait = max(wait, history[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait))


def password_sign_in(*, request: HttpRequest, login: str, password: str) -> User:
    """The active account that `login` (user name or address) and `password` open, checked the way the web
    form checks them, against the same limits. Raises SignInLocked when a limit is full, SignInError when
    the pair does not match (or the account is inactive)."""
    from allauth.account.adapter import get_adapter

    credentials = {"email" if "@" in login else "username": login, "password": password}
    try:
        user = get_adapter(request).authenticate(request, **credentials)
    except ValidationError as exc:
        wait = getattr(request, "sign_in_wait", None) or sign_in_lock_seconds(
            request=request, key=login_attempts_key(login=login)
        )
        raise SignInLocked(" ".join(exc.messages), wait=wait) from exc
    if not isinstance(user, User) or not user.is_active:
        raise SignInError(_("Unable to sign in with this username and password; check both and retry."))
    return user


def two_factor_enabled(*, user: User) -> bool:
    """Whether the account signs in with a second factor (an authenticator app)."""
    from allauth.mfa.models import Authenticator

    enabled: bool = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return enabled


def two_factor_check(*, user: User, code: str) -> bool:
    """Checks a code from the learner's authenticator app, or one of their recovery codes (used up once
    it matches). Failed codes count against the account's failed-sign-in limit (allauth.mfa's)."""
    from allauth.mfa.base.forms import AuthenticateForm

    form = AuthenticateForm(user=user, data={"code": code})
    if form.is_valid():
        return True
    for error in form.errors.as_data().get("code", []):
        if error.code == "too_many_login_attempts":
            wait = sign_in_lock_seconds(request=_request(), key=f"mfa-auth-user-{user.pk}")  # allauth.mfa's key
            raise SignInLocked(" ".join(error.messages), wait=wait)
    return False


def _request() -> HttpRequest:
    from allauth.core import context

    request: HttpRequest = context.request
    return request


# --- E-mail addresses -----------------------------------------------------------------------------------


def email_is_verified(*, user: User, email: str) -> bool:
    verified: bool = EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    return verified


def email_address_verified_set(*, user: User) -> EmailAddress | None:
    """Records the account's current address as verified and primary (accounts made by `make run`'s demo,
    by an administrator, or before verification existed). Returns the address, or None without one."""
    if not user.email:
        return None
    address, _created = EmailAddress.objects.update_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
    )
    return address


def sign_in_notice_send(*, user: User, user_agent: str, ip: str, when: dt.datetime) -> bool:
    """E-mails the learner that their account was signed in to from a browser it had not seen, with what
    the browser said it was and its address. Only to a verified address; returns whether it was sent."""
    from tracker import emails

    if not user.email or not email_is_verified(user=user, email=user.email):
        return False
    emails.sign_in_notice_email(user=user, user_agent=user_agent, ip=ip, when=when).send()
    return True


# --- Sessions and devices -------------------------------------------------------------------------------


def user_session_end(*, user: User, session_id: int) -> bool:
    """Signs out one of the learner's web sessions (another browser). Returns whether there was one."""
    from allauth.usersessions.models import UserSession

    session = UserSession.objects.filter(user=user, pk=session_id).first()
    if session is None:
        return False
    session.end()
    return True
