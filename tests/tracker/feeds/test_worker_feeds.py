"""End to end: beat's dispatcher task and the fetch batches run in a real Celery worker on the real Redis
broker, fetch from the local server into the real PostgreSQL, twice; the second round creates nothing."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from tests.factories import FeedFactory, FeedSubscriptionFactory
from tests.tracker.feeds.server import FeedServer, Reply, rss2_posts
from tests.workers import start_worker, stop_worker, wait_for, worker_env
from tracker.models import Feed, FeedPost, ReadingQueueEntry
from tracker.tasks import feeds_dispatch

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_fetches_feeds_twice_and_the_second_round_adds_nothing(
    postgres: None, redis_url: str, feed_server: FeedServer
):
    queue = f"test-feeds-{uuid.uuid4().hex[:8]}"  # its own queue: never eats anyone else's tasks
    feeds = []
    for n in range(3):
        feed_server.routes[f"/e2e-{n}.xml"] = Reply(rss2_posts(4, prefix=f"f{n}"), etag=f'"e2e-{n}"')
        feed = FeedFactory(url=feed_server.url(f"/e2e-{n}.xml"), next_fetch_at=timezone.now())
        FeedSubscriptionFactory(feed=feed)
        feeds.append(feed)
    env = worker_env(
        redis_url,
        FEEDS_QUEUE=queue,  # where the worker's dispatcher routes the fetch batches
        FEEDS_ALLOWED_PRIVATE_HOSTS="127.0.0.1",
        FEEDS_TOTAL_TIMEOUT="5",
    )
    worker = start_worker(queue, env)
    ids = [f.pk for f in feeds]
    try:
        feeds_dispatch.apply_async(queue=queue)
        wait_for(
            lambda: Feed.objects.filter(pk__in=ids, last_status_code=200, claimed_until__isnull=True).count() == 3,
            worker,
            "fetch the three feeds",
        )
        assert FeedPost.objects.count() == 12
        assert ReadingQueueEntry.objects.count() == 9  # three subscribers, three posts each (the daily cap)
        assert sum(feed_server.hits.values()) == 3

        Feed.objects.filter(pk__in=ids).update(next_fetch_at=timezone.now())
        feeds_dispatch.apply_async(queue=queue)
        wait_for(
            lambda: Feed.objects.filter(pk__in=ids, last_status_code=304, claimed_until__isnull=True).count() == 3,
            worker,
            "fetch them again",
        )
        assert FeedPost.objects.count() == 12 and ReadingQueueEntry.objects.count() == 9
        sent = [headers for path, headers in feed_server.requests if path.startswith("/e2e-")]
        assert len(sent) == 6 and all(h.get("If-None-Match", "").startswith('"e2e-') for h in sent[3:])
    finally:
        output = stop_worker(worker)
    assert "tracker.tasks.feeds_fetch_batch" in output and "succeeded" in output
