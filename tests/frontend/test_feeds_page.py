"""The Feeds page: follow a blog by its feed or site address (discovered on a local test server, never the
internet), curated feeds in one click, the inline switch and daily cap, unsubscribe, recent posts into the
reading queue, OPML in and out; the Reading page names the feed an entry came from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import FeedFactory, FeedPostFactory, FeedSubscriptionFactory, UserFactory
from tests.tracker.feeds.server import HTML_PLAIN, HTML_WITH_ALTERNATE, FeedServer, Reply, rss2_posts
from tracker.models import Feed, FeedSubscription, ReadingQueueEntry
from tracker.services.feeds import feed_post_queue

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
OPML = b"""<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
<outline text="AI"><outline type="rss" text="One" xmlUrl="https://one.example.org/feed" htmlUrl="https://one.example.org/"/>
<outline type="rss" text="Two" xmlUrl="https://two.example.org/atom.xml"/></outline></body></opml>"""


@pytest.fixture(scope="module")
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def local_feeds(settings, feed_server: FeedServer) -> FeedServer:
    """Lets the fetcher reach the local server only, with short timeouts (tests/tracker/feeds/conftest.py)."""
    feed_server.reset()
    settings.FEEDS_CONNECT_TIMEOUT = 1.0
    settings.FEEDS_TOTAL_TIMEOUT = 2.0
    settings.FEEDS_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1", "localhost"]
    return feed_server


def following(learner, n_feeds: int = 3, n_posts: int = 4):
    """Feeds the learner follows, each with posts, one failing and one gone."""
    now = timezone.now()
    subs = []
    for n in range(n_feeds):
        feed = FeedFactory(
            title=f"Blog {n}", site_url=f"https://blog{n}.example.org/", last_fetch_at=now, last_success_at=now
        )
        subs.append(FeedSubscriptionFactory(user=learner, feed=feed))
        for i in range(n_posts):
            FeedPostFactory(
                feed=feed,
                title=f"Blog {n} post {i}",
                summary_html=f"<p>About <strong>thing {i}</strong></p>",
                published_at=now - dt.timedelta(days=i, hours=n),
            )
    return subs


def test_the_page_shows_feeds_their_health_posts_and_curated_ones(learner_client):
    learner, client = learner_client
    subs = following(learner)
    Feed.objects.filter(pk=subs[1].feed_id).update(
        status=Feed.Status.ERROR, error_count=3, last_error="HTTP 503 from the server"
    )
    Feed.objects.filter(pk=subs[2].feed_id).update(status=Feed.Status.GONE, gone_at=timezone.now())
    FeedFactory(title="PyTorch Blog", is_curated=True, curated_slug="pytorch-blog")
    FeedFactory(title="Mine already", is_curated=True, curated_slug="mine").subscriptions.create(user=learner)

    page = client.get(reverse("frontend:feeds")).content.decode()

    assert 'href="/feeds/" aria-current="page">Feeds</a>' in page
    assert "Blog 0" in page and "Checked" in page and "4 posts" in page
    assert "Failing" in page and "The last 3 fetches failed" in page and "HTTP 503 from the server" in page
    assert "Gone since" in page
    assert "Blog 1 post 0" in page and "Add to reading queue" in page
    # Sanitised summaries are shown as HTML, everything else escaped.
    assert "<p>About <strong>thing 0</strong></p>" in page
    assert 'id="follow-pytorch-blog"' in page and 'id="follow-mine"' not in page and "Following" in page
    assert reverse("frontend:feed-opml-export") in page


def test_the_page_costs_a_fixed_number_of_queries(learner_client, django_assert_max_num_queries):
    learner, client = learner_client
    following(learner, n_feeds=2, n_posts=2)
    with django_assert_max_num_queries(5):
        small = client.get(reverse("frontend:feeds"))
    subs = following(learner, n_feeds=12, n_posts=30)
    for n in range(8):
        feed = FeedFactory(title=f"Curated {n}", is_curated=True, curated_slug=f"c{n}")
        FeedSubscriptionFactory(feed=feed)
    for sub in subs[:3]:
        feed_post_queue(user=learner, post=sub.feed.posts.first())
    # session, user, subscriptions with feed and counts, recent posts with feed and in_queue, curated feeds
    with django_assert_max_num_queries(5):
        large = client.get(reverse("frontend:feeds"))
    with django_assert_max_num_queries(5):
        one_feed = client.get(reverse("frontend:feeds"), {"feed": subs[0].feed_id})
    assert small.status_code == large.status_code == one_feed.status_code == 200
    assert large.content.decode().count('class="card feed-sub"') == 14
    assert "Recent posts of Blog 0" in one_feed.content.decode()


def test_following_a_site_finds_its_feed_and_queues_its_newest_posts(learner_client, local_feeds):
    learner, client = learner_client
    local_feeds.routes["/"] = Reply(HTML_WITH_ALTERNATE, headers={"Content-Type": "text/html"})
    local_feeds.routes["/rss2.xml"] = Reply(rss2_posts(5))
    response = client.post(
        reverse("frontend:feed-subscribe"), {"url": local_feeds.url("/"), "add_to_reading_queue": "on"}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="feeds">')
    assert "You follow “Test blog”." in body and "5 posts" in body
    subscription = FeedSubscription.objects.get(user=learner)
    assert subscription.feed.url == local_feeds.url("/rss2.xml") and subscription.add_to_reading_queue
    assert ReadingQueueEntry.objects.filter(user=learner, post__isnull=False).count() == 3  # the daily cap


def test_following_without_queueing_keeps_the_queue_empty(learner_client, local_feeds):
    learner, client = learner_client
    local_feeds.routes["/rss2.xml"] = Reply(rss2_posts(2))
    response = client.post(reverse("frontend:feed-subscribe"), {"url": local_feeds.url("/rss2.xml")})
    assert response.status_code == 302
    assert not FeedSubscription.objects.get(user=learner).add_to_reading_queue
    assert not ReadingQueueEntry.objects.filter(user=learner).exists()


def test_a_page_without_a_feed_is_explained_next_to_the_address(learner_client, local_feeds):
    learner, client = learner_client
    local_feeds.routes["/"] = Reply(HTML_PLAIN, headers={"Content-Type": "text/html"})
    body = client.post(reverse("frontend:feed-subscribe"), {"url": local_feeds.url("/")}, **HTMX).content.decode()
    assert 'id="id_url_errors"' in body and "No feed found at" in body and "/rss.xml" in body
    assert not FeedSubscription.objects.filter(user=learner).exists()


def test_a_private_address_is_refused_and_never_fetched(learner_client, feed_server, settings):
    _, client = learner_client
    feed_server.reset()
    settings.FEEDS_ALLOWED_PRIVATE_HOSTS = []
    feed_server.routes["/rss2.xml"] = Reply(rss2_posts(1))
    response = client.post(reverse("frontend:feed-subscribe"), {"url": feed_server.url("/rss2.xml")}, follow=True)
    page = response.content.decode()
    assert "Not subscribed." in page and "not a public address" in page
    assert feed_server.hits["/rss2.xml"] == 0 and not Feed.objects.exists()


@pytest.mark.parametrize("url", ["", "ftp://example.org/feed"])
def test_an_address_that_is_not_a_web_address_is_explained(learner_client, url):
    _, client = learner_client
    body = client.post(reverse("frontend:feed-subscribe"), {"url": url}, **HTMX).content.decode()
    assert "This field is required." in body or "is not a web address" in body
    assert not FeedSubscription.objects.exists()


def test_a_curated_feed_is_followed_with_one_click(learner_client):
    learner, client = learner_client
    feed = FeedFactory(title="NVIDIA Technical Blog", is_curated=True, curated_slug="nvidia-technical-blog")
    body = client.post(reverse("frontend:feed-follow", args=["nvidia-technical-blog"]), **HTMX).content.decode()
    assert "You follow “NVIDIA Technical Blog”." in body and 'id="follow-nvidia-technical-blog"' not in body
    assert FeedSubscription.objects.filter(user=learner, feed=feed).exists()
    assert client.post(reverse("frontend:feed-follow", args=["no-such-feed"])).status_code == 404


def test_the_switch_and_daily_cap_change_inline(learner_client):
    learner, client = learner_client
    (sub,) = following(learner, n_feeds=1, n_posts=1)
    response = client.post(reverse("frontend:feed-edit", args=[sub.pk]), {"daily_cap": "1"}, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li class="card feed-sub" id="feed-{sub.pk}"')
    assert "new posts stay here and do not join your queue" in body and 'value="1"' in body
    sub.refresh_from_db()
    assert (sub.add_to_reading_queue, sub.daily_cap) == (False, 1)

    body = client.post(
        reverse("frontend:feed-edit", args=[sub.pk]), {"daily_cap": "5", "add_to_reading_queue": "on"}, **HTMX
    ).content.decode()
    assert "at most 5 new posts a day join your queue" in body
    sub.refresh_from_db()
    assert (sub.add_to_reading_queue, sub.daily_cap) == (True, 5)


@pytest.mark.parametrize("cap", ["0", "51", "many"])
def test_a_bad_daily_cap_is_explained_and_changes_nothing(learner_client, cap):
    learner, client = learner_client
    (sub,) = following(learner, n_feeds=1, n_posts=0)
    page = client.post(reverse("frontend:feed-edit", args=[sub.pk]), {"daily_cap": cap}, follow=True).content.decode()
    assert "Nothing was changed: the daily limit is a number from 1 to 50." in page
    sub.refresh_from_db()
    assert (sub.add_to_reading_queue, sub.daily_cap) == (True, 3)


def test_unsubscribing_keeps_the_queued_posts(learner_client):
    learner, client = learner_client
    (sub,) = following(learner, n_feeds=1, n_posts=2)
    entry, _ = feed_post_queue(user=learner, post=sub.feed.posts.first())
    body = client.post(reverse("frontend:feed-unsubscribe", args=[sub.pk]), **HTMX).content.decode()
    assert "You no longer follow “Blog 0”." in body and "You follow no blogs yet." in body
    assert not FeedSubscription.objects.filter(pk=sub.pk).exists()
    assert ReadingQueueEntry.objects.filter(pk=entry.pk).exists()


def test_another_learners_subscription_and_posts_are_not_found(learner_client):
    _, client = learner_client
    (theirs,) = following(UserFactory(), n_feeds=1, n_posts=1)
    post = theirs.feed.posts.get()
    assert client.post(reverse("frontend:feed-edit", args=[theirs.pk]), {"daily_cap": "9"}).status_code == 404
    assert client.post(reverse("frontend:feed-unsubscribe", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("frontend:feed-post-queue", args=[post.pk])).status_code == 404
    assert FeedSubscription.objects.filter(pk=theirs.pk, daily_cap=3).exists()
    assert not ReadingQueueEntry.objects.exists()
    assert "Blog 0 post" not in client.get(reverse("frontend:feeds"), {"feed": theirs.feed_id}).content.decode()


def test_a_post_joins_the_reading_queue_and_the_reading_page_names_its_feed(learner_client):
    learner, client = learner_client
    (sub,) = following(learner, n_feeds=1, n_posts=2)
    post = sub.feed.posts.order_by("-published_at").first()
    response = client.post(reverse("frontend:feed-post-queue", args=[post.pk]), {"feed": sub.feed_id}, **HTMX)
    body = response.content.decode()
    assert f"“{post.title}” is in your reading queue." in body
    assert f'id="queue-post-{post.pk}"' not in body and "In your queue" in body
    assert ReadingQueueEntry.objects.filter(user=learner, post=post).count() == 1

    reading = client.get(reverse("frontend:reading")).content.decode()
    assert post.title in reading and "from Blog 0" in reading


def test_a_javascript_site_address_never_becomes_a_link(learner_client):
    learner, client = learner_client
    feed = FeedFactory(title="Sneaky", site_url="javascript:alert(1)")
    FeedSubscriptionFactory(user=learner, feed=feed)
    FeedPostFactory(feed=feed, summary_html="<p>ok</p>")
    page = client.get(reverse("frontend:feeds")).content.decode()
    assert "Sneaky" in page and "javascript:" not in page


def test_opml_import_reports_and_export_downloads(learner_client):
    learner, client = learner_client
    FeedSubscriptionFactory(user=learner, feed=FeedFactory(url="https://two.example.org/atom.xml", title="Two"))
    upload = SimpleUploadedFile("feeds.opml", OPML, content_type="text/x-opml")
    response = client.post(reverse("frontend:feed-opml-import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "OPML imported" in page and "You now follow 1 more feed." in page and "1 you followed already." in page
    assert FeedSubscription.objects.filter(user=learner).count() == 2

    download = client.get(reverse("frontend:feed-opml-export"))
    assert download["Content-Type"].startswith("text/x-opml")
    assert 'filename="brainqueue-feeds.opml"' in download["Content-Disposition"]
    text = download.content.decode()
    assert "https://one.example.org/feed" in text and "https://two.example.org/atom.xml" in text


def test_a_file_that_is_not_opml_imports_nothing(learner_client):
    learner, client = learner_client
    upload = SimpleUploadedFile("feeds.opml", b"<html><body>hi</body></html>", content_type="text/x-opml")
    response = client.post(reverse("frontend:feed-opml-import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported." in page and "not OPML" in page
    assert not FeedSubscription.objects.filter(user=learner).exists()


def test_the_page_speaks_chinese(learner_client, compiled_messages):
    if not compiled_messages:
        pytest.skip("needs gettext's msgfmt to compile locale/zh_Hans")
    learner, client = learner_client
    following(learner, n_feeds=1, n_posts=1)
    FeedFactory(title="PyTorch Blog", is_curated=True, curated_slug="pytorch-blog")
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("frontend:feeds")).content.decode()
    assert "博客订阅" in page and "加入阅读队列" in page and "精选订阅源" in page and "关注" in page


def test_the_feeds_page_needs_a_sign_in(client):
    response = client.get(reverse("frontend:feeds"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
