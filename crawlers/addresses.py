"""Which network destinations a crawler may reach: the SSRF guard shared by HTTP and browser requests."""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")


class UnsafeDestination(Exception):
    """The URL points somewhere the crawler must not go; `reason` is short and groupable."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@lru_cache(maxsize=4096)
def _resolve(host: str) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeDestination("dns_error", f"{host}: {exc}") from None
    return tuple(sorted({info[4][0] for info in infos}))


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # is_global is False for loopback, RFC 1918, link-local (169.254/16, cloud metadata),
    # CGNAT (100.64/10), documentation, benchmarking and other reserved ranges.
    return ip.is_global and not ip.is_multicast


def parse_allowance(value: str) -> bool | tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """OSINT_ALLOW_PRIVATE_NETWORKS: '1'/'true' allows every address; a comma list of CIDRs allows just those."""
    value = value.strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"OSINT_ALLOW_PRIVATE_NETWORKS: {exc}") from None


def _allowed(address: str, allowance: bool | tuple) -> bool:
    if allowance is True or is_public_address(address):
        return True
    if not allowance:
        return False
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in network for network in allowance)


def check_url(url: str, allowance: bool | tuple = False) -> None:
    """Raise UnsafeDestination unless `url` is http(s) and every address of its host is public or allowed."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeDestination("forbidden_scheme", f"{parts.scheme or '(none)'}:// is not http or https")
    host = parts.hostname
    if not host:
        raise UnsafeDestination("invalid_url", url)
    if allowance is True:
        return
    for address in _resolve(host):
        if not _allowed(address, allowance):
            raise UnsafeDestination("private_address", f"{host} resolves to {address}")
