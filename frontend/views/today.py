"""Today: the planning engine's bundle for the day, and the inline actions on its items."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontend.views.common import back, is_htmx, learner, page_path, parse_int
from frontend.views.tracks import track_item_fragment
from tracker import selectors
from tracker.models import Item, PlanEntry, ProblemAttempt, Progress, User
from tracker.services.progress import (
    ProgressError,
    progress_add_time,
    progress_mark_done,
    progress_set_note,
    progress_skip,
    progress_start,
    progress_undo,
)
from tracker.services.reviews import ReviewError, review_rate
from tracker.today_cache import TodayState, today_cache_store, today_cached, today_etag, today_etag_match, today_state

OVERDUE_SHOWN = 10
# The page is the learner's alone, and is asked for again (If-None-Match) before a browser shows it again.
PAGE_CACHE_CONTROL = "private, no-cache"


def _page_data(user: User, state: TodayState, now: dt.datetime) -> dict[str, Any]:
    """The bundle plus what the page shows about it: minutes planned and spent, how much is done."""
    bundle = selectors.today_bundle(user=user, now=now, profile=state.profile)
    entries = [entry for day in bundle.tracks for entry in day.entries]
    closed = [e for e in entries if e.status in {PlanEntry.Status.DONE, PlanEntry.Status.SKIPPED}]
    spent = sum(
        progress.time_spent_minutes
        for entry in entries
        # The selector's Prefetch("item__progress", to_attr=...): django-stubs types no nested to_attr.
        for progress in entry.item.my_progress  # type: ignore[attr-defined]
    )
    has_anything = bool(entries or bundle.reviews_due or bundle.overdue or bundle.practice)
    return {
        "bundle": bundle,
        "entry_count": len(entries),
        "closed_count": len(closed),
        "percent": round(100 * len(closed) / len(entries)) if entries else 0,
        "minutes_spent": spent,
        "has_anything": has_anything,
        # Only an empty day needs to know whether the learner is enrolled at all (one query).
        "is_enrolled": True if has_anything else selectors.enrollments_of(user=user).exists(),
        "is_rest_day": bundle.date.weekday() in (bundle.profile.rest_weekdays or []),
        # A long absence would list weeks of missed items; the first ones are what to pick up.
        "overdue": bundle.overdue[:OVERDUE_SHOWN],
        "overdue_more": max(0, len(bundle.overdue) - OVERDUE_SHOWN),
        "outcomes": list(ProblemAttempt.Outcome.values),
    }


def today_context(
    user: User,
    *,
    flash: str = "",
    flash_error: str = "",
    now: dt.datetime | None = None,
    state: TodayState | None = None,
) -> dict[str, Any]:
    """The page's data, kept in the cache under the learner's Today key (tracker/today_cache.py) until a
    write changes it: the data only, never the rendered page, which holds this request's CSRF token and
    messages. `valid_until` is when the page could change without a write (its countdowns included)."""
    now = now or timezone.now()
    state = state or today_state(user=user, now=now)
    key = f"{state.key}:web"
    cached = today_cached(key, now)
    if cached is None:
        data = _page_data(user, state, now)
        cached = (data, data["bundle"].valid_until)
        today_cache_store(key, data, valid_until=data["bundle"].valid_until, now=now)
    data, valid_until = cached
    countdowns = [countdown_changes(deadline.due_at, now) for deadline in data["bundle"].deadlines]
    return {**data, "valid_until": min([valid_until, *countdowns]), "flash": flash, "flash_error": flash_error}


def countdown_changes(due: dt.datetime, now: dt.datetime) -> dt.datetime:
    """When the page's "in 3 days, 4 hours" (Django's timeuntil: two units, truncated) for `due` could
    next read otherwise: at the next whole hour before `due`, or whole minute in its last day."""
    step = dt.timedelta(hours=1) if due - now >= dt.timedelta(days=1) else dt.timedelta(minutes=1)
    return due - ((due - now) // step) * step


def _page_etag_key(request: HttpRequest, state: TodayState) -> str:
    # The page holds the CSRF token of the session's secret and is worded in the request's language.
    return f"{state.key}:web:{get_language()}:{request.META.get('CSRF_COOKIE', '')}"


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    """Today's page, with an ETag named from the learner's state (no page built for a 304). A page
    that shows messages gets none: a later reload must not bring them back."""
    user = learner(request)
    now = timezone.now()
    # A new day re-plans once: work missed yesterday rolls forward before the page reads the plan.
    state = today_state(user=user, now=now)
    has_messages = len(messages.get_messages(request)) > 0
    if not has_messages:
        tag = today_etag_match(request.headers.get("If-None-Match"), _page_etag_key(request, state), now)
        if tag is not None:
            not_modified = HttpResponseNotModified()
            not_modified["Cache-Control"], not_modified["ETag"] = PAGE_CACHE_CONTROL, tag
            return not_modified
    html, valid_until = _today_html(request, user, state, now)
    response = render(request, "frontend/today.html", {"today_html": html})
    response["Cache-Control"] = PAGE_CACHE_CONTROL
    if not has_messages:
        # After rendering: a first visit's CSRF secret is made while the page is.
        response["ETag"] = today_etag(_page_etag_key(request, state), valid_until)
    return response


def _today_html(
    request: HttpRequest, user: User, state: TodayState, now: dt.datetime
) -> tuple[SafeString, dt.datetime]:
    """The day's part of the page (_today.html) and when it could change. Rendering it is most of the
    page's cost, so it is kept in the cache like the data, under the same key with the language and
    the address, and until its countdowns change; kept without any CSRF token: its forms hold a random
    stand-in, replaced by this request's token. Messages are the base page's, rendered each time."""
    key = f"{state.key}:web:html:{get_language()}:{page_path(request)}"
    cached = today_cached(key, now)
    if cached is None:
        context = today_context(user, now=now, state=state)
        stand_in = secrets.token_hex(16)  # no learner's text can hold it
        html = render_to_string("frontend/_today.html", {**context, "csrf_token": stand_in, "request": request})
        cached = ((stand_in, html), context["valid_until"])
        today_cache_store(key, (stand_in, html), valid_until=context["valid_until"], now=now)
    (stand_in, html), valid_until = cached
    # The template escaped everything it rendered; the token is letters and digits.
    return SafeString(html.replace(stand_in, get_token(request))), valid_until


def _title(item: Item) -> str:
    return item.display_title()


def _run(action: str, request: HttpRequest, user: User, item: Item) -> str:
    """Does the action; returns the sentence that tells the learner what happened."""
    simple: dict[str, tuple[Callable[..., Progress], str]] = {
        "start": (progress_start, _("Started “%(title)s”.")),
        "done": (progress_mark_done, _("Done: “%(title)s”. Well done!")),
        "skip": (progress_skip, _("Skipped “%(title)s”: it leaves your plan.")),
        "undo": (progress_undo, _("“%(title)s” is back on your list.")),
    }
    if action in simple:
        service, message = simple[action]
        service(user=user, item=item)
        return message % {"title": _title(item)}
    if action == "note":
        progress_set_note(user=user, item=item, note=request.POST.get("note", ""))
        return _("Note saved on “%(title)s”.") % {"title": _title(item)}
    if action == "time":
        minutes = parse_int(request.POST.get("minutes"))
        if minutes is None:
            raise ProgressError(_("Enter the minutes you spent as a whole number, e.g. 25."))
        progress_add_time(user=user, item=item, minutes=minutes)
        return _("Added %(n)d min to “%(title)s”.") % {"n": minutes, "title": _title(item)}
    if action == "rate":
        card = review_rate(user=user, item=item, rating=request.POST.get("rating", ""))
        return _("Review saved: “%(title)s” comes back on %(date)s.") % {
            "title": _title(item),
            "date": date_format(card.due.astimezone(ZoneInfo(user.study_profile.time_zone)), "DATE_FORMAT"),
        }
    raise Http404("No such action.")


@login_required
@require_POST
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """start, done, skip, undo, note, time or rate on one item. From Today or a track page: htmx gets
    the part of the page that changed, a plain form a redirect back with the outcome as a message."""
    user = learner(request)
    item = get_object_or_404(selectors.items_visible_to(user=user), pk=pk)
    ok = error = ""
    try:
        ok = _run(action, request, user, item)
    except (ProgressError, ReviewError) as exc:
        error = str(exc)
    if not is_htmx(request):
        return back(request, "frontend:home", ok=ok, error=error)
    if request.POST.get("from") == "track":
        return track_item_fragment(request, user, item, flash=ok, flash_error=error)
    return render(request, "frontend/_today.html", today_context(user, flash=ok, flash_error=error))
