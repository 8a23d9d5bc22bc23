"""Which network destinations a crawler may reach: the SSRF guard shared by HTTP, browser and
delivery connections.

The guard answers with the addresses a connection may use (`allowed_addresses`), so a caller
connects to the very address that was checked; resolutions are cached for at most
`DNS_CACHE_SECONDS`, so a DNS answer that changes (rebinding) is seen again within that bound
and every connection made after it is checked against the new answer.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")
DNS_CACHE_SECONDS = 60.0

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Allowance = bool | tuple[Network, ...]

# IPv6 prefixes whose low 32 bits are an IPv4 address (RFC 4291 IPv4-compatible, RFC 6052 NAT64)
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeDestination(Exception):
    """The URL points somewhere the crawler must not go; `reason` is short and groupable."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class _ResolutionCache:
    """getaddrinfo answers, kept for at most `ttl` seconds (thread-safe: Twisted's resolver
    threads and the browser proxy share it)."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def resolve(self, host: str) -> tuple[str, ...]:
        now = self.clock()
        with self._lock:
            entry = self._entries.get(host)
            if entry and entry[0] > now:
                return entry[1]
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (UnicodeError, OSError) as exc:  # socket.gaierror is an OSError
            raise UnsafeDestination("dns_error", f"{host}: {exc}") from None
        addresses = tuple(sorted({str(info[4][0]) for info in infos}))
        with self._lock:
            if len(self._entries) > 4096:
                self._entries.clear()
            self._entries[host] = (now + self.ttl, addresses)
        return addresses

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


resolution_cache = _ResolutionCache(DNS_CACHE_SECONDS)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, IPv4-compatible, NAT64, 6to4, Teredo."""
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip.teredo:
        return list(ip.teredo)
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return []


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(address.split("%", 1)[0])


def is_public_address(address: str) -> bool:
    ip = _ip(address)
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner:  # an IPv6 form of an IPv4 address has that address's class
            return all(v4.is_global and not v4.is_multicast for v4 in inner)
    # is_global is False for loopback, RFC 1918, link-local (169.254/16, cloud metadata),
    # CGNAT (100.64/10), documentation, benchmarking and other reserved ranges.
    return ip.is_global and not ip.is_multicast


def parse_allowance(value: str) -> Allowance:
    """An allow-list setting: '1'/'true' allows every address; a comma list of CIDRs allows just those."""
    value = value.strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())
    except ValueError as exc:
        # the caller's error names the setting (settings/config.py prefixes the variable)
        raise ValueError(f"expected '1' or a comma list of networks such as 10.0.0.0/8: {exc}") from None


def crawl_allowance(settings: Any) -> Allowance:
    """The crawl's allow-list from Scrapy settings (`OSINT_ALLOW_PRIVATE_NETWORKS`), as every
    guarded component of a crawl reads it."""
    return parse_allowance(str(settings.get("OSINT_ALLOW_PRIVATE_NETWORKS") or ""))


def is_allowed_address(address: str, allowance: Allowance) -> bool:
    if allowance is True or is_public_address(address):
        return True
    if not allowance:
        return False
    ip = _ip(address)
    candidates = [ip, *(embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else [])]
    return any(
        candidate in network
        for candidate in candidates
        for network in allowance
        if candidate.version == network.version
    )


def allowed_addresses(host: str, allowance: Allowance = False) -> tuple[str, ...]:
    """The addresses a connection to `host` may use: every address it resolves to, all checked.
    Raise UnsafeDestination if any of them is private (a host must not mix public and private
    answers to slip through on a retry)."""
    host = host.strip("[]")
    try:
        addresses: tuple[str, ...] = (str(_ip(host)),)
    except ValueError:
        addresses = resolution_cache.resolve(host)
    for address in addresses:
        if not is_allowed_address(address, allowance):
            raise UnsafeDestination("private_address", f"{host} resolves to {address}")
    return addresses


def check_url(url: str, allowance: Allowance = False) -> None:
    """Raise UnsafeDestination unless `url` is http(s) and every address of its host is public or allowed."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed or invalid [IPv6] host
        raise UnsafeDestination("invalid_url", url) from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeDestination("forbidden_scheme", f"{parts.scheme or '(none)'}:// is not http or https")
    host = parts.hostname
    if not host:
        raise UnsafeDestination("invalid_url", url)
    if allowance is True:
        return
    allowed_addresses(host, allowance)
