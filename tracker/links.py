"""Links out of the site, for e-mails and calendars: the site's host and the signed one-click unsubscribe
link. A leaf module: it imports no service, so the e-mails, the calendar feed and the reminders can all
use it."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse

from tracker.models import User

UNSUBSCRIBE_SALT = "tracker.reminders.unsubscribe"


def site_host() -> str:
    """The host of SITE_URL, for Message-IDs and calendar UIDs."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_make(*, user: User) -> str:
    """A signed, expiring token naming the learner, for the one-click unsubscribe link."""
    return _signer().sign(str(user.pk))


def unsubscribe_token_user(*, token: str) -> User | None:
    """The learner a valid token names; None for a forged, altered or expired one."""
    try:
        value = _signer().unsign(token, max_age=settings.REMINDERS_UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not value.isdigit():
        return None
    return User.objects.filter(pk=int(value)).first()


def unsubscribe_url(*, user: User) -> str:
    return str(settings.SITE_URL) + reverse("public:unsubscribe", args=[unsubscribe_token_make(user=user)])
