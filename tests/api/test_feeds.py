"""/api/v1/feeds/…: subscribe by address (discovery on a local test server, never the internet), the switch
and daily cap, curated feeds, posts into the reading queue, OPML; and reading entries that name their feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import (
    FeedFactory,
    FeedPostFactory,
    FeedSubscriptionFactory,
    ItemFactory,
    ReadingQueueEntryFactory,
    UserFactory,
)
from tests.tracker.feeds.server import HTML_PLAIN, HTML_WITH_ALTERNATE, FeedServer, Reply, rss2_posts
from tracker.models import Feed, FeedSubscription, ReadingQueueEntry, User
from tracker.services.feeds import feed_post_queue

pytestmark = pytest.mark.django_db
OPML = b"""<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
<outline type="rss" text="One" xmlUrl="https://one.example.org/feed" htmlUrl="https://one.example.org/"/>
<outline type="rss" text="Two" xmlUrl="https://two.example.org/atom.xml"/></body></opml>"""


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


def message(problem: dict[str, object]) -> str:
    """The service's explanation, carried as the problem's `non_field_errors` entry."""
    return " ".join(str(e["message"]) for e in problem["errors"] if e["field"] == "non_field_errors")  # type: ignore[attr-defined,index]


def follow(user: User, title: str = "Blog", n_posts: int = 2) -> FeedSubscription:
    now = timezone.now()
    feed = FeedFactory(title=title, site_url="https://blog.example.org/", last_fetch_at=now, last_success_at=now)
    for i in range(n_posts):
        FeedPostFactory(feed=feed, title=f"{title} post {i}", published_at=now - dt.timedelta(days=i))
    subscription: FeedSubscription = FeedSubscriptionFactory(user=user, feed=feed)
    return subscription


def test_subscribing_to_a_site_discovers_its_feed(api: APIClient, learner: User, local_feeds: FeedServer):
    local_feeds.routes["/"] = Reply(HTML_WITH_ALTERNATE, headers={"Content-Type": "text/html"})
    local_feeds.routes["/rss2.xml"] = Reply(rss2_posts(5))
    headers = {"HTTP_IDEMPOTENCY_KEY": "sub-1"}
    response = api.post("/api/v1/feeds/", {"url": local_feeds.url("/"), "daily_cap": 2}, format="json", **headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/v1/feeds/{body['id']}/" and response["ETag"]
    assert body["feed"]["url"] == local_feeds.url("/rss2.xml") and body["feed"]["title"] == "Test blog"
    assert body["feed"]["status"] == "active" and body["feed"]["last_success_at"]
    assert (body["add_to_reading_queue"], body["daily_cap"], body["post_count"]) == (True, 2, 5)
    assert ReadingQueueEntry.objects.filter(user=learner, post__isnull=False).count() == 2

    replay = api.post("/api/v1/feeds/", {"url": local_feeds.url("/"), "daily_cap": 2}, format="json", **headers)
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true" and replay.json() == body
    again = api.post("/api/v1/feeds/", {"url": local_feeds.url("/rss2.xml")}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert local_feeds.hits["/rss2.xml"] == 1  # a feed someone follows is not fetched again
    assert FeedSubscription.objects.filter(user=learner).count() == 1


def test_an_address_without_a_feed_is_a_problem_that_says_why(api: APIClient, local_feeds: FeedServer):
    local_feeds.routes["/"] = Reply(HTML_PLAIN, headers={"Content-Type": "text/html"})
    response = api.post("/api/v1/feeds/", {"url": local_feeds.url("/")}, format="json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert "No feed found at" in message(response.json())
    assert not Feed.objects.exists()


def test_a_private_address_is_refused_without_a_fetch(api: APIClient, feed_server: FeedServer, settings):
    feed_server.reset()
    settings.FEEDS_ALLOWED_PRIVATE_HOSTS = []
    feed_server.routes["/rss2.xml"] = Reply(rss2_posts(1))
    response = api.post("/api/v1/feeds/", {"url": feed_server.url("/rss2.xml")}, format="json")
    assert response.status_code == 400 and "not a public address" in message(response.json())
    assert feed_server.hits["/rss2.xml"] == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"url": "ftp://example.org/feed"}, "non_field_errors"), ({"url": "x.org", "daily_cap": 0}, "daily_cap")],
)
def test_bad_subscriptions_are_400_problems(api: APIClient, payload: dict[str, object], field: str):
    response = api.post("/api/v1/feeds/", payload, format="json")
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]


def test_the_list_shows_the_learners_subscriptions_with_their_health(api: APIClient, learner: User):
    mine = follow(learner, "Mine", n_posts=3)
    Feed.objects.filter(pk=mine.feed_id).update(status="error", error_count=2, last_error="HTTP 503")
    follow(UserFactory(), "Theirs")
    body = api.get("/api/v1/feeds/").json()
    assert body["count"] == 1 and body["next"] is None
    (row,) = body["results"]
    assert row["id"] == mine.pk and row["post_count"] == 3 and row["latest_post_at"]
    assert row["feed"]["status"] == "error" and row["feed"]["error_count"] == 2
    assert row["feed"]["last_error"] == "HTTP 503"
    follow(learner, "Busier", n_posts=5)
    ordered = api.get("/api/v1/feeds/", {"ordering": "-post_count"}).json()["results"]
    assert [r["post_count"] for r in ordered] == [5, 3]


def test_a_subscription_is_read_changed_with_if_match_and_deleted(api: APIClient, learner: User):
    subscription = follow(learner)
    url = f"/api/v1/feeds/{subscription.pk}/"
    first = api.get(url)
    assert first.status_code == 200 and api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    changed = api.patch(
        url, {"add_to_reading_queue": False, "daily_cap": 7}, format="json", HTTP_IF_MATCH=first["ETag"]
    )
    assert changed.status_code == 200
    assert (changed.json()["add_to_reading_queue"], changed.json()["daily_cap"]) == (False, 7)
    stale = api.patch(url, {"daily_cap": 1}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert stale.status_code == 412
    assert api.patch(url, {"daily_cap": 51}, format="json").status_code == 400
    subscription.refresh_from_db()
    assert (subscription.add_to_reading_queue, subscription.daily_cap) == (False, 7)

    entry, _ = feed_post_queue(user=learner, post=subscription.feed.posts.first())
    assert api.delete(url).status_code == 204
    assert not FeedSubscription.objects.filter(pk=subscription.pk).exists()
    assert ReadingQueueEntry.objects.filter(pk=entry.pk).exists()  # queued posts stay
    assert api.get(url).status_code == 404


def test_curated_feeds_say_whether_you_follow_them_and_follow_in_one_call(api: APIClient, learner: User):
    FeedFactory(title="A curated", is_curated=True, curated_slug="a-curated", site_url="https://a.example.org/")
    FeedFactory(title="Not curated")
    body = api.get("/api/v1/feeds/curated/").json()
    assert [(f["slug"], f["is_subscribed"], f["subscriber_count"]) for f in body["results"]] == [
        ("a-curated", False, 0)
    ]
    followed = api.post("/api/v1/feeds/curated/a-curated/follow/")
    assert followed.status_code == 201 and followed.json()["feed"]["title"] == "A curated"
    assert followed["Location"] == f"/api/v1/feeds/{followed.json()['id']}/"
    assert api.post("/api/v1/feeds/curated/a-curated/follow/").status_code == 200
    assert api.get("/api/v1/feeds/curated/").json()["results"][0]["is_subscribed"] is True
    assert api.post("/api/v1/feeds/curated/nope/follow/").status_code == 404


def test_posts_of_followed_feeds_filter_by_feed_and_join_the_queue(api: APIClient, learner: User):
    a, b = follow(learner, "A", n_posts=2), follow(learner, "B", n_posts=3)
    theirs = follow(UserFactory(), "Theirs", n_posts=1)
    body = api.get("/api/v1/feeds/posts/").json()
    assert body["count"] == 5 and {p["feed"]["title"] for p in body["results"]} == {"A", "B"}
    assert api.get("/api/v1/feeds/posts/", {"feed": a.feed_id}).json()["count"] == 2
    assert api.get("/api/v1/feeds/posts/", {"feed": theirs.feed_id}).json()["count"] == 0

    post = b.feed.posts.order_by("-published_at").first()
    queued = api.post(f"/api/v1/feeds/posts/{post.pk}/queue/", HTTP_IDEMPOTENCY_KEY="q-1")
    assert queued.status_code == 201, queued.content
    entry = queued.json()
    assert queued["Location"] == f"/api/v1/reading/{entry['id']}/"
    assert entry["post"]["id"] == post.pk and entry["post"]["feed"]["title"] == "B" and entry["title"] == post.title
    assert api.post(f"/api/v1/feeds/posts/{post.pk}/queue/").status_code == 200
    assert api.get("/api/v1/feeds/posts/", {"in_queue": "true"}).json()["count"] == 1

    other = theirs.feed.posts.get()
    assert api.post(f"/api/v1/feeds/posts/{other.pk}/queue/").status_code == 404
    assert ReadingQueueEntry.objects.filter(user=learner).count() == 1


def test_reading_entries_name_the_post_and_feed_they_came_from(api: APIClient, learner: User):
    subscription = follow(learner, "Oldpan")
    entry, _ = feed_post_queue(user=learner, post=subscription.feed.posts.first())
    ReadingQueueEntryFactory(user=learner, item=ItemFactory())
    rows = {row["id"]: row for row in api.get("/api/v1/reading/").json()["results"]}
    assert rows[entry.pk]["post"]["feed"] == {
        "id": subscription.feed_id,
        "title": "Oldpan",
        "url": subscription.feed.url,
        "site_url": "https://blog.example.org/",
    }
    assert [row["post"] for row in rows.values() if row["id"] != entry.pk] == [None]
    assert api.get(f"/api/v1/reading/{entry.pk}/").json()["post"]["id"] == entry.post_id


def test_opml_export_and_import(api: APIClient, learner: User):
    follow(learner, "Mine")
    FeedFactory(url="https://two.example.org/atom.xml", title="Two").subscriptions.create(user=learner)
    upload = SimpleUploadedFile("feeds.opml", OPML, content_type="text/x-opml")
    response = api.post("/api/v1/feeds/opml/", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json() == {"subscribed": 1, "already_subscribed": 1, "feeds_created": 1, "skipped": []}

    exported = api.get("/api/v1/feeds/opml/")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/x-opml")
    assert 'filename="brainqueue-feeds.opml"' in exported["Content-Disposition"]
    text = exported.content.decode()
    assert all(u in text for u in ("https://one.example.org/feed", "https://two.example.org/atom.xml", "Mine"))


def test_a_file_that_is_not_opml_is_a_400_problem(api: APIClient, learner: User):
    upload = SimpleUploadedFile("feeds.opml", b"<rss/>", content_type="text/xml")
    response = api.post("/api/v1/feeds/opml/", {"file": upload}, format="multipart")
    assert response.status_code == 400 and "not OPML" in message(response.json())
    assert not FeedSubscription.objects.filter(user=learner).exists()


def _feeds_data(user: User, n: int) -> None:
    for _ in range(n):
        subscription = follow(user, "Blog", n_posts=3)
        feed_post_queue(user=user, post=subscription.feed.posts.first())
        FeedFactory(is_curated=True, curated_slug=f"c-{subscription.feed_id}")


# url → queries: the token, then what the view reads.
LISTS = {
    # count, page of subscriptions joined with feed and annotated
    "/api/v1/feeds/": 3,
    # count, page of curated feeds annotated with is_subscribed and subscriber_count
    "/api/v1/feeds/curated/": 3,
    # count, page of posts joined with feed, annotated with in_queue
    "/api/v1/feeds/posts/": 3,
    # count, page of entries joined with item, track, post and feed
    "/api/v1/reading/": 3,
}


@pytest.mark.parametrize("url", sorted(LISTS))
def test_feed_lists_cost_a_fixed_number_of_queries(
    url: str, learner: User, api: APIClient, django_assert_num_queries: pytest.FixtureDef[object]
) -> None:
    _feeds_data(learner, 2)
    api.get(url)  # warm-up: writes last_used_at
    with django_assert_num_queries(LISTS[url]):  # type: ignore[operator]
        small = api.get(url)
    _feeds_data(learner, 6)
    with django_assert_num_queries(LISTS[url]):  # type: ignore[operator]
        large = api.get(url)
    assert small.status_code == large.status_code == 200
    assert large.json()["count"] > small.json()["count"]
