"""Settings: time zone, language, limits, rest days, reminders; vacations; API tokens for the mobile
app; the private calendar link; markdown import and export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontend.forms import AccountDeleteForm, HandleForm, ProfileForm, TokenForm, VacationForm
from frontend.middleware import set_language_cookie
from frontend.views.accounts import security_context
from frontend.views.common import back, learner
from tracker import selectors
from tracker.models import StudyProfile, User
from tracker.services import tokens as token_services
from tracker.services.accounts import AccountDeletionError, account_delete
from tracker.services.calendar_feed import (
    calendar_feed_url,
    calendar_public_url,
    calendar_token_revoke,
    calendar_token_rotate,
)
from tracker.services.data_export import user_data_export, user_data_filename
from tracker.services.users import PLAN_FIELDS, ProfileError, study_profile_ensure, study_profile_update
from tracker.services.vacations import VacationError, vacation_add, vacation_delete

PROFILE_FIELDS = (
    "time_zone",
    "language",
    "parallel_limit",
    "daily_minutes",
    "rest_weekdays",
    "reminders_enabled",
    "reminder_hour",
)


def _profile_initial(profile: StudyProfile) -> dict[str, Any]:
    return {name: getattr(profile, name) for name in PROFILE_FIELDS}


def _page(request: HttpRequest, user: User, status: int = 200, **forms: Any) -> HttpResponse:
    profile = study_profile_ensure(user=user)
    context: dict[str, Any] = {
        "profile": profile,
        "profile_form": forms.get("profile_form") or ProfileForm(initial=_profile_initial(profile)),
        "vacation_form": forms.get("vacation_form") or VacationForm(),
        "handle_form": forms.get("handle_form") or HandleForm(initial={"public_handle": profile.public_handle}),
        "token_form": forms.get("token_form") or TokenForm(),
        "vacations": list(selectors.vacations_of(user=user)),
        "tokens": list(token_services.api_tokens_for(user=user)),
        "new_token": forms.get("new_token"),
        "delete_form": forms.get("delete_form") or AccountDeleteForm(),
        "calendar_url": calendar_feed_url(user=user, profile=profile),
        "calendar_public_url": calendar_public_url(),
    }
    context.update(security_context(request, user, tokens=context["tokens"]))
    return render(request, "frontend/settings.html", context, status=status)


@login_required
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    return _page(request, learner(request))


@login_required
@require_POST
def settings_profile(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    profile = study_profile_ensure(user=user)
    form = ProfileForm(request.POST, initial=_profile_initial(profile))
    if not form.is_valid():
        return _page(request, user, status=400, profile_form=form)
    changes = {name: form.cleaned_data[name] for name in form.changed_data if name in PROFILE_FIELDS}
    try:
        if changes:
            profile = study_profile_update(user=user, **changes)
    except ProfileError as exc:
        form.add_error(None, str(exc))
        return _page(request, user, status=400, profile_form=form)
    if "language" in changes:
        translation.activate(profile.language)
    ok = _("Settings saved.") if changes else _("Nothing to save: the settings are as they were.")
    if PLAN_FIELDS & set(changes):  # the service re-planned
        ok = _("Settings saved; your plan was re-made.")
    response = back(request, "frontend:settings", ok=ok)
    if "language" in changes:
        set_language_cookie(response, profile.language)
    return response


@login_required
@require_POST
def settings_handle(request: HttpRequest) -> HttpResponse:
    """Publishes the learner's leaderboard handle, or (empty) takes it off every leaderboard."""
    user = learner(request)
    form = HandleForm(request.POST)
    if not form.is_valid():
        return _page(request, user, status=400, handle_form=form)
    handle = form.cleaned_data["public_handle"]
    try:
        study_profile_update(user=user, public_handle=handle)
    except ProfileError as exc:
        form.add_error("public_handle", str(exc).removeprefix("public_handle: "))
        return _page(request, user, status=400, handle_form=form)
    if handle:
        ok = _("Your handle %(handle)s now shows on leaderboards.") % {"handle": handle}
    else:
        ok = _("Your handle is private: leaderboards show you to others as “a learner”.")
    return back(request, "frontend:settings", ok=ok)


@login_required
@require_POST
def vacation_new(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    form = VacationForm(request.POST)
    if not form.is_valid():
        return _page(request, user, status=400, vacation_form=form)
    try:
        vacation_add(user=user, **form.cleaned_data)
    except VacationError as exc:
        form.add_error(None, str(exc))
        return _page(request, user, status=400, vacation_form=form)
    return back(request, "frontend:settings", ok=_("Vacation added; no study is planned on those days."))


@login_required
@require_POST
def vacation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    vacation = get_object_or_404(selectors.vacations_of(user=learner(request)), pk=pk)
    vacation_delete(vacation=vacation)
    return back(request, "frontend:settings", ok=_("Vacation deleted; your plan was re-made."))


@login_required
@require_POST
def token_new(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, user, status=400, token_form=form)
    try:
        _token, raw = token_services.api_token_create(user=user, device_name=form.cleaned_data["device_name"])
    except token_services.TokenError as exc:
        form.add_error(None, str(exc))
        return _page(request, user, status=400, token_form=form)
    # Shown on this response only: the server keeps just a digest of it.
    response = _page(request, user, new_token={"raw": raw, "device": form.cleaned_data["device_name"]})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token_services.api_token_revoke(user=learner(request), token_id=pk)
    return back(request, "frontend:settings", ok=_("Token revoked: that device is signed out at its next call."))


@login_required
@require_GET
def data_export_download(request: HttpRequest) -> HttpResponse:
    """Everything the learner owns as one JSON file (the API's /api/v1/me/export/ gives the same)."""
    user = learner(request)
    response = JsonResponse(user_data_export(user=user), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{user_data_filename(user=user)}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def account_delete_view(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    form = AccountDeleteForm(request.POST)
    if not form.is_valid():
        return _page(request, user, status=400, delete_form=form)
    try:
        account_delete(user=user, password=form.cleaned_data["password"])
    except AccountDeletionError as exc:
        form.add_error("password", str(exc))
        return _page(request, user, status=400, delete_form=form)
    logout(request)
    messages.success(request, _("Your account and everything in it were deleted."))
    return HttpResponseRedirect(reverse("account_login"))


@login_required
@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    calendar_token_rotate(user=learner(request))
    return back(request, "frontend:settings", ok=_("Your calendar link is ready; any older link stopped working."))


@login_required
@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    calendar_token_revoke(user=learner(request))
    return back(request, "frontend:settings", ok=_("Calendar link turned off: calendar apps get nothing from it now."))
