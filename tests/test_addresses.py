from __future__ import annotations

import pytest

from crawlers.addresses import UnsafeDestination, check_url, parse_allowance


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost:8080/", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://[::1]/", "http://[fe80::1]/",
    "http://[::ffff:10.0.0.1]/", "http://0.0.0.0/", "http://240.0.0.1/",
])
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
    with pytest.raises(ValueError, match="OSINT_ALLOW_PRIVATE_NETWORKS"):
        parse_allowance("not-a-network")
