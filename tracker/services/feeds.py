"""Blog feeds: subscribing (with discovery), OPML, the dispatcher's claim, fetching in batches, storing
posts and filling reading queues.

Network work (discovery, fetches) happens outside database transactions; each feed's result is then
written in one short transaction. Only the worker that claimed a feed fetches it: the dispatcher claims
due feeds with a guarded update (a lease in `claimed_until`), and the fetch releases the claim.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Case, Count, Max, Q, Value, When
from django.utils import timezone

from tracker import metrics
from tracker.feeds.discover import discover
from tracker.feeds.fetch import FetchConfig, FetchResult, Outcome, fetch, make_client
from tracker.feeds.opml import OpmlError, Outline, parse_opml, render_opml
from tracker.feeds.parse import ParsedFeed, parse_feed
from tracker.feeds.schedule import Politeness, next_after_error, next_after_success
from tracker.jobs import tracker_task
from tracker.models import Feed, FeedPost, FeedSubscription, ReadingQueueEntry, User
from tracker.models.feeds import DEFAULT_DAILY_CAP, FETCHABLE_STATUSES, FeedStatus
from tracker.selectors.accounts import verified_email_exists
from tracker.services.learner_state import learner_state_bump, learner_states_bump

logger = logging.getLogger(__name__)

MAX_DAILY_CAP = 50
QUEUE_WINDOW = dt.timedelta(hours=24)


class FeedError(Exception):
    """A feed change that cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class FeedFetchOutcome:
    feed_id: int
    outcome: str
    new_posts: int = 0
    queued: int = 0


@dataclass
class OpmlImportReport:
    subscribed: int = 0
    already_subscribed: int = 0
    feeds_created: int = 0
    skipped: list[str] = field(default_factory=list)


def fetch_config() -> FetchConfig:
    return FetchConfig(
        user_agent=settings.FEEDS_USER_AGENT,
        connect_timeout=settings.FEEDS_CONNECT_TIMEOUT,
        total_timeout=settings.FEEDS_TOTAL_TIMEOUT,
        max_bytes=settings.FEEDS_MAX_BYTES,
        max_redirects=settings.FEEDS_MAX_REDIRECTS,
        allowed_private_hosts=tuple(settings.FEEDS_ALLOWED_PRIVATE_HOSTS),
        max_connections=max(settings.FEEDS_FETCH_CONCURRENCY, 1),
    )


def politeness() -> Politeness:
    return Politeness(
        min_interval=settings.FEEDS_MIN_INTERVAL,
        max_interval=settings.FEEDS_MAX_INTERVAL,
        max_backoff=settings.FEEDS_MAX_BACKOFF,
    )


@contextmanager
def _client(client: httpx.Client | None) -> Iterator[httpx.Client]:
    if client is not None:
        yield client
        return
    own = make_client(fetch_config())
    try:
        yield own
    finally:
        own.close()


def normalise_url(url: str) -> str:
    """`oldpan.me` → `https://oldpan.me`; anything but http(s) is refused with a message saying so."""
    url = (url or "").strip()
    if url and "://" not in url:
        url = f"https://{url}"
    try:
        parts = urlsplit(url)
        hostname, _port = parts.hostname, parts.port  # .port raises on a port that is not a number
    except ValueError:
        hostname = None
    if not hostname or parts.scheme.lower() not in ("http", "https"):
        raise FeedError(f"{url or 'An empty address'} is not a web address; give one starting with https://.")
    if len(url) > 1000:
        raise FeedError("That address is longer than 1000 characters.")
    return url


# --- Subscribing -------------------------------------------------------------------------------------


def _subscription_get_or_create(
    *, user: User, feed: Feed, add_to_reading_queue: bool, daily_cap: int
) -> tuple[FeedSubscription, bool]:
    if not 1 <= daily_cap <= MAX_DAILY_CAP:
        raise FeedError(f"The daily limit must be between 1 and {MAX_DAILY_CAP} posts.")
    return FeedSubscription.objects.get_or_create(
        user=user, feed=feed, defaults={"add_to_reading_queue": add_to_reading_queue, "daily_cap": daily_cap}
    )


def feed_subscribe(
    *,
    user: User,
    url: str,
    add_to_reading_queue: bool = True,
    daily_cap: int = DEFAULT_DAILY_CAP,
    client: httpx.Client | None = None,
    now: dt.datetime | None = None,
) -> tuple[FeedSubscription, bool]:
    """Follows the feed at `url`, which may be the feed itself or a page of the site (the feed is then
    discovered). A feed someone already follows is not fetched again; a new one is fetched now, outside
    any transaction, and its newest posts join the learner's queue (within the daily limit). Returns the
    subscription and whether it was created: one the learner has already comes back as it is.

    Raises FeedError when no feed is found there or the address is refused (not a public address).
    """
    url = normalise_url(url)
    now = now or timezone.now()
    feed = Feed.objects.filter(Q(url=url) | Q(curated_url=url)).first()
    if feed is not None:
        return _subscription_get_or_create(
            user=user, feed=feed, add_to_reading_queue=add_to_reading_queue, daily_cap=daily_cap
        )
    with _client(client) as http:
        found = discover(http, url, fetch_config(), now=now)
    if not found.feed_url or found.fetched is None or found.parsed is None:
        raise FeedError(
            f"No feed found at {url} ({found.error}). Give the feed's own address, often ending in /feed, "
            "/rss.xml or /atom.xml."
        )
    with transaction.atomic():
        feed, created = Feed.objects.get_or_create(
            url=found.feed_url,
            defaults={"title": found.parsed.title, "site_url": found.parsed.site_url, "next_fetch_at": now},
        )
        subscription, subscribed = _subscription_get_or_create(
            user=user, feed=feed, add_to_reading_queue=add_to_reading_queue, daily_cap=daily_cap
        )
        if created:
            # The discovery fetch is the feed's first fetch: keep it rather than fetching again.
            _store(feed, found.fetched, found.parsed, now=now)
    return subscription, subscribed


def feed_subscribe_curated(
    *, user: User, slug: str, add_to_reading_queue: bool = True
) -> tuple[FeedSubscription, bool]:
    """One-click follow of a curated feed (fixtures/feeds.yaml); the dispatcher fetches it when due.
    Returns the subscription and whether it was created."""
    feed = Feed.objects.filter(is_curated=True, curated_slug=slug).first()
    if feed is None:
        raise FeedError(f"There is no curated feed {slug!r}.")
    return _subscription_get_or_create(
        user=user, feed=feed, add_to_reading_queue=add_to_reading_queue, daily_cap=DEFAULT_DAILY_CAP
    )


def feed_subscription_update(
    *, subscription: FeedSubscription, add_to_reading_queue: bool | None = None, daily_cap: int | None = None
) -> FeedSubscription:
    if daily_cap is not None:
        if not 1 <= daily_cap <= MAX_DAILY_CAP:
            raise FeedError(f"The daily limit must be between 1 and {MAX_DAILY_CAP} posts.")
        subscription.daily_cap = daily_cap
    if add_to_reading_queue is not None:
        subscription.add_to_reading_queue = add_to_reading_queue
    subscription.save(update_fields=["daily_cap", "add_to_reading_queue", "updated_at"])
    return subscription


def feed_unsubscribe(*, subscription: FeedSubscription) -> None:
    """Stops following; entries already in the reading queue stay (they are the learner's)."""
    subscription.delete()


@transaction.atomic
def feed_post_queue(*, user: User, post: FeedPost) -> tuple[ReadingQueueEntry, bool]:
    """Adds a post to the learner's reading queue by hand (one they follow). Returns the entry and whether
    it was created: a queued post comes back as it is."""
    if post.deleted_at is not None or not FeedSubscription.objects.filter(user=user, feed_id=post.feed_id).exists():
        raise FeedError("That post is not in a feed you follow.")
    existing = ReadingQueueEntry.objects.filter(user=user, post=post).first()
    if existing is not None:
        return existing, False
    top = ReadingQueueEntry.objects.filter(user=user).aggregate(m=Max("position"))["m"] or 0
    entry = ReadingQueueEntry.objects.create(
        user=user, post=post, title=post.title[:300], url=post.url, position=top + 1
    )
    learner_state_bump(user_id=user.pk)
    return entry, True


@transaction.atomic
def feed_post_delete(*, post: FeedPost, now: dt.datetime | None = None) -> FeedPost:
    """Deletes a post for everyone but keeps its hash (a tombstone), so the next fetch does not bring it
    back. Entries still waiting in reading queues go; ones a learner started or read stay."""
    post.deleted_at = now or timezone.now()
    post.save(update_fields=["deleted_at", "updated_at"])
    learner_states_bump(user_ids=ReadingQueueEntry.objects.filter(post=post).values_list("user_id", flat=True))
    ReadingQueueEntry.objects.filter(post=post, status=ReadingQueueEntry.Status.QUEUED).delete()
    return post


# --- OPML --------------------------------------------------------------------------------------------


def opml_import(*, user: User, data: bytes, now: dt.datetime | None = None) -> OpmlImportReport:
    """Follows every feed an OPML file lists. Nothing is fetched here: new feeds are due at once and the
    dispatcher fetches them within a minute. All or nothing; a file that is not OPML changes nothing."""
    try:
        outlines = parse_opml(data)
    except OpmlError as exc:
        raise FeedError(str(exc)) from exc
    now = now or timezone.now()
    report = OpmlImportReport()
    with transaction.atomic():
        urls = [o.xml_url for o in outlines]
        by_url = {f.url: f for f in Feed.objects.filter(url__in=urls)}
        by_url |= {f.curated_url: f for f in Feed.objects.filter(curated_url__in=urls)}
        missing = [
            Feed(url=o.xml_url, title=o.title, site_url=o.html_url, next_fetch_at=now)
            for o in outlines
            if o.xml_url not in by_url
        ]
        Feed.objects.bulk_create(missing, ignore_conflicts=True)
        report.feeds_created = len(missing)
        by_url |= {f.url: f for f in Feed.objects.filter(url__in=[f.url for f in missing])}
        followed = set(FeedSubscription.objects.filter(user=user).values_list("feed_id", flat=True))
        new_subscriptions = []
        for outline in outlines:
            feed = by_url.get(outline.xml_url)
            if feed is None:
                report.skipped.append(outline.xml_url)
            elif feed.pk in followed:
                report.already_subscribed += 1
            else:
                followed.add(feed.pk)
                new_subscriptions.append(FeedSubscription(user=user, feed=feed))
        FeedSubscription.objects.bulk_create(new_subscriptions, ignore_conflicts=True)
        report.subscribed = len(new_subscriptions)
    return report


def opml_export(*, user: User) -> bytes:
    """The learner's subscriptions as OPML 2.0, for any other feed reader."""
    subscriptions = FeedSubscription.objects.filter(user=user).select_related("feed").order_by("feed__title", "pk")
    outlines = [Outline(xml_url=s.feed.url, html_url=s.feed.site_url, title=s.feed.title) for s in subscriptions]
    return render_opml(outlines, title=f"Brainqueue subscriptions of {user.get_username()}")


# --- Claiming and dispatching ------------------------------------------------------------------------


def _claimable(now: dt.datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def feeds_claim_due(*, now: dt.datetime | None = None, limit: int | None = None) -> list[int]:
    """Claims fetchable feeds whose time has come and returns their ids; no two callers get the same feed.

    On PostgreSQL the rows are locked with SKIP LOCKED, so a second dispatcher passes over them instead
    of waiting; the update repeats the conditions, so a row claimed meanwhile is never claimed twice.
    SQLite takes the database's write lock at BEGIN (IMMEDIATE), which serialises the same steps.
    """
    now = now or timezone.now()
    due = Q(status__in=FETCHABLE_STATUSES, next_fetch_at__lte=now) & _claimable(now)
    with transaction.atomic():
        query = Feed.objects.select_for_update(skip_locked=True).filter(due).order_by("next_fetch_at", "pk")
        ids = list(query.values_list("pk", flat=True)[: limit or settings.FEEDS_DISPATCH_LIMIT])
        if ids:
            Feed.objects.filter(due, pk__in=ids).update(claimed_until=now + settings.FEEDS_CLAIM_LEASE)
    return ids


def feed_claim(*, feed: Feed, now: dt.datetime | None = None) -> bool:
    """Claims one feed whatever its schedule (a curator's "Refresh now"); False if a worker holds it."""
    now = now or timezone.now()
    lease = now + settings.FEEDS_CLAIM_LEASE
    return Feed.objects.filter(_claimable(now), pk=feed.pk).update(claimed_until=lease) == 1


def _enqueue_fetch(feed_ids: list[int]) -> None:
    transaction.on_commit(lambda: tracker_task("feeds_fetch_batch").delay(feed_ids))


def feeds_dispatch(*, now: dt.datetime | None = None) -> int:
    """The periodic dispatcher: claims due feeds and enqueues batch fetches on the feeds queue."""
    ids = feeds_claim_due(now=now)
    size = max(settings.FEEDS_BATCH_SIZE, 1)
    for start in range(0, len(ids), size):
        _enqueue_fetch(ids[start : start + size])
    if ids:
        logger.info("feeds: dispatched %d feeds", len(ids))
    return len(ids)


def feed_refresh(*, feed: Feed) -> bool:
    """Fetches one feed as soon as a worker is free; False when a fetch of it is already under way."""
    if not feed_claim(feed=feed):
        return False
    _enqueue_fetch([feed.pk])
    return True


# --- Fetching and storing ----------------------------------------------------------------------------


@dataclass
class _Fetched:
    feed: Feed
    result: FetchResult
    parsed: ParsedFeed | None
    # Where discovery found the feed after its stored address failed (404, or not a feed).
    discovered_url: str = ""


def _lost(result: FetchResult, parsed: ParsedFeed | None) -> bool:
    """The stored address does not hold a feed (any more): worth looking for it on the site."""
    return result.status_code == 404 or (result.outcome is Outcome.OK and (parsed is None or not parsed.is_feed))


def _fetch_and_parse(http: httpx.Client, feed: Feed, config: FetchConfig) -> _Fetched:
    """Runs in a pool thread: network and parsing only, no database."""
    try:
        result = fetch(http, feed.url, config, etag=feed.etag, last_modified=feed.last_modified)
        parsed = None
        if result.outcome is Outcome.OK:
            parsed = parse_feed(result.content, url=result.final_url, headers=result.headers)
            result.content = b""  # parsed; let the bytes go before the batch ends
        if feed.site_url and _lost(result, parsed):
            found = discover(http, feed.site_url, config)
            if found.feed_url and found.feed_url != feed.url and found.fetched and found.parsed:
                found.fetched.content = b""
                return _Fetched(feed, found.fetched, found.parsed, discovered_url=found.feed_url)
        return _Fetched(feed, result, parsed)
    except Exception as exc:  # a bug in one feed's handling must not lose the whole batch
        logger.exception("feeds: fetching feed %s failed unexpectedly", feed.pk)
        error = f"{type(exc).__name__}: {exc}"[:500]
        return _Fetched(feed, FetchResult(feed.url, Outcome.NETWORK_ERROR, error=error), None)


def feeds_fetch(
    *,
    feed_ids: Sequence[int],
    client: httpx.Client | None = None,
    concurrency: int | None = None,
    now: dt.datetime | None = None,
) -> list[FeedFetchOutcome]:
    """Fetches the claimed feeds among `feed_ids`, several at a time, and stores each result as it comes.

    Feeds no longer claimed (a duplicate delivery of the task after the first one finished) are skipped.
    """
    feeds = list(Feed.objects.filter(pk__in=feed_ids, claimed_until__isnull=False))
    if not feeds:
        return []
    config = fetch_config()
    outcomes = []
    workers = max(1, min(concurrency or settings.FEEDS_FETCH_CONCURRENCY, len(feeds)))
    with _client(client) as http, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="feed-fetch") as pool:
        futures = [pool.submit(_fetch_and_parse, http, feed, config) for feed in feeds]
        for future in as_completed(futures):
            got = future.result()
            outcomes.append(
                feed_fetch_result_store(
                    feed=got.feed, result=got.result, parsed=got.parsed, discovered_url=got.discovered_url, now=now
                )
            )
            metrics.feed_fetch_recorded(outcome=outcomes[-1].outcome)
    return outcomes


def feed_fetch_result_store(
    *,
    feed: Feed,
    result: FetchResult,
    parsed: ParsedFeed | None,
    discovered_url: str = "",
    now: dt.datetime | None = None,
) -> FeedFetchOutcome:
    """Records one fetch: new posts and their reading-queue entries, the feed's health and its next
    fetch, and releases the claim. One transaction."""
    with transaction.atomic():
        return _store(feed, result, parsed, discovered_url=discovered_url, now=now or timezone.now())


def _keep_paused(status: str) -> Case:
    """A curator may pause a feed while it is being fetched; the fetch must not undo that."""
    return Case(When(status=FeedStatus.PAUSED, then=Value(FeedStatus.PAUSED)), default=Value(status))


def _redirect_fields(feed: Feed, result: FetchResult) -> dict[str, object]:
    target = result.permanent_redirect_url
    if not target or target == feed.url:
        return {"redirect_url": "", "redirect_count": 0}
    count = feed.redirect_count + 1 if feed.redirect_url == target else 1
    if count >= settings.FEEDS_REDIRECT_MOVES_AFTER and not Feed.objects.filter(url=target).exists():
        logger.info("feeds: feed %s moved permanently to %s", feed.pk, target)
        return {"url": target, "redirect_url": "", "redirect_count": 0}
    return {"redirect_url": target, "redirect_count": count}


def _store(
    feed: Feed, result: FetchResult, parsed: ParsedFeed | None, *, now: dt.datetime, discovered_url: str = ""
) -> FeedFetchOutcome:
    interval = dt.timedelta(seconds=feed.interval_seconds)
    common: dict[str, object] = {
        "last_fetch_at": now,
        "last_status_code": result.status_code,
        "claimed_until": None,
        "updated_at": now,
        **_redirect_fields(feed, result),
    }
    if discovered_url and not Feed.objects.filter(url=discovered_url).exists():
        logger.info("feeds: feed %s found again at %s", feed.pk, discovered_url)
        common |= {"url": discovered_url, "redirect_url": "", "redirect_count": 0}
    if parsed is not None and not parsed.is_feed:
        result.outcome, result.error = Outcome.HTTP_ERROR, f"the response is not a feed ({parsed.bozo or 'no entries'})"

    if result.outcome is Outcome.NOT_MODIFIED or (result.outcome is Outcome.OK and parsed is not None):
        delay = next_after_success(
            interval=interval, max_age=result.max_age, ttl=parsed.ttl if parsed else None, politeness=politeness()
        )
        values = {
            **common,
            "status": _keep_paused(FeedStatus.ACTIVE),
            "last_success_at": now,
            "last_error": "",
            "error_count": 0,
            "next_fetch_at": now + delay,
            "gone_at": None,
        }
        new_posts = queued = 0
        if result.outcome is Outcome.OK and parsed is not None:
            values |= {"etag": result.etag[:500], "last_modified": result.last_modified[:100]}
            if parsed.title and not feed.title:
                values["title"] = parsed.title
            if parsed.site_url and not feed.site_url:
                values["site_url"] = parsed.site_url
            posts = _store_posts(feed, parsed)
            new_posts, queued = len(posts), _deliver(feed, posts, now=now)
        Feed.objects.filter(pk=feed.pk).update(**values)
        return FeedFetchOutcome(feed.pk, str(result.outcome), new_posts, queued)

    if result.outcome is Outcome.GONE:
        Feed.objects.filter(pk=feed.pk).update(
            **common, status=FeedStatus.GONE, gone_at=now, next_fetch_at=None, last_error="HTTP 410 Gone"
        )
        if feed.status != FeedStatus.GONE:
            transaction.on_commit(lambda: tracker_task("feed_gone_notify").delay(feed.pk))
        return FeedFetchOutcome(feed.pk, str(result.outcome))

    errors = feed.error_count + 1
    delay = next_after_error(
        interval=interval, error_count=errors, retry_after=result.retry_after, politeness=politeness()
    )
    Feed.objects.filter(pk=feed.pk).update(
        **common,
        status=_keep_paused(FeedStatus.ERROR),
        error_count=errors,
        last_error=f"{result.outcome}: {result.error}"[:2000],
        next_fetch_at=now + delay,
    )
    return FeedFetchOutcome(feed.pk, str(result.outcome))


def _store_posts(feed: Feed, parsed: ParsedFeed) -> list[FeedPost]:
    """Creates the entries not seen before (deleted ones included) and returns them, saved."""
    if not parsed.entries:
        return []
    hashes = [e.guid_hash for e in parsed.entries]
    known: set[str] = set()
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        known |= set(FeedPost.objects.filter(feed=feed, guid_hash__in=chunk).values_list("guid_hash", flat=True))
    new = [
        FeedPost(
            feed=feed,
            guid_hash=e.guid_hash,
            guid=e.guid,
            url=e.url,
            title=e.title,
            summary_html=e.summary_html,
            published_at=e.published_at,
        )
        for e in parsed.entries
        if e.guid_hash not in known
    ]
    if not new:
        return []
    # ignore_conflicts: a conflict can only come from a second copy of the same fetch; PostgreSQL then
    # leaves the primary keys unset, hence the read below.
    FeedPost.objects.bulk_create(new, ignore_conflicts=True, batch_size=200)
    new_hashes = [p.guid_hash for p in new]
    saved: list[FeedPost] = []
    for start in range(0, len(new_hashes), 500):
        saved += FeedPost.objects.filter(feed=feed, guid_hash__in=new_hashes[start : start + 500])
    return saved


def _deliver(feed: Feed, posts: list[FeedPost], *, now: dt.datetime) -> int:
    """Puts new posts into the queues of subscribers who want them: the newest first, at most each
    subscription's daily cap in 24 hours, so a flood (or a new feed's backlog) does not bury the plan.
    Four queries whatever the number of subscribers."""
    if not posts:
        return 0
    subscribers = dict(
        FeedSubscription.objects.filter(feed=feed, add_to_reading_queue=True).values_list("user_id", "daily_cap")
    )
    if not subscribers:
        return 0
    recent = dict(
        ReadingQueueEntry.objects.filter(post__feed=feed, user_id__in=subscribers, added_at__gte=now - QUEUE_WINDOW)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    tops = dict(
        ReadingQueueEntry.objects.filter(user_id__in=subscribers)
        .values("user_id")
        .annotate(m=Max("position"))
        .values_list("user_id", "m")
    )
    newest = sorted(posts, key=lambda p: (p.published_at or now, p.pk), reverse=True)
    entries = []
    for user_id, cap in subscribers.items():
        room = max(cap - recent.get(user_id, 0), 0)
        position = tops.get(user_id) or 0
        for post in reversed(newest[:room]):  # the older of the chosen posts comes first in the queue
            position += 1
            entries.append(
                ReadingQueueEntry(user_id=user_id, post=post, title=post.title[:300], url=post.url, position=position)
            )
    ReadingQueueEntry.objects.bulk_create(entries, ignore_conflicts=True, batch_size=500)
    learner_states_bump(user_ids={entry.user_id for entry in entries})
    return len(entries)


def feed_gone_notify(*, feed_id: int) -> int:
    """E-mails the subscribers of a feed that answered 410 Gone; returns how many were told."""
    feed = Feed.objects.filter(pk=feed_id, status=FeedStatus.GONE).first()
    if feed is None:
        return 0
    emails = list(
        FeedSubscription.objects.filter(feed=feed)
        .exclude(user__email="")
        .filter(verified_email_exists("user"))  # only addresses their owners verified
        .values_list("user__email", flat=True)
    )
    subject = f"A feed you follow is gone: {feed}"
    body = (
        f'The feed {feed.url} answered "410 Gone": its publisher removed it for good, so Brainqueue no longer '
        "fetches it. Posts already in your reading queue stay. If the blog moved, follow its new address; "
        "otherwise you can unfollow this feed.\n"
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in emails]
    return send_mass_mail(messages, fail_silently=False) if messages else 0
