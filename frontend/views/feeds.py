"""Blog feeds: follow a blog by its feed or site address, or a curated one with one click; per feed, whether
new posts join the reading queue and how many a day; unsubscribe; the recent posts of one's feeds, each
one click from the reading queue; OPML import and export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontend.forms import FeedSubscribeForm, FeedSubscriptionForm, OpmlUploadForm
from frontend.views.common import back, is_htmx, learner, parse_int
from tracker.models import FeedSubscription, User
from tracker.selectors.feeds import curated_feeds, feed_posts_for, feed_subscriptions_of
from tracker.services.feeds import (
    FeedError,
    feed_post_queue,
    feed_subscribe,
    feed_subscribe_curated,
    feed_subscription_update,
    feed_unsubscribe,
    opml_export,
    opml_import,
)

RECENT_POSTS = 30
OPML_FILENAME = "brainqueue-feeds.opml"


def _feed_filter(request: HttpRequest) -> int | None:
    """The feed whose posts are shown (`?feed=` on the page, a hidden `feed` field in its forms)."""
    return parse_int(request.POST.get("feed") or request.GET.get("feed"))


def feeds_context(user: User, *, feed_id: int | None = None, **extra: Any) -> dict[str, Any]:
    """Everything the page shows. Three queries: subscriptions (annotated), recent posts, curated feeds."""
    subscriptions = list(feed_subscriptions_of(user=user))
    if feed_id is not None and not any(s.feed_id == feed_id for s in subscriptions):
        feed_id = None  # not one of the learner's feeds: show all their posts
    here = reverse("frontend:feeds") + (f"?feed={feed_id}" if feed_id is not None else "")
    return {
        "subscriptions": subscriptions,
        "feed_id": feed_id,
        "shown_feed": next((s.feed for s in subscriptions if s.feed_id == feed_id), None),
        "posts": list(feed_posts_for(user=user, feed_id=feed_id)[:RECENT_POSTS]),
        "curated": list(curated_feeds(user=user)),
        "form": FeedSubscribeForm(),
        "opml_form": OpmlUploadForm(),
        "here": here,
        **extra,
    }


@login_required
@require_GET
def feeds(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/feeds.html", feeds_context(learner(request), feed_id=_feed_filter(request)))


def _answer(request: HttpRequest, user: User, *, ok: str = "", error: str = "", **extra: Any) -> HttpResponse:
    if is_htmx(request):
        context = feeds_context(user, feed_id=_feed_filter(request), flash=ok, flash_error=error, **extra)
        return render(request, "frontend/_feeds.html", context)
    return back(request, "frontend:feeds", ok=ok, error=error)


@login_required
@require_POST
def feed_subscribe_view(request: HttpRequest) -> HttpResponse:
    """Follows a feed or site address. Discovery fetches it now, so this may take a few seconds."""
    user = learner(request)
    form = FeedSubscribeForm(request.POST)
    if form.is_valid():
        try:
            subscription, _created = feed_subscribe(
                user=user, url=form.cleaned_data["url"], add_to_reading_queue=form.cleaned_data["add_to_reading_queue"]
            )
        except FeedError as exc:
            form.add_error("url", str(exc))
        else:
            return _answer(request, user, ok=_("You follow “%(title)s”.") % {"title": subscription.feed})
    if is_htmx(request):
        return render(request, "frontend/_feeds.html", feeds_context(user, feed_id=_feed_filter(request), form=form))
    errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return back(request, "frontend:feeds", error=_("Not subscribed. %(errors)s") % {"errors": errors})


@login_required
@require_POST
def feed_follow(request: HttpRequest, slug: str) -> HttpResponse:
    user = learner(request)
    feed = get_object_or_404(curated_feeds(), curated_slug=slug)
    try:
        feed_subscribe_curated(user=user, slug=slug)
    except FeedError as exc:
        return _answer(request, user, error=str(exc))
    return _answer(
        request, user, ok=_("You follow “%(title)s”. Its new posts join your reading queue.") % {"title": feed}
    )


def _subscription(request: HttpRequest, pk: int) -> FeedSubscription:
    subscription: FeedSubscription = get_object_or_404(feed_subscriptions_of(user=learner(request)), pk=pk)
    return subscription


@login_required
@require_POST
def feed_subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The inline switch and daily cap of one subscription; htmx gets the subscription's row back."""
    subscription = _subscription(request, pk)
    form = FeedSubscriptionForm(request.POST)
    ok = error = ""
    if not form.is_valid():
        error = _("Nothing was changed: the daily limit is a number from 1 to 50.")
    else:
        try:
            feed_subscription_update(
                subscription=subscription,
                add_to_reading_queue=form.cleaned_data["add_to_reading_queue"],
                daily_cap=form.cleaned_data["daily_cap"],
            )
        except FeedError as exc:
            error = str(exc)
        else:
            if subscription.add_to_reading_queue:
                ok = _("Saved: at most %(cap)s new posts a day join your queue.") % {"cap": subscription.daily_cap}
            else:
                ok = _("Saved: new posts stay here and do not join your queue.")
    if is_htmx(request):
        return render(request, "frontend/_feed_row.html", {"s": subscription, "flash": ok, "flash_error": error})
    return back(request, "frontend:feeds", ok=ok, error=error)


@login_required
@require_POST
def feed_unsubscribe_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = learner(request)
    subscription = _subscription(request, pk)
    title = str(subscription.feed)
    feed_unsubscribe(subscription=subscription)
    return _answer(
        request, user, ok=_("You no longer follow “%(title)s”. Its posts in your queue stay.") % {"title": title}
    )


@login_required
@require_POST
def feed_post_queue_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = learner(request)
    post = get_object_or_404(feed_posts_for(user=user), pk=pk)
    try:
        feed_post_queue(user=user, post=post)
    except FeedError as exc:
        return _answer(request, user, error=str(exc))
    return _answer(request, user, ok=_("“%(title)s” is in your reading queue.") % {"title": post.title})


@login_required
@require_POST
def opml_import_view(request: HttpRequest) -> HttpResponse:
    """A plain form (a file upload): the page comes back with the report, or with what was wrong."""
    user = learner(request)
    form = OpmlUploadForm(request.POST, request.FILES)
    extra: dict[str, Any] = {"opml_form": form}
    status = 400
    if form.is_valid():
        try:
            extra["opml_report"] = opml_import(user=user, data=form.cleaned_data["file"])
        except FeedError as exc:
            extra["opml_error"] = str(exc)
        else:
            extra["opml_form"] = OpmlUploadForm()
            status = 200
    return render(request, "frontend/feeds.html", feeds_context(user, **extra), status=status)


@login_required
@require_GET
def opml_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(opml_export(user=learner(request)), content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{OPML_FILENAME}"'
    return response
