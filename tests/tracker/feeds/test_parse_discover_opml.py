"""Deduplication keys, sanitising, discovery and OPML, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.tracker.feeds.server import HTML_PLAIN, HTML_WITH_ALTERNATE, FeedServer, Reply, rss2, rss2_posts
from tracker.feeds.discover import alternate_links, discover
from tracker.feeds.fetch import FetchConfig, make_client
from tracker.feeds.opml import OpmlError, Outline, parse_opml, render_opml
from tracker.feeds.parse import parse_feed
from tracker.feeds.schedule import Politeness, next_after_error, next_after_success

NOW = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def keys(body: bytes) -> list[str]:
    return [e.guid_hash for e in parse_feed(body, url="https://blog.example.org/feed", now=NOW).entries]


def test_the_key_is_the_guid_and_a_changed_title_keeps_it():
    a = rss2([{"title": "A", "guid": "g1", "link": "https://b.example/1"}])
    b = rss2([{"title": "A, edited", "guid": "g1", "link": "https://b.example/1?utm=x"}])
    assert keys(a) == keys(b)


def test_missing_guids_fall_back_to_the_link_then_to_title_and_content():
    body = rss2(
        [
            {"title": "Linked", "link": "https://b.example/1"},
            {"title": "Only a title", "description": "and a body"},
        ]
    )
    first, second = keys(body)
    assert first != second
    assert keys(body) == [first, second]  # stable from one fetch to the next


def test_a_guid_shared_by_every_entry_does_not_merge_them():
    body = rss2([{"title": f"Post {n}", "guid": "same", "link": f"https://b.example/{n}"} for n in range(4)])
    assert len(set(keys(body))) == 4


def test_entries_repeated_in_one_document_are_kept_once():
    item = {"title": "Twice", "guid": "g", "link": "https://b.example/t"}
    assert len(keys(rss2([item, item]))) == 1


def test_dangerous_markup_and_urls_are_removed():
    body = rss2(
        [
            {
                "title": "<b>Bold</b> &amp; title",
                "guid": "x",
                "description": '<a href="javascript:alert(1)">x</a><img src="https://i.example/a.png" onerror="e()">'
                '<iframe src="https://evil.example"></iframe><style>p{}</style><p>kept</p>',
            }
        ]
    )
    entry = parse_feed(body, url="https://blog.example.org/feed", now=NOW).entries[0]
    assert entry.title == "Bold & title"
    html = entry.summary_html
    assert "javascript:" not in html and "onerror" not in html and "<iframe" not in html and "<style" not in html
    assert '<img src="https://i.example/a.png">' in html and "<p>kept</p>" in html


def test_a_date_in_the_future_is_brought_back_to_now():
    body = rss2([{"title": "Future", "guid": "f", "pubDate": "Fri, 01 Jan 2100 00:00:00 GMT"}])
    assert parse_feed(body, url="https://b.example/feed", now=NOW).entries[0].published_at == NOW


def test_rss_ttl_is_read():
    assert parse_feed(rss2([], ttl=180), url="https://b.example/feed").ttl == dt.timedelta(hours=3)


def test_alternate_links_are_found_and_made_absolute():
    assert alternate_links(HTML_WITH_ALTERNATE, "https://site.example/blog/") == ["https://site.example/rss2.xml"]
    assert alternate_links(HTML_PLAIN, "https://site.example/") == []


def test_discovery_follows_the_pages_alternate_link(feed_server: FeedServer, local_config: FetchConfig):
    feed_server.routes["/"] = Reply(HTML_WITH_ALTERNATE, headers={"Content-Type": "text/html"})
    feed_server.routes["/rss2.xml"] = Reply(rss2_posts(2))
    with make_client(local_config) as client:
        found = discover(client, feed_server.url("/"), local_config)
    assert found.feed_url == feed_server.url("/rss2.xml")
    assert found.parsed is not None and len(found.parsed.entries) == 2


def test_discovery_tries_the_usual_paths(feed_server: FeedServer, local_config: FetchConfig):
    feed_server.routes["/blog/"] = Reply(HTML_PLAIN, headers={"Content-Type": "text/html"})
    feed_server.routes["/atom.xml"] = Reply(rss2_posts(1))
    with make_client(local_config) as client:
        found = discover(client, feed_server.url("/blog/"), local_config)
    assert found.feed_url == feed_server.url("/atom.xml")
    assert feed_server.hits["/feed"] == 1  # tried first, 404


def test_discovery_says_why_when_there_is_no_feed(feed_server: FeedServer, local_config: FetchConfig):
    feed_server.routes["/"] = Reply(HTML_PLAIN, headers={"Content-Type": "text/html"})
    with make_client(local_config) as client:
        found = discover(client, feed_server.url("/"), local_config)
    assert found.feed_url == "" and "announces none" in found.error


OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="Deployment">
    <outline type="rss" text="Oldpan" xmlUrl="https://oldpan.me/feed" htmlUrl="https://oldpan.me/"/>
    <outline type="rss" text="NVIDIA" title="NVIDIA Technical Blog" xmlUrl="https://developer.nvidia.com/blog/feed/"/>
  </outline>
  <outline type="rss" text="dup" xmlUrl="https://oldpan.me/feed"/>
  <outline type="rss" text="not web" xmlUrl="file:///etc/passwd"/>
</body></opml>"""


def test_opml_outlines_are_read_flattened_without_repeats():
    outlines = parse_opml(OPML)
    assert [o.xml_url for o in outlines] == ["https://oldpan.me/feed", "https://developer.nvidia.com/blog/feed/"]
    assert outlines[1].title == "NVIDIA Technical Blog"


def test_opml_round_trips():
    outlines = [Outline("https://a.example/feed", "https://a.example/", "A & <B>")]
    assert parse_opml(render_opml(outlines, title="t")) == outlines


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b'<opml><body><outline text="&b;" xmlUrl="https://x.example/"/></body></opml>',
            "DTD",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml/>',
            "DTD",
        ),
        (b"<opml><body>", "well-formed"),
        (b"<rss/>", "not OPML"),
    ],
    ids=["billion-laughs", "external-dtd", "broken", "not-opml"],
)
def test_hostile_or_wrong_opml_is_refused_with_a_reason(data: bytes, message: str):
    with pytest.raises(OpmlError, match=message):
        parse_opml(data)


def test_success_waits_the_longest_of_interval_max_age_and_ttl_within_bounds():
    p = Politeness(jitter=0)
    hour = dt.timedelta(hours=1)
    assert next_after_success(interval=hour, max_age=None, ttl=None, politeness=p) == hour
    assert next_after_success(interval=hour, max_age=3 * hour, ttl=None, politeness=p) == 3 * hour
    assert next_after_success(interval=hour, max_age=None, ttl=5 * hour, politeness=p) == 5 * hour
    assert next_after_success(interval=hour, max_age=dt.timedelta(days=30), ttl=None, politeness=p) == p.max_interval
    assert next_after_success(interval=dt.timedelta(minutes=1), max_age=None, ttl=None, politeness=p) == p.min_interval


def test_errors_back_off_linearly_up_to_seven_days_and_retry_after_wins():
    p = Politeness(jitter=0)
    hour = dt.timedelta(hours=1)
    assert next_after_error(interval=hour, error_count=3, retry_after=None, politeness=p) == 3 * hour
    assert next_after_error(interval=hour, error_count=1000, retry_after=None, politeness=p) == dt.timedelta(days=7)
    assert next_after_error(interval=hour, error_count=1, retry_after=10 * hour, politeness=p) == 10 * hour
    jittered = {
        next_after_error(interval=hour, error_count=2, retry_after=None, politeness=Politeness()) for _ in range(20)
    }
    assert len(jittered) > 1 and all(1.8 * hour <= d <= 2.2 * hour for d in jittered)


def test_opml_keeps_only_http_site_addresses():
    data = (
        b'<?xml version="1.0"?><opml version="2.0"><body>'
        b'<outline type="rss" text="a" xmlUrl="https://a.example/feed" htmlUrl="javascript:alert(1)"/>'
        b'<outline type="rss" text="b" xmlUrl="https://b.example/feed" htmlUrl="https://b.example/"/>'
        b"</body></opml>"
    )
    assert [(o.xml_url, o.html_url) for o in parse_opml(data)] == [
        ("https://a.example/feed", ""),
        ("https://b.example/feed", "https://b.example/"),
    ]
