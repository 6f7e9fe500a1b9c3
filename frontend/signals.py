"""At sign-in, note the learner's language for ProfileLanguageMiddleware to put in the cookie, and the time the
session was last seen (frontend/session_activity.py)."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.signals import user_signed_up
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _

from frontend.middleware import REQUEST_ATTRIBUTE
from frontend.session_activity import SEEN_KEY
from tracker.services.users import study_profile_ensure


@receiver(user_logged_in, dispatch_uid="frontend-profile-language")
def remember_profile_language(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        setattr(request, REQUEST_ATTRIBUTE, study_profile_ensure(user=user).language)


@receiver(user_logged_in, dispatch_uid="frontend-session-seen")
def note_session_seen(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """allauth records the session at sign-in, so its "last used" is fresh for the next few minutes."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = time.time()


@receiver(user_signed_up, dispatch_uid="frontend-welcome")
def welcome(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        messages.success(request, _("Welcome to Brainqueue! Enrol in a track and your plan for today appears here."))
