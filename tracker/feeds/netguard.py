"""SSRF protection at connect time: the name is resolved once, every address is checked, and the socket
connects to a checked address.

Checking a URL and then letting the HTTP library resolve the name again is a time-of-check/time-of-use
hole (DNS rebinding): the second answer can be 127.0.0.1. Here the check lives in httpcore's network
backend, the one place that opens sockets, so it applies to the first request, to every redirect hop and
to every new connection of the pool. TLS and the Host header still use the name from the URL (httpcore
does the TLS handshake on the stream with the URL's host as SNI), so certificates are checked as usual.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the addresses it resolves to; tests pass a fake one to play DNS.
Resolver = Callable[[str, int], Sequence[str]]

# 64:ff9b::/96 (NAT64) and 2002::/16 (6to4) embed an IPv4 address that must itself be public.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")

# Set by the fetcher for the duration of one fetch: reads give up at this monotonic time, so a server
# that drips one byte at a time cannot hold a worker beyond the total timeout.
deadline_var: contextvars.ContextVar[float | None] = contextvars.ContextVar("feeds_deadline", default=None)


class AddressRefused(Exception):
    """The name resolves to an address that is not globally routable."""


class RefusedConnectError(httpcore.ConnectError):
    """What the backend raises for a refused address; httpx wraps it in its ConnectError (as __cause__)."""


def is_public_address(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses.

    Refused: loopback, private (RFC 1918, unique-local fc00::/7), link-local, CGNAT 100.64/10, multicast,
    unspecified, reserved and documentation ranges, and IPv6 forms that embed an IPv4 address
    (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible, NAT64, 6to4, Teredo) unless that address is public.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public_address(ip.ipv4_mapped)
        if ip in _IPV4_COMPATIBLE:
            return False
        if ip in _NAT64:
            return is_public_address(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None:
            return is_public_address(ip.sixtofour)
        if ip.teredo is not None:
            return False
    if ip.is_multicast or ip.is_unspecified or ip.is_loopback or ip.is_link_local or ip.is_reserved:
        return False
    return ip.is_global and not ip.is_private


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for *_, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id
        if address not in seen:
            seen.append(address)
    return seen


def checked_addresses(
    host: str, port: int, *, allowed_private_hosts: Iterable[str] = (), resolver: Resolver = system_resolver
) -> list[str]:
    """Resolves `host` once and returns its addresses if every one of them may be connected to.

    A name with one private address among public ones is refused whole: which answer the connection
    would get is not ours to choose. Hosts in `allowed_private_hosts` (development and tests only) skip
    the check.
    """
    name = host.strip("[]").lower().rstrip(".")
    try:
        literal: IPAddress | None = ipaddress.ip_address(name)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = list(resolver(name, port))
        except (OSError, UnicodeError) as exc:
            raise httpx.ConnectError(f"cannot resolve {host!r}: {exc}") from exc
        if not addresses:
            raise httpx.ConnectError(f"{host!r} resolves to no address")
    if name in {h.lower() for h in allowed_private_hosts}:
        return addresses
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError as exc:
            raise AddressRefused(f"{host!r} resolves to {address!r}, which is not an IP address") from exc
        if not is_public_address(ip):
            raise AddressRefused(f"{host!r} resolves to {ip}, which is not a public address; not fetched")
    return addresses


class _DeadlineStream(httpcore.NetworkStream):
    """Caps every read and write at the fetch's overall deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    @staticmethod
    def _budget(timeout: float | None) -> float | None:
        deadline = deadline_var.get()
        if deadline is None:
            return timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise httpcore.ReadTimeout("the total time allowed for this fetch is spent")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._budget(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._budget(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, self._budget(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend that connects only to checked addresses."""

    def __init__(self, *, allowed_private_hosts: Iterable[str] = (), resolver: Resolver = system_resolver) -> None:
        self._inner = httpcore.SyncBackend()
        self._allowed = tuple(allowed_private_hosts)
        self._resolver = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = checked_addresses(host, port, allowed_private_hosts=self._allowed, resolver=self._resolver)
        except AddressRefused as exc:
            # httpcore and httpx map only httpcore's exceptions; the fetcher finds this one as __cause__.
            raise RefusedConnectError(str(exc)) from exc
        except httpx.ConnectError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        last: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    address, port, timeout=_DeadlineStream._budget(timeout), socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _DeadlineStream(stream)
        assert last is not None  # noqa: S101 - addresses is never empty
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with the guarded backend underneath; proxies from the environment are not used
    (a proxy would make every connection go to one, usually private, address)."""

    def __init__(
        self,
        *,
        allowed_private_hosts: Iterable[str] = (),
        resolver: Resolver = system_resolver,
        limits: httpx.Limits | None = None,
    ) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(allowed_private_hosts=allowed_private_hosts, resolver=resolver),
        )
