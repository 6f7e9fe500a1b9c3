"""At sign-in, note the learner's language for ProfileLanguageMiddleware to put in the cookie."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from frontend.middleware import REQUEST_ATTRIBUTE
from tracker.services.users import study_profile_ensure


@receiver(user_logged_in, dispatch_uid="frontend-profile-language")
def remember_profile_language(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        setattr(request, REQUEST_ATTRIBUTE, study_profile_ensure(user=user).language)
