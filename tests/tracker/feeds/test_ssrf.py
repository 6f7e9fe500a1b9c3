"""SSRF: with the default setting (no private host allowed) nothing private is ever connected to, whether
named directly, in an IPv6 form, behind a redirect or behind a DNS name. The local server counts requests,
so "not fetched" is checked on the server side too."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

import httpx
import pytest

from tests.tracker.feeds.server import FeedServer, Reply, redirect, rss2_posts
from tracker.feeds.fetch import FetchConfig, Outcome, fetch, make_client
from tracker.feeds.netguard import AddressRefused, checked_addresses, is_public_address

DEFAULT = FetchConfig(connect_timeout=1.0, total_timeout=2.0)  # allowed_private_hosts is empty by default


def fake_dns(table: dict[str, Sequence[str]]):  # type: ignore[no-untyped-def]
    def resolve(host: str, port: int) -> Sequence[str]:
        return table[host]

    return resolve


@pytest.fixture
def default_client() -> Iterator[httpx.Client]:
    with make_client(DEFAULT) as client:
        yield client


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata, link-local
        "100.64.0.1",  # CGNAT
        "0.0.0.0",  # noqa: S104 - the unspecified address is the point of the test
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::127.0.0.1",  # IPv4-compatible
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "fc00::1",
        "fd12:3456::1",  # unique-local
        "fe80::1",  # link-local
        "ff02::1",  # multicast
        "2001:db8::1",  # documentation
    ],
)
def test_non_public_addresses_are_refused(address: str):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str):
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/feed",
        "http://localhost:{port}/feed",
        "http://[::1]:{port}/feed",
        "http://[::ffff:127.0.0.1]:{port}/feed",
        "http://0.0.0.0:{port}/feed",
        "http://2130706433:{port}/feed",  # 127.0.0.1 as one decimal number
        "http://0x7f.0.0.1:{port}/feed",
        "http://10.255.255.1:{port}/feed",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_direct_private_addresses_are_never_fetched(feed_server: FeedServer, default_client, url: str):
    feed_server.routes["/feed"] = Reply(rss2_posts(1))
    result = fetch(default_client, url.format(port=feed_server.port), DEFAULT)
    assert result.outcome in (Outcome.REFUSED, Outcome.NETWORK_ERROR)
    if "localhost" in url or "127.0.0.1" in url or "::1" in url:
        assert result.outcome is Outcome.REFUSED, result.error
    assert feed_server.hits["/feed"] == 0


def test_a_name_that_resolves_to_loopback_is_not_fetched(feed_server: FeedServer):
    feed_server.routes["/feed"] = Reply(rss2_posts(1))
    with make_client(DEFAULT, resolver=fake_dns({"blog.example.com": ["127.0.0.1"]})) as client:
        result = fetch(client, f"http://blog.example.com:{feed_server.port}/feed", DEFAULT)
    assert result.outcome is Outcome.REFUSED
    assert "127.0.0.1" in result.error
    assert feed_server.hits["/feed"] == 0


def test_one_private_answer_among_public_ones_refuses_the_name():
    resolve = fake_dns({"mixed.example.com": ["93.184.215.14", "10.0.0.5"]})
    with pytest.raises(AddressRefused):
        checked_addresses("mixed.example.com", 80, resolver=resolve)


def test_a_redirect_from_an_allowed_host_to_a_private_one_is_not_followed(feed_server: FeedServer):
    # "allowed.test" stands for a public host (allowed, resolved by the fake DNS to the local server);
    # its redirect points at 127.0.0.1, which nothing allows.
    config = FetchConfig(connect_timeout=1.0, total_timeout=2.0, allowed_private_hosts=("allowed.test",))
    feed_server.routes["/start"] = redirect(f"http://127.0.0.1:{feed_server.port}/secret")
    feed_server.routes["/secret"] = Reply(rss2_posts(1))
    with make_client(config, resolver=fake_dns({"allowed.test": ["127.0.0.1"]})) as client:
        result = fetch(client, f"http://allowed.test:{feed_server.port}/start", config)
    assert feed_server.hits["/start"] == 1
    assert result.outcome is Outcome.REFUSED
    assert feed_server.hits["/secret"] == 0


def test_the_connection_goes_to_the_checked_address_with_the_host_header_kept(feed_server: FeedServer):
    # The resolver is asked once per connection and the socket connects to its answer; the Host header
    # (and SNI for https) still carries the name.
    calls: list[str] = []

    def resolve(host: str, port: int) -> Sequence[str]:
        calls.append(host)
        return ["127.0.0.1"]

    config = FetchConfig(connect_timeout=1.0, total_timeout=2.0, allowed_private_hosts=("feeds.test",))
    feed_server.routes["/feed"] = Reply(rss2_posts(1))
    with make_client(config, resolver=resolve) as client:
        result = fetch(client, f"http://feeds.test:{feed_server.port}/feed", config)
    assert result.outcome is Outcome.OK
    assert calls == ["feeds.test"]
    assert feed_server.requests[-1][1]["Host"] == f"feeds.test:{feed_server.port}"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/feed", "gopher://example.com/", "//x"])
def test_only_http_and_https_are_fetched(default_client, url: str):
    assert fetch(default_client, url, DEFAULT).outcome is Outcome.REFUSED


def test_a_redirect_to_another_scheme_is_refused(feed_server: FeedServer, local_config: FetchConfig):
    feed_server.routes["/to-file"] = redirect("file:///etc/passwd")
    with make_client(local_config) as client:
        result = fetch(client, feed_server.url("/to-file"), local_config)
    assert result.outcome is Outcome.REFUSED


def test_proxies_from_the_environment_are_ignored(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, local_config: FetchConfig
):
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("ALL_PROXY", "http://10.9.9.9:3128")
    feed_server.routes["/feed"] = Reply(rss2_posts(1))
    with make_client(local_config) as client:
        assert fetch(client, feed_server.url("/feed"), local_config).outcome is Outcome.OK
