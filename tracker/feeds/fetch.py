"""One polite, bounded HTTP GET of a feed: conditional, streamed, capped, redirects followed by hand.

`fetch` never raises for anything the network or the server does; it returns a `FetchResult` whose
`outcome` says what happened, so the caller records it and schedules the next try.
"""

from __future__ import annotations

import datetime as dt
import enum
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from .netguard import GuardedTransport, RefusedConnectError, Resolver, deadline_var, system_resolver

REDIRECT_CODES = {301, 302, 303, 307, 308}
PERMANENT_REDIRECT_CODES = {301, 308}


class Outcome(enum.StrEnum):
    OK = "ok"  # 200 with a body
    NOT_MODIFIED = "not_modified"  # 304: the cheap success
    GONE = "gone"  # 410: the publisher says the feed is gone for good
    THROTTLED = "throttled"  # 429 or 503, maybe with Retry-After
    HTTP_ERROR = "http_error"  # any other status
    TOO_LARGE = "too_large"  # the body went past the cap; the download was aborted
    REFUSED = "refused"  # SSRF guard: a non-public address or a scheme other than http(s)
    NETWORK_ERROR = "network_error"  # DNS, connect, TLS, timeouts, too many redirects


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = "Brainqueue feed reader"
    connect_timeout: float = 10.0
    total_timeout: float = 20.0
    max_bytes: int = 15 * 1024 * 1024
    max_redirects: int = 5
    allowed_private_hosts: tuple[str, ...] = ()
    max_connections: int = 100


@dataclass
class FetchResult:
    url: str  # the URL asked for
    outcome: Outcome
    final_url: str = ""  # after redirects
    status_code: int | None = None
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    # Set when every hop of the redirect chain was permanent (301/308): where the feed now lives.
    permanent_redirect_url: str = ""
    retry_after: dt.timedelta | None = None
    max_age: dt.timedelta | None = None
    error: str = ""
    elapsed: float = 0.0

    @property
    def succeeded(self) -> bool:
        return self.outcome in (Outcome.OK, Outcome.NOT_MODIFIED)


def make_client(config: FetchConfig, *, resolver: Resolver = system_resolver) -> httpx.Client:
    """An httpx client whose every connection goes through the SSRF guard. Thread-safe; close it after use."""
    transport = GuardedTransport(
        allowed_private_hosts=config.allowed_private_hosts,
        resolver=resolver,
        limits=httpx.Limits(max_connections=config.max_connections, max_keepalive_connections=config.max_connections),
    )
    return httpx.Client(
        transport=transport,
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(config.total_timeout, connect=config.connect_timeout),
        headers={
            "User-Agent": config.user_agent,
            "Accept": "application/atom+xml, application/rss+xml, application/rdf+xml, application/xml;q=0.9, "
            "text/xml;q=0.9, text/html;q=0.5, */*;q=0.1",
        },
    )


def parse_retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """Retry-After as seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return dt.timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(when - now, dt.timedelta(0))


def parse_max_age(cache_control: str | None) -> dt.timedelta | None:
    """Cache-Control's max-age (s-maxage wins, as for a shared cache); None when absent."""
    if not cache_control:
        return None
    found: dict[str, int] = {}
    for part in cache_control.split(","):
        name, _, raw = part.strip().partition("=")
        raw = raw.strip().strip('"')
        if name.lower() in ("max-age", "s-maxage") and raw.isdigit():
            found[name.lower()] = int(raw)
    seconds = found.get("s-maxage", found.get("max-age"))
    return None if seconds is None else dt.timedelta(seconds=seconds)


def _scheme_ok(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def fetch(
    client: httpx.Client,
    url: str,
    config: FetchConfig,
    *,
    etag: str = "",
    last_modified: str = "",
    now: dt.datetime | None = None,
) -> FetchResult:
    """GETs `url` with the stored validators; follows at most `config.max_redirects` redirects by hand."""
    now = now or dt.datetime.now(dt.UTC)
    started = time.monotonic()
    token = deadline_var.set(started + config.total_timeout)
    try:
        result = _fetch(client, url, config, etag=etag, last_modified=last_modified, now=now)
    finally:
        deadline_var.reset(token)
    result.elapsed = time.monotonic() - started
    return result


def _fetch(
    client: httpx.Client, url: str, config: FetchConfig, *, etag: str, last_modified: str, now: dt.datetime
) -> FetchResult:
    current = url
    all_permanent = True
    seen: list[str] = []
    for _hop in range(config.max_redirects + 1):
        if not _scheme_ok(current):
            return FetchResult(url, Outcome.REFUSED, final_url=current, error=f"only http and https: {current}")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with client.stream("GET", current, headers=headers) as response:
                if response.status_code in REDIRECT_CODES and "location" in response.headers:
                    all_permanent = all_permanent and response.status_code in PERMANENT_REDIRECT_CODES
                    seen.append(current)
                    current = urljoin(current, response.headers["location"])
                    if current in seen:
                        return FetchResult(url, Outcome.NETWORK_ERROR, final_url=current, error="redirect loop")
                    continue
                return _read(url, current, response, config, now=now, permanent=all_permanent and bool(seen))
        except httpx.HTTPError as exc:
            if isinstance(exc.__cause__, RefusedConnectError):
                return FetchResult(url, Outcome.REFUSED, final_url=current, error=str(exc))
            kind = type(exc).__name__
            return FetchResult(url, Outcome.NETWORK_ERROR, final_url=current, error=f"{kind}: {exc}"[:500])
    return FetchResult(
        url, Outcome.NETWORK_ERROR, final_url=current, error=f"more than {config.max_redirects} redirects"
    )


def _read(
    url: str, final_url: str, response: httpx.Response, config: FetchConfig, *, now: dt.datetime, permanent: bool
) -> FetchResult:
    headers = {k.lower(): v for k, v in response.headers.items()}
    result = FetchResult(
        url,
        Outcome.OK,
        final_url=final_url,
        status_code=response.status_code,
        headers=headers,
        etag=headers.get("etag", ""),
        last_modified=headers.get("last-modified", ""),
        permanent_redirect_url=final_url if permanent else "",
        max_age=parse_max_age(headers.get("cache-control")),
    )
    code = response.status_code
    if code == 304:
        result.outcome = Outcome.NOT_MODIFIED
        return result
    if code == 410:
        result.outcome = Outcome.GONE
        return result
    if code in (429, 503):
        result.outcome = Outcome.THROTTLED
        result.retry_after = parse_retry_after(headers.get("retry-after"), now)
        result.error = f"HTTP {code}"
        return result
    if not 200 <= code < 300:
        result.outcome = Outcome.HTTP_ERROR
        result.error = f"HTTP {code} {response.reason_phrase}".strip()
        return result
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > config.max_bytes:
        result.outcome = Outcome.TOO_LARGE
        result.error = f"the body is {int(declared)} bytes; the limit is {config.max_bytes}"
        return result
    # Decoded bytes are counted, so a small gzip or brotli bomb is stopped at the same cap.
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > config.max_bytes:
            result.outcome = Outcome.TOO_LARGE
            result.error = f"the body passed the limit of {config.max_bytes} bytes; download aborted"
            return result
        chunks.append(chunk)
    result.content = b"".join(chunks)
    return result
