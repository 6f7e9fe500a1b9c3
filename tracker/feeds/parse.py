"""Fetched bytes → a parsed feed with sanitised entries and their deduplication keys.

feedparser gets the bytes (wrapped in a stream, so it never opens a URL or a file itself) and the
response headers (for the charset and the base URL of relative links). Entry HTML is cleaned with nh3
whatever feedparser did to it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import feedparser
import nh3

MAX_SUMMARY_CHARS = 20_000
MAX_TITLE_CHARS = 300
MAX_URL_CHARS = 1000

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "q", "s", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


@dataclass(frozen=True)
class ParsedEntry:
    guid_hash: str
    guid: str
    url: str
    title: str
    summary_html: str
    published_at: dt.datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str
    ttl: dt.timedelta | None
    entries: tuple[ParsedEntry, ...]
    version: str  # feedparser's name of the format, "" when the bytes were not a feed
    bozo: str  # why the XML was not well-formed, "" when it was

    @property
    def is_feed(self) -> bool:
        return bool(self.version) or bool(self.entries)


def sanitize_html(value: str) -> str:
    """Keeps formatting, links and images; drops scripts, styles, event handlers and non-http(s) URLs."""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain_text(value: str) -> str:
    """A title: tags removed, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(nh3.clean(value or "", tags=set())).split())


def _hash(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}\x00{value}".encode()).hexdigest()


def _http_url(value: str) -> str:
    value = (value or "").strip()
    if value.lower().startswith(("http://", "https://")) and len(value) <= MAX_URL_CHARS:
        return value
    return ""


def _when(entry: Mapping[str, Any], now: dt.datetime) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                when = dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC)
            except (OverflowError, ValueError, OSError):
                continue
            # A date in the future is a publisher's mistake; it would pin the post to the top forever.
            return min(when, now)
    return None


def _content(entry: Mapping[str, Any]) -> str:
    for block in entry.get("content") or ():
        if block.get("value"):
            return str(block["value"])
    return str(entry.get("summary") or entry.get("description") or "")


def parse_feed(
    content: bytes, *, url: str, headers: Mapping[str, str] | None = None, now: dt.datetime | None = None
) -> ParsedFeed:
    """Parses a fetched document. Broken XML falls back to feedparser's lenient parser; entity bombs
    are stopped by expat's amplification limit (and the lenient parser does not expand entities)."""
    now = now or dt.datetime.now(dt.UTC)
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers["content-location"] = url  # the base of relative links
    response_headers.pop("content-encoding", None)  # httpx already decoded the body
    response_headers.setdefault("content-type", "application/xml")
    parsed = feedparser.parse(io.BytesIO(content), response_headers=response_headers)
    raw_entries = list(parsed.get("entries") or ())

    # A GUID shared by entries that are clearly different (another link or title) identifies nothing:
    # those entries are keyed by their link instead.
    guid_counts = Counter(str(e.get("id") or "").strip() for e in raw_entries)
    entries: list[ParsedEntry] = []
    seen: set[str] = set()
    for raw in raw_entries:
        guid = str(raw.get("id") or "").strip()
        link = _http_url(str(raw.get("link") or ""))
        title = plain_text(str(raw.get("title") or ""))[:MAX_TITLE_CHARS]
        body = _content(raw)
        if guid and guid_counts[guid] == 1:
            key = _hash("guid", guid)
        elif link:
            key = _hash("link", link)
        elif title or body:
            key = _hash("text", f"{title}\x00{body}")
        else:
            continue  # nothing to identify or show
        if key in seen:
            continue
        seen.add(key)
        summary = sanitize_html(body)
        if len(summary) > MAX_SUMMARY_CHARS:
            summary = sanitize_html(summary[:MAX_SUMMARY_CHARS])  # cleaning again closes what the cut left open
        entries.append(
            ParsedEntry(
                guid_hash=key,
                guid=guid[:MAX_URL_CHARS],
                url=link,
                title=title or link or "(untitled)",
                summary_html=summary,
                published_at=_when(raw, now),
            )
        )
    feed = parsed.get("feed") or {}
    ttl_raw = str(feed.get("ttl") or "").strip()
    ttl = dt.timedelta(minutes=int(ttl_raw)) if ttl_raw.isdigit() else None
    bozo = parsed.get("bozo_exception")
    return ParsedFeed(
        title=plain_text(str(feed.get("title") or ""))[:MAX_TITLE_CHARS],
        site_url=_http_url(str(feed.get("link") or "")),
        ttl=ttl,
        entries=tuple(entries),
        version=str(parsed.get("version") or ""),
        bozo=f"{type(bozo).__name__}: {bozo}"[:500] if parsed.get("bozo") and bozo else "",
    )
