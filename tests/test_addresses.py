from __future__ import annotations

import pytest

from network.addresses import (
    UnsafeDestination,
    _ResolutionCache,
    allowed_addresses,
    check_url,
    is_allowed_address,
    is_public_address,
    parse_allowance,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
        "http://240.0.0.1/",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(url):
    with pytest.raises(UnsafeDestination) as error:
        check_url(url, parse_allowance(""))
    assert error.value.reason == "private_address"


@pytest.mark.parametrize("url", ["ftp://example.org/", "file:///etc/passwd", "gopher://x/", "javascript:alert(1)"])
def test_only_http_and_https(url):
    with pytest.raises(UnsafeDestination) as error:
        check_url(url, True)
    assert error.value.reason == "forbidden_scheme"


def test_an_allowance_opens_only_the_named_networks():
    loopback = parse_allowance("127.0.0.0/8,::1/128")
    check_url("http://127.0.0.1:8000/feed.xml", loopback)
    with pytest.raises(UnsafeDestination):
        check_url("http://169.254.169.254/", loopback)
    check_url("http://10.0.0.1/", parse_allowance("1"))


def test_public_addresses_pass_without_traffic():
    check_url("http://93.184.216.34/", parse_allowance(""))  # an IP literal: no DNS, no connection


def test_bad_allowance_is_an_error():
    with pytest.raises(ValueError, match="comma list of networks"):
        parse_allowance("not-a-network")


@pytest.mark.parametrize(
    "address",
    [
        "::a9fe:a9fe",  # IPv4-compatible form of 169.254.169.254
        "::7f00:2",  # IPv4-compatible 127.0.0.2
        "64:ff9b::7f00:2",  # NAT64 of 127.0.0.2
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
        "2001:0:7f00:1:0:0:0:1",  # Teredo with a loopback server
        "::ffff:169.254.169.254",
    ],
)
def test_ipv6_forms_of_private_ipv4_have_the_ipv4_class(address):
    # classification only: no packet is ever sent to these addresses
    assert not is_public_address(address)
    with pytest.raises(UnsafeDestination, match="private_address"):
        check_url(f"http://[{address}]/", parse_allowance(""))


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8", "2606:4700::1111"])
def test_ipv6_forms_of_public_ipv4_stay_public(address):
    assert is_public_address(address)


def test_an_allowance_covers_the_ipv6_forms_of_its_ipv4_networks():
    loopback = parse_allowance("127.0.0.0/8")
    assert is_allowed_address("::ffff:127.0.0.1", loopback)
    assert not is_allowed_address("::ffff:10.0.0.1", loopback)


def test_resolutions_expire_so_a_rebinding_answer_is_seen(monkeypatch):
    answers = iter([[(0, 0, 0, "", ("93.184.216.34", 0))], [(0, 0, 0, "", ("127.0.0.2", 0))]])
    monkeypatch.setattr("socket.getaddrinfo", lambda *args, **kwargs: next(answers))
    now = [0.0]
    cache = _ResolutionCache(ttl=60, clock=lambda: now[0])
    monkeypatch.setattr("network.addresses.resolution_cache", cache)
    assert allowed_addresses("rebind.example", False) == ("93.184.216.34",)
    now[0] = 30.0
    assert allowed_addresses("rebind.example", False) == ("93.184.216.34",)  # cached within the bound
    now[0] = 61.0
    with pytest.raises(UnsafeDestination, match=r"127\.0\.0\.2"):
        allowed_addresses("rebind.example", False)
