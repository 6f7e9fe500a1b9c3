"""The feed services against the local server and the database: subscribe, fetch, store, deliver, back off,
claim, OPML."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tests.factories import FeedFactory, FeedPostFactory, FeedSubscriptionFactory, UserFactory
from tests.tracker.feeds.server import HTML_WITH_ALTERNATE, FeedServer, Reply, redirect, rss2_posts
from tracker.models import Feed, FeedPost, ReadingQueueEntry
from tracker.selectors.feeds import curated_feeds, feed_posts_for, feed_subscriptions_of, reading_entries_with_posts
from tracker.services import feeds as svc
from tracker.tasks import feeds_fetch_batch

pytestmark = pytest.mark.django_db


def fetch_now(feed: Feed) -> svc.FeedFetchOutcome:
    """What the dispatcher and a worker do for one feed: claim it (due now) and fetch it."""
    Feed.objects.filter(pk=feed.pk).update(next_fetch_at=timezone.now(), claimed_until=None)
    assert feed.pk in svc.feeds_claim_due()
    (outcome,) = svc.feeds_fetch(feed_ids=[feed.pk])
    feed.refresh_from_db()
    return outcome


def queue_titles(user) -> list[str]:  # type: ignore[no-untyped-def]
    return list(ReadingQueueEntry.objects.filter(user=user).order_by("position").values_list("title", flat=True))


def test_subscribing_to_a_site_finds_its_feed_and_queues_only_the_newest_posts(feed_server: FeedServer, local_feeds):
    feed_server.routes["/"] = Reply(HTML_WITH_ALTERNATE, headers={"Content-Type": "text/html"})
    feed_server.routes["/rss2.xml"] = Reply(rss2_posts(5), etag='"a"')
    user = UserFactory()
    subscription, created = svc.feed_subscribe(user=user, url=feed_server.url("/"))
    assert created
    feed = Feed.objects.get(pk=subscription.feed_id)
    assert feed.url == feed_server.url("/rss2.xml")
    assert feed.title == "Test blog" and feed.etag == '"a"' and feed.status == Feed.Status.ACTIVE
    assert FeedPost.objects.filter(feed=feed).count() == 5
    # The daily cap (3) keeps a new feed's backlog from burying the plan: the three newest, oldest first.
    assert queue_titles(user) == ["post 2", "post 3", "post 4"]
    assert feed.next_fetch_at > timezone.now()


def test_subscribing_with_the_default_setting_never_fetches_a_private_address(feed_server: FeedServer, fast_feeds):
    feed_server.routes["/rss2.xml"] = Reply(rss2_posts(1))
    with pytest.raises(svc.FeedError, match="not a public address"):
        svc.feed_subscribe(user=UserFactory(), url=feed_server.url("/rss2.xml"))
    assert feed_server.hits["/rss2.xml"] == 0
    assert not Feed.objects.exists()


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "javascript:alert(1)", ""])
def test_subscribing_needs_a_web_address(url: str):
    with pytest.raises(svc.FeedError, match="web address"):
        svc.feed_subscribe(user=UserFactory(), url=url)


def test_a_known_feed_is_followed_without_fetching(feed_server: FeedServer, local_feeds):
    feed = FeedFactory(url=feed_server.url("/known.xml"))
    user = UserFactory()
    subscription, created = svc.feed_subscribe(user=user, url=feed.url)
    assert subscription.feed == feed and created
    assert svc.feed_subscribe(user=user, url=feed.url) == (subscription, False)
    assert feed_server.hits["/known.xml"] == 0


def test_a_second_round_is_a_304_and_creates_nothing(feed_server: FeedServer, local_feeds):
    feed_server.routes["/f.xml"] = Reply(rss2_posts(4), etag='"v1"')
    feed = FeedFactory(url=feed_server.url("/f.xml"))
    FeedSubscriptionFactory(feed=feed)
    first = fetch_now(feed)
    assert (first.outcome, first.new_posts, first.queued) == ("ok", 4, 3)
    counts = (FeedPost.objects.count(), ReadingQueueEntry.objects.count())
    second = fetch_now(feed)
    assert (second.outcome, second.new_posts) == ("not_modified", 0)
    assert (FeedPost.objects.count(), ReadingQueueEntry.objects.count()) == counts
    assert feed.last_status_code == 304 and feed.error_count == 0 and feed.claimed_until is None


def test_a_refetch_without_validators_creates_no_duplicates(feed_server: FeedServer, local_feeds):
    feed_server.routes["/plain.xml"] = Reply(rss2_posts(3))
    feed = FeedFactory(url=feed_server.url("/plain.xml"))
    fetch_now(feed)
    assert fetch_now(feed).new_posts == 0
    assert FeedPost.objects.filter(feed=feed).count() == 3


def test_at_most_the_daily_cap_of_posts_joins_a_queue_in_24_hours(feed_server: FeedServer, local_feeds):
    feed = FeedFactory(url=feed_server.url("/flood.xml"))
    subscription = FeedSubscriptionFactory(feed=feed, daily_cap=2)
    with time_machine.travel(dt.datetime(2025, 7, 1, 8, tzinfo=dt.UTC), tick=True):
        feed_server.routes["/flood.xml"] = Reply(rss2_posts(3, prefix="a"))
        assert fetch_now(feed).queued == 2
        feed_server.routes["/flood.xml"] = Reply(rss2_posts(3, prefix="b"))
        assert fetch_now(feed).queued == 0  # same day: the cap is spent
    with time_machine.travel(dt.datetime(2025, 7, 2, 9, tzinfo=dt.UTC), tick=True):
        feed_server.routes["/flood.xml"] = Reply(rss2_posts(3, prefix="c"))
        assert fetch_now(feed).queued == 2
    assert ReadingQueueEntry.objects.filter(user=subscription.user).count() == 4


def test_with_the_switch_off_posts_are_stored_but_not_queued(feed_server: FeedServer, local_feeds):
    feed_server.routes["/off.xml"] = Reply(rss2_posts(2))
    feed = FeedFactory(url=feed_server.url("/off.xml"))
    subscription = FeedSubscriptionFactory(feed=feed)
    svc.feed_subscription_update(subscription=subscription, add_to_reading_queue=False)
    outcome = fetch_now(feed)
    assert (outcome.new_posts, outcome.queued) == (2, 0)
    post = FeedPost.objects.filter(feed=feed).first()
    assert post is not None
    entry, created = svc.feed_post_queue(user=subscription.user, post=post)  # by hand, still possible
    assert entry.post == post and created
    assert svc.feed_post_queue(user=subscription.user, post=post) == (entry, False)


def test_a_deleted_post_never_comes_back(feed_server: FeedServer, local_feeds):
    feed_server.routes["/del.xml"] = Reply(rss2_posts(2))
    feed = FeedFactory(url=feed_server.url("/del.xml"))
    subscription = FeedSubscriptionFactory(feed=feed)
    fetch_now(feed)
    post = FeedPost.objects.get(feed=feed, title="post 0")
    svc.feed_post_delete(post=post)
    assert not ReadingQueueEntry.objects.filter(post=post).exists()
    assert fetch_now(feed).new_posts == 0
    assert FeedPost.objects.filter(feed=feed).count() == 2
    assert list(feed_posts_for(user=subscription.user).values_list("title", flat=True)) == ["post 1"]


def test_429_waits_at_least_retry_after_and_counts_an_error(feed_server: FeedServer, local_feeds):
    feed_server.routes["/busy.xml"] = Reply(b"", status=429, headers={"Retry-After": "7200"})
    feed = FeedFactory(url=feed_server.url("/busy.xml"))
    before = timezone.now()
    fetch_now(feed)
    assert feed.status == Feed.Status.ERROR and feed.error_count == 1 and feed.last_status_code == 429
    assert feed.next_fetch_at >= before + dt.timedelta(hours=2)


def test_errors_back_off_and_never_beyond_seven_days(feed_server: FeedServer, local_feeds):
    feed = FeedFactory(url=feed_server.url("/missing.xml"), error_count=10_000)
    before = timezone.now()
    fetch_now(feed)
    assert feed.error_count == 10_001 and "404" in feed.last_error
    assert before + dt.timedelta(days=6) < feed.next_fetch_at <= timezone.now() + dt.timedelta(days=7)
    assert feed.status == Feed.Status.ERROR  # still retried, never given up


def test_success_after_errors_resets_the_count_and_honours_max_age(feed_server: FeedServer, local_feeds):
    feed_server.routes["/back.xml"] = Reply(rss2_posts(1), headers={"Cache-Control": "max-age=14400"})
    feed = FeedFactory(url=feed_server.url("/back.xml"), error_count=4, status=Feed.Status.ERROR)
    before = timezone.now()
    fetch_now(feed)
    assert feed.status == Feed.Status.ACTIVE and feed.error_count == 0 and feed.last_error == ""
    assert feed.next_fetch_at >= before + dt.timedelta(hours=4) * 0.9


def test_a_permanent_redirect_moves_the_url_after_it_is_seen_three_times(feed_server: FeedServer, local_feeds):
    feed_server.routes["/old.xml"] = redirect("/new.xml", 301)
    feed_server.routes["/new.xml"] = Reply(rss2_posts(1))
    feed = FeedFactory(url=feed_server.url("/old.xml"))
    fetch_now(feed)
    fetch_now(feed)
    assert feed.url == feed_server.url("/old.xml") and feed.redirect_count == 2
    fetch_now(feed)
    assert feed.url == feed_server.url("/new.xml") and feed.redirect_count == 0


def test_410_stops_the_feed_and_tells_its_subscribers(
    feed_server: FeedServer, local_feeds, django_capture_on_commit_callbacks
):
    feed_server.routes["/gone.xml"] = Reply(b"", status=410)
    feed = FeedFactory(url=feed_server.url("/gone.xml"))
    FeedSubscriptionFactory(feed=feed)
    FeedSubscriptionFactory(feed=feed)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fetch_now(feed)
    assert feed.status == Feed.Status.GONE and feed.gone_at is not None
    assert len(callbacks) == 1  # the notification task, sent once the transaction commits
    assert svc.feeds_claim_due(now=timezone.now() + dt.timedelta(days=30)) == []
    assert svc.feed_gone_notify(feed_id=feed.pk) == 2
    assert "410 Gone" in mail.outbox[0].body and feed.url in mail.outbox[0].body
    assert feed_subscriptions_of(user=feed.subscriptions.first().user).get().feed.status == "gone"


def test_a_feed_paused_while_it_is_fetched_stays_paused(feed_server: FeedServer, local_feeds):
    feed_server.routes["/p.xml"] = Reply(rss2_posts(1))
    feed = FeedFactory(url=feed_server.url("/p.xml"))
    Feed.objects.filter(pk=feed.pk).update(claimed_until=timezone.now() + dt.timedelta(minutes=5))
    Feed.objects.filter(pk=feed.pk).update(status=Feed.Status.PAUSED)  # the curator, mid-fetch
    svc.feeds_fetch(feed_ids=[feed.pk])
    feed.refresh_from_db()
    assert feed.status == Feed.Status.PAUSED and feed.last_status_code == 200


def test_a_lost_feed_is_found_again_on_its_site(feed_server: FeedServer, local_feeds):
    feed_server.routes["/"] = Reply(HTML_WITH_ALTERNATE, headers={"Content-Type": "text/html"})
    feed_server.routes["/rss2.xml"] = Reply(rss2_posts(2))
    feed = FeedFactory(url=feed_server.url("/feed-that-moved"), site_url=feed_server.url("/"))
    outcome = fetch_now(feed)
    assert outcome.new_posts == 2
    assert feed.url == feed_server.url("/rss2.xml") and feed.status == Feed.Status.ACTIVE


def test_claim_takes_only_due_unclaimed_fetchable_feeds_and_a_lapsed_lease_frees_a_feed():
    now = timezone.now()
    due = FeedFactory(next_fetch_at=now - dt.timedelta(minutes=1))
    soon = FeedFactory(next_fetch_at=now + dt.timedelta(minutes=1))
    FeedFactory(next_fetch_at=now - dt.timedelta(minutes=1), status=Feed.Status.GONE)
    FeedFactory(next_fetch_at=now - dt.timedelta(minutes=1), status=Feed.Status.PAUSED)
    held = FeedFactory(next_fetch_at=now - dt.timedelta(minutes=1), claimed_until=now + dt.timedelta(minutes=1))
    assert svc.feeds_claim_due(now=now) == [due.pk]
    assert svc.feeds_claim_due(now=now) == []
    later = now + dt.timedelta(minutes=11)  # both leases ran out (their workers died); `soon` is due
    assert sorted(svc.feeds_claim_due(now=later)) == sorted([due.pk, soon.pk, held.pk])


def test_a_fetch_of_a_feed_no_longer_claimed_is_skipped(feed_server: FeedServer, local_feeds):
    feed = FeedFactory(url=feed_server.url("/x.xml"))
    assert svc.feeds_fetch(feed_ids=[feed.pk]) == []  # e.g. a task delivered twice
    assert feed_server.hits["/x.xml"] == 0


def test_dispatch_enqueues_batches_after_commit(settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.FEEDS_BATCH_SIZE = 2
    feeds = [FeedFactory(next_fetch_at=timezone.now() - dt.timedelta(seconds=5)) for _ in range(5)]
    sent: list[list[int]] = []
    monkeypatch.setattr(feeds_fetch_batch, "delay", lambda ids: sent.append(ids))
    with django_capture_on_commit_callbacks(execute=True):
        assert svc.feeds_dispatch() == 5
    assert [len(batch) for batch in sent] == [2, 2, 1]
    assert sorted(i for batch in sent for i in batch) == sorted(f.pk for f in feeds)


def test_refresh_now_claims_once(monkeypatch, django_capture_on_commit_callbacks):
    feed = FeedFactory(next_fetch_at=timezone.now() + dt.timedelta(hours=1))
    monkeypatch.setattr(feeds_fetch_batch, "delay", lambda ids: None)
    with django_capture_on_commit_callbacks(execute=True):
        assert svc.feed_refresh(feed=feed) is True
        assert svc.feed_refresh(feed=feed) is False  # a fetch is already on its way


def test_the_fetch_task_runs_the_batch(feed_server: FeedServer, local_feeds):
    feed_server.routes["/t.xml"] = Reply(rss2_posts(2))
    feed = FeedFactory(url=feed_server.url("/t.xml"))
    svc.feeds_claim_due()
    feeds_fetch_batch(feed_ids=[feed.pk])
    assert FeedPost.objects.filter(feed=feed).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_never_claim_the_same_feed(postgres: None):
    FeedFactory.create_batch(300, next_fetch_at=timezone.now() - dt.timedelta(seconds=1))
    barrier = threading.Barrier(2)
    claimed: list[list[int]] = [[], []]

    def dispatcher(slot: int) -> None:
        try:
            barrier.wait()
            for _ in range(10):
                claimed[slot] += svc.feeds_claim_due(limit=40)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first, second = set(claimed[0]), set(claimed[1])
    assert not first & second
    assert len(claimed[0]) + len(claimed[1]) == 300 == len(first | second)
    assert first and second  # both really ran side by side


def test_opml_import_follows_each_feed_once_and_export_gives_them_back():
    user = UserFactory()
    existing = FeedFactory(url="https://oldpan.me/feed")
    data = (
        b'<opml version="2.0"><body><outline text="a" xmlUrl="https://oldpan.me/feed"/>'
        b'<outline text="NVIDIA" xmlUrl="https://developer.nvidia.com/blog/feed/"/></body></opml>'
    )
    report = svc.opml_import(user=user, data=data)
    assert (report.subscribed, report.feeds_created, report.already_subscribed) == (2, 1, 0)
    again = svc.opml_import(user=user, data=data)
    assert (again.subscribed, again.already_subscribed) == (0, 2)
    assert Feed.objects.count() == 2 and existing.subscriptions.count() == 1
    exported = svc.opml_export(user=user)
    assert b'xmlUrl="https://oldpan.me/feed"' in exported and b"developer.nvidia.com" in exported


def test_a_hostile_opml_file_changes_nothing():
    bomb = b'<!DOCTYPE opml [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><opml><body><outline xmlUrl="https://a.b/"/></body></opml>'
    with pytest.raises(svc.FeedError, match="DTD"):
        svc.opml_import(user=UserFactory(), data=bomb)
    assert not Feed.objects.exists()


def test_a_reading_entry_may_hold_a_post_and_a_post_is_queued_once_per_learner():
    subscription = FeedSubscriptionFactory()
    post = FeedPostFactory(feed=subscription.feed)
    ReadingQueueEntry.objects.create(user=subscription.user, post=post, position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadingQueueEntry.objects.create(user=subscription.user, post=post, position=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadingQueueEntry.objects.create(user=subscription.user, position=3)  # neither item, link nor post


def test_the_selectors_cost_one_query_each(django_assert_num_queries):
    user = UserFactory()
    for _ in range(3):
        subscription = FeedSubscriptionFactory(user=user)
        FeedPostFactory.create_batch(2, feed=subscription.feed)
        svc.feed_post_queue(user=user, post=subscription.feed.posts.first())
    # One query each: subscriptions joined to their feed with post counts; posts of followed feeds with
    # their feed and in_queue; curated feeds with is_subscribed; the queue with item, post and feed.
    with django_assert_num_queries(1):
        subs = list(feed_subscriptions_of(user=user))
        assert [s.post_count for s in subs] == [2, 2, 2] and all(s.feed.title for s in subs)
    with django_assert_num_queries(1):
        posts = list(feed_posts_for(user=user))
        assert len(posts) == 6 and sum(p.in_queue for p in posts) == 3 and all(p.feed.url for p in posts)
    with django_assert_num_queries(1):
        assert list(curated_feeds(user=user)) == []
    with django_assert_num_queries(1):
        assert all(e.post.feed.title for e in reading_entries_with_posts(user=user))
