"""Today: the planning engine's bundle for the day, and the inline actions on its items."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontend.views.common import back, is_htmx, learner, parse_int
from frontend.views.tracks import track_item_fragment
from tracker import selectors
from tracker.models import Item, PlanEntry, Progress, User
from tracker.services.planning import plan_ensure_current
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

OVERDUE_SHOWN = 10


def today_context(user: User, *, flash: str = "", flash_error: str = "") -> dict[str, Any]:
    """The bundle plus what the page shows about it: minutes planned and spent, how much is done."""
    bundle = selectors.today_bundle(user=user, now=timezone.now())
    entries = [entry for day in bundle.tracks for entry in day.entries]
    closed = [e for e in entries if e.status in {PlanEntry.Status.DONE, PlanEntry.Status.SKIPPED}]
    spent = sum(
        progress.time_spent_minutes
        for entry in entries
        # The selector's Prefetch("item__progress", to_attr=...): django-stubs types no nested to_attr.
        for progress in entry.item.my_progress  # type: ignore[attr-defined]
    )
    has_anything = bool(entries or bundle.reviews_due or bundle.overdue)
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
        "flash": flash,
        "flash_error": flash_error,
    }


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    # A new day re-plans once: work missed yesterday rolls forward before the page reads the plan.
    plan_ensure_current(user=user)
    return render(request, "frontend/today.html", today_context(user))


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
