"""The address guard classifies; it never connects. Any URL is allowed or an UnsafeDestination;
an allowed URL is http(s) with only public (or allowed) addresses; no IPv6 form of a private
IPv4 address counts as public. Name resolution is replaced by a fake for the whole module, so
no DNS query leaves the machine."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from network import addresses
from network.addresses import UnsafeDestination, check_url, is_public_address, parse_allowance
from tests.properties.bounds import cpu_bound

CPU_SECONDS = 0.5
#: what the fake resolver answers, picked by a hash of the host name
ANSWERS = [
    ("93.184.216.34",),
    ("2606:2800:220:1::248",),
    ("10.0.0.1",),
    ("127.0.0.2",),
    ("169.254.169.254",),
    ("::1",),
    ("fe80::1",),
    ("93.184.216.34", "10.0.0.1"),
    ("::ffff:127.0.0.1",),
    ("64:ff9b::7f00:2",),
    None,
]


def fake_getaddrinfo(host: object, *args: object, **kwargs: object) -> list[tuple]:
    answer = ANSWERS[hashlib.sha256(repr(host).encode()).digest()[0] % len(ANSWERS)]
    if answer is None:
        raise socket.gaierror(socket.EAI_NONAME, "no such host (fake resolver)")
    return [
        (
            socket.AF_INET6 if ":" in address else socket.AF_INET,
            socket.SOCK_STREAM,
            socket.IPPROTO_TCP,
            "",
            (address, 0),
        )
        for address in answer
    ]


@pytest.fixture(scope="module", autouse=True)
def no_dns() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
        addresses.resolution_cache.clear()
        yield
    addresses.resolution_cache.clear()


HOSTS = st.one_of(
    st.ip_addresses().map(lambda ip: f"[{ip}]" if ip.version == 6 else str(ip)),
    st.integers(0, 2**32 - 1).map(str),  # decimal IPv4
    st.integers(0, 2**32 - 1).map(hex),
    st.from_regex(r"[a-z0-9-]{1,12}(\.[a-z0-9-]{1,8}){0,3}", fullmatch=True),
    st.text(max_size=20),
)
URLS = st.one_of(
    st.builds(
        lambda scheme, userinfo, host, port, path: f"{scheme}://{userinfo}{host}{port}{path}",
        st.sampled_from(["http", "https", "HTTP", "ftp", "file", "javascript", "gopher", ""]),
        st.sampled_from(["", "user@", "user:pw@", "a@b@"]),
        HOSTS,
        st.sampled_from(["", ":80", ":0", ":99999", ":x", ":"]),
        st.sampled_from(["", "/", "/a?b#c", "\\x"]),
    ),
    st.text(max_size=60),
)
ALLOWANCES = st.sampled_from([False, True, parse_allowance("127.0.0.0/8,::1/128"), parse_allowance("10.0.0.0/8")])


@settings(max_examples=400)
@given(URLS, ALLOWANCES)
@example("http://[::1/", False)  # an unclosed IPv6 host: urlsplit's ValueError escaped
def test_any_url_is_allowed_or_an_unsafe_destination(url: str, allowance: addresses.Allowance) -> None:
    with cpu_bound(CPU_SECONDS, f"check_url({url!r:.80})"):
        try:
            check_url(url, allowance)
        except UnsafeDestination as exc:
            assert exc.reason in {"forbidden_scheme", "invalid_url", "dns_error", "private_address"}
            return
    if allowance is False:
        parts = urlsplit(url)
        assert parts.scheme.lower() in ("http", "https")
        assert all(is_public_address(address) for address in addresses.allowed_addresses(parts.hostname or ""))


@settings(max_examples=300)
@given(st.ip_addresses())
def test_an_address_is_public_exactly_when_its_class_is(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    public = is_public_address(str(ip))
    if ip.version == 4:
        assert public == (ip.is_global and not ip.is_multicast)
    elif public:
        assert ip.is_global and not ip.is_multicast


def ipv6_forms(v4: ipaddress.IPv4Address, low_bits: int) -> list[ipaddress.IPv6Address]:
    """IPv4-mapped, IPv4-compatible, NAT64, 6to4 (any host part) and Teredo (as client and as server)."""
    value, public_v4 = int(v4), int(ipaddress.IPv4Address("93.184.216.34"))
    forms = [
        0xFFFF << 32 | value,
        0x0064_FF9B << 96 | value,
        0x2002 << 112 | value << 80 | (low_bits & (2**80 - 1)),
        0x2001_0000 << 96 | public_v4 << 64 | (low_bits & (2**32 - 1)) << 32 | (value ^ 0xFFFFFFFF),
        0x2001_0000 << 96 | value << 64 | (low_bits & (2**32 - 1)) << 32 | (public_v4 ^ 0xFFFFFFFF),
    ]
    if value > 1:  # ::0 and ::1 are the unspecified and loopback addresses, not IPv4-compatible ones
        forms.append(value)
    return [ipaddress.IPv6Address(form) for form in forms]


@settings(max_examples=300)
@given(st.ip_addresses(v=4), st.integers(0, 2**80 - 1))
def test_no_ipv6_form_of_a_private_ipv4_address_is_public(v4: ipaddress.IPv4Address, low_bits: int) -> None:
    if is_public_address(str(v4)):
        return
    for form in ipv6_forms(v4, low_bits):
        assert not is_public_address(str(form)), f"{form} carries {v4}"
        with pytest.raises(UnsafeDestination):
            check_url(f"http://[{form}]/")


@settings(max_examples=300)
@given(
    st.one_of(
        st.text(max_size=40),
        st.lists(st.one_of(st.ip_addresses().map(str), st.text(max_size=8)), max_size=4).map(",".join),
        st.builds(lambda ip, bits: f"{ip}/{bits}", st.ip_addresses(), st.integers(-1, 140)),
    )
)
def test_an_allowance_setting_parses_or_is_a_value_error(value: str) -> None:
    with cpu_bound(CPU_SECONDS, f"parse_allowance({value!r:.80})"):
        try:
            allowance = parse_allowance(value)
        except ValueError as exc:
            assert str(exc)  # what is wrong with the setting
            return
    assert allowance in (True, False) or all(
        isinstance(network, (ipaddress.IPv4Network, ipaddress.IPv6Network)) for network in allowance
    )


@settings(max_examples=200)
@given(st.text(max_size=50))
def test_any_text_is_classified_or_a_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        assert is_public_address(text) in (True, False)
