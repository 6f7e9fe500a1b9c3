"""django-allauth adapters: how accounts behave on this site.

- Failed sign-ins count per account, whatever was typed (name or address, any case), and per client address;
  a name that matches no account is counted the same way under its own key, so a lock never tells whether an
  account exists. The refusal says how long to wait (tracker/services/accounts.py works it out).
- A GitHub or Google sign-in joins an existing account only when the account's own address is verified
  here (and the provider vouches for it); otherwise the learner is asked to sign in and connect it.
- Account e-mails have the look of the reminder e-mail and go out in the learner's language.
- A sign-in from a browser that never signed in to the account sends a "new sign-in" e-mail.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.forms import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from tracker.models import User
from tracker.services.accounts import (
    email_is_verified,
    login_attempts_key,
    sign_in_lock_seconds,
    sign_in_notice_send,
)

# A signed cookie that lists the accounts which signed in from this browser before (no secret in it).
KNOWN_DEVICE_COOKIE = "bq_known"
KNOWN_DEVICE_SALT = "frontend.accounts.known-device"
KNOWN_DEVICE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie
UNKNOWN_IP = "0.0.0.0"  # noqa: S104 (a placeholder address for counting, never bound)


def lock_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return ngettext(
        "Too many failed sign-ins. Signing in is paused for %(minutes)d minute; try again then, "
        "or reset your password.",
        "Too many failed sign-ins. Signing in is paused for %(minutes)d minutes; try again then, "
        "or reset your password.",
        minutes,
    ) % {"minutes": minutes}


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's e-mails (templates under account/email/, with HTML in the reminder e-mail's look), signed
        Brainqueue and written in the learner's language when the e-mail is about a known account."""
        site = SimpleNamespace(name="Brainqueue", domain=urlsplit(settings.SITE_URL).netloc)
        context = {**context, "current_site": site}
        profile = getattr(context.get("user"), "study_profile", None)
        with translation.override(profile.language if profile else translation.get_language()):
            super().send_mail(template_prefix, email, context)

    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's (REMOTE_ADDR, or X-Forwarded-For behind API_NUM_PROXIES proxies). A request without any
        (a test client, a unix socket) counts under one shared address instead of being refused."""
        try:
            ip: str = super().get_client_ip(request)
        except PermissionDenied:
            return UNKNOWN_IP
        return ip

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        login = credentials.get("email") or credentials.get("username") or ""
        return login_attempts_key(login=str(login))

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as exc:
            key = self._get_login_attempts_cache_key(request, **credentials)
            wait = sign_in_lock_seconds(request=request, key=key)
            request.sign_in_wait = wait  # type: ignore[attr-defined]  # the view's Retry-After
            raise ValidationError(lock_message(wait), code="too_many_login_attempts") from exc

    def pre_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> HttpResponse | None:
        # Remember whether the account had signed in before, for post_login's new-device notice.
        request.previous_login = getattr(user, "last_login", None)  # type: ignore[attr-defined]
        response: HttpResponse | None = super().pre_login(request, user, **kwargs)
        return response

    def post_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post_login(request, user, **kwargs)
        try:
            known = set(signing.loads(request.COOKIES.get(KNOWN_DEVICE_COOKIE, ""), salt=KNOWN_DEVICE_SALT))
        except signing.BadSignature:
            known = set()
        if isinstance(user, User) and user.pk not in known:
            if getattr(request, "previous_login", None) is not None and not kwargs.get("signup"):
                sign_in_notice_send(
                    user=user,
                    user_agent=self.get_http_user_agent(request),
                    ip=self.get_client_ip(request),
                    when=timezone.now(),
                )
            known = {*known, user.pk}
            response.set_cookie(
                KNOWN_DEVICE_COOKIE,
                signing.dumps(sorted(known)[-20:], salt=KNOWN_DEVICE_SALT),
                max_age=KNOWN_DEVICE_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[Any, str] | None:
        """allauth's match of a provider's verified address to an account, kept only when the account's own
        address is verified here too. Without that, whoever signed up with someone else's address could wait
        for them to arrive through GitHub; refused, the sign-in asks the learner to sign in and connect."""
        found = super().authenticate_by_email(sociallogin)
        if found is None:
            return None
        user, email = found
        return found if email_is_verified(user=user, email=email) else None
