"""Every fetch a worker stores is counted by its outcome: ok, not modified, gone and each kind of error."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import FeedFactory
from tests.metrics_support import value
from tests.tracker.feeds.server import FeedServer, Reply, rss2_posts
from tracker.models import Feed
from tracker.services import feeds as svc

pytestmark = pytest.mark.django_db

OUTCOMES = ("ok", "not_modified", "gone", "throttled", "http_error", "refused")


def fetch_all(feeds: list[Feed]) -> list[str]:
    Feed.objects.filter(pk__in=[f.pk for f in feeds]).update(next_fetch_at=timezone.now(), claimed_until=None)
    svc.feeds_claim_due()
    return sorted(o.outcome for o in svc.feeds_fetch(feed_ids=[f.pk for f in feeds]))


def test_each_fetch_is_counted_by_its_outcome(feed_server: FeedServer, local_feeds, settings) -> None:
    feed_server.routes["/ok.xml"] = Reply(rss2_posts(2), etag='"v1"')
    feed_server.routes["/gone.xml"] = Reply(b"", status=410)
    feed_server.routes["/busy.xml"] = Reply(b"", status=503)
    feed_server.routes["/broken.xml"] = Reply(b"oops", status=500)
    ok = FeedFactory(url=feed_server.url("/ok.xml"))
    others = [FeedFactory(url=feed_server.url(p)) for p in ("/gone.xml", "/busy.xml", "/broken.xml")]
    refused = FeedFactory(url="http://10.0.0.1/feed.xml")  # a private address: the SSRF guard refuses it
    before = {outcome: value("brainqueue_feed_fetches_total", outcome=outcome) for outcome in OUTCOMES}

    assert fetch_all([ok, *others, refused]) == ["gone", "http_error", "ok", "refused", "throttled"]
    assert fetch_all([ok]) == ["not_modified"]  # the second fetch sends the ETag back

    after = {outcome: value("brainqueue_feed_fetches_total", outcome=outcome) for outcome in OUTCOMES}
    assert {outcome: after[outcome] - before[outcome] for outcome in OUTCOMES} == dict.fromkeys(OUTCOMES, 1)
