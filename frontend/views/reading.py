"""The reading queue: chapters, lectures and blog posts in one ordered list; reorder, start, mark read
with the day's summary note, drop; add a link of your own."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrPromise

from frontend.forms import ReadingLinkForm
from frontend.views.common import back, is_htmx, learner, parse_int
from tracker import selectors
from tracker.models import ReadingQueueEntry, User
from tracker.services.reading import (
    ReadingError,
    reading_entry_add,
    reading_entry_delete,
    reading_entry_move,
    reading_entry_set_status,
)


def reading_context(user: User, **extra: Any) -> dict[str, Any]:
    to_read, read = selectors.reading_page(user=user)
    return {"to_read": to_read, "read": read, "form": ReadingLinkForm(), **extra}


@login_required
@require_GET
def reading(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/reading.html", reading_context(learner(request)))


def _answer(request: HttpRequest, user: User, *, ok: str = "", error: str = "") -> HttpResponse:
    if is_htmx(request):
        return render(request, "frontend/_reading.html", reading_context(user, flash=ok, flash_error=error))
    return back(request, "frontend:reading", ok=ok, error=error)


@login_required
@require_POST
def reading_add(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    form = ReadingLinkForm(request.POST)
    if not form.is_valid():
        if is_htmx(request):
            return render(request, "frontend/_reading.html", {**reading_context(user), "form": form})
        errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return back(request, "frontend:reading", error=_("Nothing was added. %(errors)s") % {"errors": errors})
    try:
        entry, _created = reading_entry_add(user=user, url=form.cleaned_data["url"], title=form.cleaned_data["title"])
    except ReadingError as exc:
        return _answer(request, user, error=str(exc))
    return _answer(
        request, user, ok=_("“%(title)s” is at the end of your queue.") % {"title": entry.title or entry.url}
    )


def _entry(request: HttpRequest, pk: int) -> ReadingQueueEntry:
    return get_object_or_404(selectors.reading_queue(user=learner(request)), pk=pk)


@login_required
@require_POST
def reading_move(request: HttpRequest, pk: int) -> HttpResponse:
    """To a position: `top`, `up`, `down`, or a number (1 is the top)."""
    user = learner(request)
    entry = _entry(request, pk)
    where = request.POST.get("to", "")
    moves = {"top": 1, "up": entry.position - 1, "down": entry.position + 1}
    position = moves.get(where) or parse_int(where)
    if position is None or position < 1:
        return _answer(request, user, error=_("Say where to move it: a place from 1 (the top) down."))
    reading_entry_move(entry=entry, position=position)
    return _answer(request, user, ok=_("Moved “%(title)s”.") % {"title": entry.display_title()})


STATUS_DONE: dict[str, StrPromise] = {
    ReadingQueueEntry.Status.READING: gettext_lazy("You are reading “%(title)s”."),
    ReadingQueueEntry.Status.READ: gettext_lazy("“%(title)s” is read. Your summary is saved."),
    ReadingQueueEntry.Status.QUEUED: gettext_lazy("“%(title)s” is back in the queue."),
    ReadingQueueEntry.Status.DROPPED: gettext_lazy("“%(title)s” was dropped from the queue."),
}


@login_required
@require_POST
def reading_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = learner(request)
    entry = _entry(request, pk)
    status = request.POST.get("status", "")
    summary = request.POST.get("summary")
    try:
        reading_entry_set_status(entry=entry, status=status, summary=summary)
    except ReadingError as exc:
        return _answer(request, user, error=str(exc))
    return _answer(request, user, ok=str(STATUS_DONE[status]) % {"title": entry.display_title()})


@login_required
@require_POST
def reading_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = learner(request)
    entry = _entry(request, pk)
    title = entry.display_title()
    reading_entry_delete(entry=entry)
    return _answer(request, user, ok=_("“%(title)s” was removed from your queue.") % {"title": title})
