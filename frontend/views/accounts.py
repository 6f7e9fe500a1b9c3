"""Sign-in (allauth's, answering 429 when locked), the sessions part of Settings, and the language switcher
(which a signed-in learner's profile remembers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from frontend.views.common import back, learner
from tracker.models import User
from tracker.selectors.accounts import account_security
from tracker.services.accounts import user_session_end
from tracker.services.users import study_profile_update


class LoginView(allauth_views.LoginView):
    """allauth's sign-in; a refusal because of too many failed tries answers 429 with Retry-After."""

    def form_invalid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="too_many_login_attempts"):
            response.status_code = 429
            response["Retry-After"] = str(getattr(self.request, "sign_in_wait", 60))
        return response


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Signs out another browser of the learner's (their current one signs out with "Sign out")."""
    if user_session_end(user=learner(request), session_id=pk):
        return back(request, "frontend:settings", ok=_("That session is signed out."))
    return back(request, "frontend:settings", error=_("That session had ended already."))


BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """ "Firefox on Linux" from a browser's User-Agent; the raw text (cut short) when it is not a browser's."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or user_agent[:60] or _("Unknown browser")


@dataclass(frozen=True)
class Device:
    """One row of "Where you are signed in": a web session or an API token."""

    kind: str  # "web" or "app"
    pk: int
    label: str
    detail: str
    address: str
    last_used: dt.datetime | None
    current: bool


def security_context(request: HttpRequest, user: User, *, tokens: list[Any]) -> dict[str, Any]:
    """What the "Sign-in and security" part of Settings shows: the address and whether it is verified,
    two-factor, GitHub/Google links, and every signed-in browser (allauth's user sessions) and device (API
    tokens, already loaded by the page) in one list, the most recently used first."""
    security = account_security(user=user, session_key=request.session.session_key or "")
    devices = [
        Device(
            "web",
            s.pk,
            device_label(s.user_agent),
            s.user_agent,
            s.ip,
            s.last_seen_at,
            s.session_key == security.current_session_key,
        )
        for s in security.sessions
    ]
    devices += [Device("app", t.pk, t.device_name, _("API token"), "", t.last_used_at, False) for t in tokens]
    devices.sort(key=lambda d: (not d.current, -(d.last_used.timestamp() if d.last_used else 0)))
    providers = [p for p, conf in settings.SOCIALACCOUNT_PROVIDERS.items() if conf.get("APPS")]
    return {"security": security, "devices": devices, "social_providers": providers}


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie and redirect), and for a signed-in learner their profile too."""
    language = request.POST.get("language", "")
    if isinstance(request.user, User) and language in dict(settings.LANGUAGES):
        study_profile_update(user=request.user, language=language)
    return django_set_language(request)
