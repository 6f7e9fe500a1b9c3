"""Pages reached without signing in, through a secret or signed link: one-click unsubscribe from the
reminder e-mails (RFC 8058) and the ICS calendar feeds. The link is the only credential, so these pages
are never cached, never indexed, and send no Referer that would carry it elsewhere."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from tracker.links import unsubscribe_token_user
from tracker.selectors.reminders import calendar_profile_by_token
from tracker.services.calendar_feed import learner_calendar_ics, public_calendar_ics
from tracker.services.users import reminders_unsubscribe, study_profile_ensure

UNSUBSCRIBE_TEMPLATE = "frontend/public/unsubscribe.html"


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# Mail clients that implement RFC 8058 POST "List-Unsubscribe=One-Click" to the link without a CSRF
# token or cookie; the signed token in the URL is what authorises it, so this one view is exempt.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (a link scanner's GET changes nothing); POST turns the reminders off."""
    user = unsubscribe_token_user(token=token)
    if user is None:
        return _private(render(request, UNSUBSCRIBE_TEMPLATE, {"state": "invalid"}, status=400))
    profile = study_profile_ensure(user=user)
    with translation.override(profile.language):
        if request.method == "POST":
            reminders_unsubscribe(user=user)
            return _private(render(request, UNSUBSCRIBE_TEMPLATE, {"state": "done"}))
        state = "confirm" if profile.reminders_enabled else "already"
        return _private(render(request, UNSUBSCRIBE_TEMPLATE, {"state": state, "token": token}))


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@never_cache
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A learner's private feed; 404 for a token that is unknown, rotated or revoked."""
    profile = calendar_profile_by_token(token=token)
    if profile is None:
        raise Http404("No calendar at this address; copy the current link from Settings.")
    return _private(_ics(learner_calendar_ics(profile=profile), "brainqueue.ics"))


@require_safe
def calendar_public(request: HttpRequest) -> HttpResponse:
    """The curated public deadlines, in the browser's language."""
    response = _ics(public_calendar_ics(language=translation.get_language() or "en"), "brainqueue-deadlines.ics")
    response["Cache-Control"] = "public, max-age=3600"
    return response
