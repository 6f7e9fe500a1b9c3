"""Finding a site's feed: the URL itself, its `<link rel="alternate">` tags, then the usual paths."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from .fetch import FetchConfig, FetchResult, Outcome, fetch
from .parse import ParsedFeed, parse_feed

FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/xml",
    "text/xml",
}
# Where blogs keep their feed when the page does not say: WordPress, Jekyll, Hugo, Hexo, Ghost...
COMMON_PATHS = ("/feed", "/atom.xml", "/rss.xml", "/index.xml", "/feed.xml", "/rss", "/feed/atom")
MAX_CANDIDATES = 8


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        if tag != "link":
            return
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in FEED_TYPES and values.get("href"):
            self.links.append(values["href"])


def alternate_links(document: bytes, base_url: str) -> list[str]:
    """The feed URLs a page announces, absolute, http(s) only, in page order, without repeats."""
    parser = _AlternateLinks()
    # html.parser gives up on some broken markup; what it found so far stands.
    with contextlib.suppress(AssertionError, ValueError):
        parser.feed(document[:2_000_000].decode("utf-8", errors="replace"))
    base = urljoin(base_url, parser.base) if parser.base else base_url
    out: list[str] = []
    for href in parser.links:
        absolute = urljoin(base, href.strip())
        if urlsplit(absolute).scheme in ("http", "https") and absolute not in out:
            out.append(absolute)
    return out


def common_feed_urls(url: str) -> list[str]:
    parts = urlsplit(url)
    return [urlunsplit((parts.scheme, parts.netloc, path, "", "")) for path in COMMON_PATHS]


@dataclass
class Discovery:
    """The feed found (`feed_url` "" when none), with the fetch and parse of it, or why nothing was found."""

    feed_url: str
    fetched: FetchResult | None
    parsed: ParsedFeed | None
    error: str = ""
    tried: tuple[str, ...] = ()


def discover(client: httpx.Client, url: str, config: FetchConfig, *, now: dt.datetime | None = None) -> Discovery:
    """Fetches `url`; if it is a feed, that's it. Otherwise tries the page's alternate links, then the
    usual paths on the same site. A refused address stops the search at once."""
    tried: list[str] = []
    first = fetch(client, url, config, now=now)
    tried.append(url)
    if first.outcome is Outcome.REFUSED:
        return Discovery("", first, None, error=first.error, tried=tuple(tried))
    candidates: list[str] = []
    if first.outcome is Outcome.OK:
        parsed = parse_feed(first.content, url=first.final_url, headers=first.headers, now=now)
        if parsed.is_feed:
            return Discovery(first.final_url, first, parsed, tried=tuple(tried))
        candidates += alternate_links(first.content, first.final_url)
    candidates += [c for c in common_feed_urls(first.final_url or url) if c not in candidates]
    for candidate in candidates[:MAX_CANDIDATES]:
        if candidate in tried:
            continue
        tried.append(candidate)
        result = fetch(client, candidate, config, now=now)
        if result.outcome is Outcome.REFUSED:
            return Discovery("", result, None, error=result.error, tried=tuple(tried))
        if result.outcome is not Outcome.OK:
            continue
        parsed = parse_feed(result.content, url=result.final_url, headers=result.headers, now=now)
        if parsed.is_feed:
            return Discovery(result.final_url, result, parsed, tried=tuple(tried))
    reason = first.error or "the page is not a feed and announces none"
    return Discovery("", first, None, error=reason, tried=tuple(tried))
