"""What every dashboard view needs: the learner, a safe place to go back to, an htmx-or-redirect answer."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from tracker.models import User


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it, for views that read `request.htmx`."""

    htmx: HtmxDetails


def learner(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "views using learner() are behind login_required"  # noqa: S101
    return user


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def page_path(request: HttpRequest) -> str:
    """The path of the page the learner is on, for a form's `next`: during an htmx request that is the page
    that sent it (HX-Current-URL), not the action's own URL, which answers POST only."""
    htmx = getattr(request, "htmx", None)
    current = htmx.current_url_abs_path if htmx else None
    return current or request.get_full_path()


def next_url(request: HttpRequest, default: str) -> str:
    """The `next` field of the form when it points inside this site, else `default` (a URL or a URL name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


def back(request: HttpRequest, default: str, *, ok: str = "", error: str = "") -> HttpResponse:
    """After a plain (non-htmx) form: flash the outcome and go back where the form came from."""
    if error:
        messages.error(request, error)
    elif ok:
        messages.success(request, ok)
    return HttpResponseRedirect(next_url(request, default))


def parse_int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None
