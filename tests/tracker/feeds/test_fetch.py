"""The fetcher and parser against a real local HTTP server: formats, encodings, hostile documents and
servers, conditional GET, throttling, redirects. No database."""

from __future__ import annotations

import datetime as dt
import resource
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.tracker.feeds.server import (
    ATOM,
    BILLION_LAUGHS,
    BROKEN,
    CP1252,
    GB18030,
    RSS1,
    FeedServer,
    Reply,
    drip,
    huge,
    redirect,
    rss2_posts,
)
from tracker.feeds.fetch import FetchConfig, Outcome, fetch, make_client, parse_max_age, parse_retry_after
from tracker.feeds.parse import parse_feed

NOW = dt.datetime(2025, 7, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def client(local_config: FetchConfig) -> Iterator[httpx.Client]:
    with make_client(local_config) as c:
        yield c


def get(client: httpx.Client, server: FeedServer, path: str, config: FetchConfig, **kwargs: str):  # type: ignore[no-untyped-def]
    return fetch(client, server.url(path), config, now=NOW, **kwargs)


@pytest.mark.parametrize(
    ("body", "version", "title", "entry_title"),
    [
        (rss2_posts(2), "rss20", "Test blog", "post 0"),
        (ATOM, "atom10", "Atom blog", "TensorRT <b>INT8</b> calibration"),
        (RSS1, "rss10", "RDF blog", "ONNX graph surgery"),
        (GB18030, "rss20", "老潘的博客", "TensorRT 详细入门指北"),
        (CP1252, "rss20", "Café blog", "\u201cFast\u201d kernels \u2013 na\u00efve to tiled"),
    ],
    ids=["rss2", "atom1", "rss1", "gb18030", "windows-1252"],
)
def test_each_format_and_encoding_parses_from_the_fetched_bytes(
    feed_server, client, local_config, body, version, title, entry_title
):
    feed_server.routes["/feed"] = Reply(body, headers={"Content-Type": "application/xml"})
    result = get(client, feed_server, "/feed", local_config)
    assert result.outcome is Outcome.OK
    parsed = parse_feed(result.content, url=result.final_url, headers=result.headers, now=NOW)
    assert parsed.version == version
    assert parsed.title == title
    assert parsed.entries[0].title == entry_title


def test_atom_entry_html_is_sanitised_and_relative_links_resolved(feed_server, client, local_config):
    feed_server.routes["/atom.xml"] = Reply(ATOM)
    result = get(client, feed_server, "/atom.xml", local_config)
    entry = parse_feed(result.content, url=result.final_url, headers=result.headers, now=NOW).entries[0]
    assert "<script" not in entry.summary_html and "onclick" not in entry.summary_html
    assert "Quantise" in entry.summary_html
    assert entry.url == feed_server.url("/posts/int8")


def test_broken_xml_still_gives_what_can_be_read(feed_server, client, local_config):
    feed_server.routes["/broken.xml"] = Reply(BROKEN)
    result = get(client, feed_server, "/broken.xml", local_config)
    parsed = parse_feed(result.content, url=result.final_url, headers=result.headers, now=NOW)
    assert parsed.bozo  # says the XML was not well-formed
    assert [e.url for e in parsed.entries][:1] == ["https://broken.example.org/1"]


def test_a_billion_laughs_document_is_not_expanded(feed_server, client, local_config):
    feed_server.routes["/lol.xml"] = Reply(BILLION_LAUGHS)
    result = get(client, feed_server, "/lol.xml", local_config)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    parsed = parse_feed(result.content, url=result.final_url, headers=result.headers, now=NOW)
    assert time.monotonic() - started < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB: no gigabyte of "lol"
    assert all(len(e.title) < 1000 for e in parsed.entries)
    assert len(parsed.title) < 1000


def test_a_20_mb_body_is_aborted_at_the_cap(feed_server, client, local_config):
    feed_server.routes["/huge.xml"] = huge(20 * 1024 * 1024)
    started = time.monotonic()
    result = get(client, feed_server, "/huge.xml", local_config)
    assert result.outcome is Outcome.TOO_LARGE
    assert result.content == b""
    assert time.monotonic() - started < 5


def test_a_declared_length_over_the_cap_is_refused_before_reading(feed_server, client):
    config = FetchConfig(allowed_private_hosts=("127.0.0.1",), max_bytes=1000)
    feed_server.routes["/big"] = Reply(b"x" * 5000)
    assert get(client, feed_server, "/big", config).outcome is Outcome.TOO_LARGE


def test_a_gzip_bomb_counts_decoded_bytes(feed_server, client):
    config = FetchConfig(allowed_private_hosts=("127.0.0.1",), max_bytes=100_000)
    feed_server.routes["/bomb.gz"] = Reply(b"\0" * 5_000_000, encoding="gzip")
    assert get(client, feed_server, "/bomb.gz", config).outcome is Outcome.TOO_LARGE


def test_a_server_that_drips_bytes_is_cut_off_at_the_total_timeout(feed_server, client, local_config):
    feed_server.routes["/drip.xml"] = drip(0.1)
    started = time.monotonic()
    result = get(client, feed_server, "/drip.xml", local_config)
    elapsed = time.monotonic() - started
    assert result.outcome is Outcome.NETWORK_ERROR
    assert "Timeout" in result.error
    assert local_config.total_timeout - 0.5 < elapsed < local_config.total_timeout + 1.5


def test_a_redirect_loop_stops(feed_server, client, local_config):
    feed_server.routes["/loop-a"] = redirect("/loop-b")
    feed_server.routes["/loop-b"] = redirect("/loop-a")
    result = get(client, feed_server, "/loop-a", local_config)
    assert result.outcome is Outcome.NETWORK_ERROR
    assert feed_server.hits["/loop-a"] == 1 and feed_server.hits["/loop-b"] == 1


def test_at_most_five_redirects_are_followed(feed_server, client, local_config):
    for n in range(7):
        feed_server.routes[f"/hop{n}"] = redirect(f"/hop{n + 1}")
    feed_server.routes["/hop7"] = Reply(rss2_posts(1))
    result = get(client, feed_server, "/hop0", local_config)
    assert result.outcome is Outcome.NETWORK_ERROR and "more than 5 redirects" in result.error
    assert sum(feed_server.hits.values()) == 6


def test_permanent_redirects_are_reported_and_temporary_ones_are_not(feed_server, client, local_config):
    feed_server.routes["/old"] = redirect("/new", 301)
    feed_server.routes["/temporary"] = redirect("/new", 302)
    feed_server.routes["/new"] = Reply(rss2_posts(1))
    assert get(client, feed_server, "/old", local_config).permanent_redirect_url == feed_server.url("/new")
    assert get(client, feed_server, "/temporary", local_config).permanent_redirect_url == ""


def test_conditional_get_sends_the_validators_and_304_is_not_modified(feed_server, client, local_config):
    feed_server.routes["/cond.xml"] = Reply(rss2_posts(3), etag='"v1"', last_modified="Sun, 01 Jun 2025 00:00:00 GMT")
    first = get(client, feed_server, "/cond.xml", local_config)
    assert first.outcome is Outcome.OK and first.etag == '"v1"'
    second = get(client, feed_server, "/cond.xml", local_config, etag=first.etag, last_modified=first.last_modified)
    assert second.outcome is Outcome.NOT_MODIFIED and second.status_code == 304
    sent = feed_server.requests[-1][1]
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == first.last_modified


def test_requests_name_the_product_and_accept_compression(feed_server, client, local_config):
    feed_server.routes["/br.xml"] = Reply(rss2_posts(2), encoding="br")
    result = get(client, feed_server, "/br.xml", local_config)
    assert result.outcome is Outcome.OK and b"post 1" in result.content
    sent = feed_server.requests[-1][1]
    assert sent["User-Agent"] == "Brainqueue-test"
    assert "br" in sent["Accept-Encoding"] and "gzip" in sent["Accept-Encoding"]


def test_429_with_retry_after_is_throttled_with_the_delay(feed_server, client, local_config):
    feed_server.routes["/busy"] = Reply(b"slow down", status=429, headers={"Retry-After": "120"})
    result = get(client, feed_server, "/busy", local_config)
    assert result.outcome is Outcome.THROTTLED
    assert result.retry_after == dt.timedelta(seconds=120)


def test_410_is_gone(feed_server, client, local_config):
    feed_server.routes["/gone"] = Reply(b"", status=410)
    assert get(client, feed_server, "/gone", local_config).outcome is Outcome.GONE


def test_retry_after_and_max_age_parsing():
    assert parse_retry_after("Tue, 01 Jul 2025 12:10:00 GMT", NOW) == dt.timedelta(minutes=10)
    assert parse_retry_after("Tue, 01 Jul 2025 11:00:00 GMT", NOW) == dt.timedelta(0)
    assert parse_retry_after("soon", NOW) is None
    assert parse_max_age("public, max-age=7200") == dt.timedelta(hours=2)
    assert parse_max_age('max-age=60, s-maxage="600"') == dt.timedelta(minutes=10)
    assert parse_max_age("no-cache") is None
