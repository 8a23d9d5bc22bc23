"""The guarded DNS resolver hands Twisted only addresses the guard has just checked, whatever a
DNS server answers from one lookup to the next; the middleware checks the address a response
came from and names the resolver's refusals. (Resolution only: no packet leaves the process.)"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawlers.middlewares import address_guard
from crawlers.middlewares.address_guard import AddressGuardMiddleware, RefusedDestination
from crawlers.resolver import GuardedResolver
from network import addresses
from network.addresses import parse_allowance


class _InlineThreadPool:
    """Runs the 'threaded' lookup at once, so a test sees the whole resolution synchronously."""

    def callInThreadWithCallback(self, on_result: Callable[[bool, Any], None], function: Callable, *args: Any) -> None:
        try:
            result = function(*args)
        except Exception:
            on_result(False, Failure())
        else:
            on_result(True, result)


class _Reactor:
    def __init__(self) -> None:
        self.pool = _InlineThreadPool()

    def getThreadPool(self) -> _InlineThreadPool:
        return self.pool

    def callFromThread(self, function: Callable, *args: Any) -> None:
        function(*args)


class _Receiver:
    def __init__(self) -> None:
        self.addresses: list[Any] = []
        self.complete = False

    def resolutionBegan(self, resolution: Any) -> None:
        pass

    def addressResolved(self, address: Any) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        self.complete = True


class _RebindingDns:
    """A DNS server whose answer for a name changes between lookups (set `answer` between them)."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.lookups = 0

    def getaddrinfo(self, host: str, *args: Any, **kwargs: Any) -> list[tuple]:
        self.lookups += 1
        family = socket.AF_INET6 if ":" in self.answer else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (self.answer, 0))]


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> _Clock:
    return _Clock()


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch, clock: _Clock) -> _RebindingDns:
    server = _RebindingDns("127.0.0.1")
    monkeypatch.setattr(addresses.socket, "getaddrinfo", server.getaddrinfo)
    monkeypatch.setattr(addresses, "resolution_cache", addresses._ResolutionCache(addresses.DNS_CACHE_SECONDS, clock))
    return server


def _resolve(resolver: GuardedResolver, host: str, port: int = 8080, **kwargs: Any) -> _Receiver:
    receiver = _Receiver()
    resolver.resolveHostName(receiver, host, port, **kwargs)
    assert receiver.complete
    return receiver


def test_the_connection_gets_the_checked_address_and_a_rebound_answer_gets_none(dns: _RebindingDns, clock: _Clock):
    resolver = GuardedResolver(_Reactor(), parse_allowance("127.0.0.1/32"))
    assert _resolve(resolver, "rebind.test").addresses == [IPv4Address("TCP", "127.0.0.1", 8080)]

    dns.answer = "127.0.0.2"  # the attacker's DNS now points the name at a private host
    # within the cache bound the connection still gets the address that was checked, not a new answer
    assert _resolve(resolver, "rebind.test").addresses == [IPv4Address("TCP", "127.0.0.1", 8080)]
    assert dns.lookups == 1

    clock.now += addresses.DNS_CACHE_SECONDS + 1  # past the bound: the new answer is looked up and checked
    refused = _resolve(resolver, "rebind.test")
    assert refused.addresses == [] and dns.lookups == 2
    assert resolver.refusal("REBIND.test").reason == "private_address"

    dns.answer = "127.0.0.1"
    clock.now += addresses.DNS_CACHE_SECONDS + 1
    assert _resolve(resolver, "rebind.test").addresses == [IPv4Address("TCP", "127.0.0.1", 8080)]
    assert resolver.refusal("rebind.test") is None  # the refusal was about the previous answer


def test_ipv6_answers_are_checked_and_filtered_by_address_type(dns: _RebindingDns):
    dns.answer = "::1"
    assert _resolve(GuardedResolver(_Reactor(), parse_allowance("127.0.0.1/32")), "six.test").addresses == []
    allowed = GuardedResolver(_Reactor(), parse_allowance("::1/128"))
    assert _resolve(allowed, "six.test").addresses == [IPv6Address("TCP", "::1", 8080)]
    assert _resolve(allowed, "six.test", addressTypes=[IPv4Address]).addresses == []


def test_an_internationalised_name_is_resolved_and_remembered_in_the_urls_form(dns: _RebindingDns):
    """Twisted hands the resolver decoded names; the request URL (and the middleware) has IDNA."""
    dns.answer = "127.0.0.2"
    resolver = GuardedResolver(_Reactor(), parse_allowance("127.0.0.1/32"))
    assert _resolve(resolver, "bücher.test").addresses == []
    assert resolver.refusal("xn--bcher-kva.test").reason == "private_address"


def test_a_name_that_does_not_resolve_is_no_refusal(monkeypatch: pytest.MonkeyPatch, dns: _RebindingDns):
    def nxdomain(*args: Any, **kwargs: Any) -> list:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(addresses.socket, "getaddrinfo", nxdomain)
    resolver = GuardedResolver(_Reactor(), False)
    assert _resolve(resolver, "nowhere.test").addresses == []
    assert resolver.refusal("nowhere.test") is None


def test_the_resolver_takes_the_runs_allowance_from_the_settings():
    resolver = GuardedResolver.from_crawler(
        get_crawler(settings_dict={"OSINT_ALLOW_PRIVATE_NETWORKS": "10.0.0.0/8"}), _Reactor()
    )
    assert resolver.allowance == (ipaddress.ip_network("10.0.0.0/8"),)


# the middleware's side -------------------------------------------------------------------


@pytest.fixture
def guard() -> AddressGuardMiddleware:
    return AddressGuardMiddleware(get_crawler(settings_dict={"OSINT_ALLOW_PRIVATE_NETWORKS": "127.0.0.1/32"}))


def _response(url: str, ip: str | None) -> HtmlResponse:
    return HtmlResponse(url, body=b"<html></html>", ip_address=ipaddress.ip_address(ip) if ip else None)


def test_a_response_from_a_refused_address_is_refused(guard: AddressGuardMiddleware):
    request = Request("http://site.test:8080/page.html")
    with pytest.raises(RefusedDestination) as refused:
        guard.process_response(request, _response(request.url, "127.0.0.2"), None)
    assert refused.value.reason == "private_address"
    assert guard.stats.get_value("address_guard/refused/private_address") == 1

    allowed = _response(request.url, "127.0.0.1")
    assert guard.process_response(request, allowed, None) is allowed
    unknown = _response(request.url, None)
    assert guard.process_response(request, unknown, None) is unknown


def test_a_browser_response_is_left_to_the_browser_proxy(guard: AddressGuardMiddleware):
    request = Request("http://site.test:8080/page.html", meta={"playwright": True})
    proxied = _response(request.url, "127.0.0.2")
    assert guard.process_response(request, proxied, None) is proxied


def test_a_lookup_the_resolver_refused_is_recorded_as_the_refusal(
    guard: AddressGuardMiddleware, monkeypatch: pytest.MonkeyPatch
):
    refusals = {"rebind.test": addresses.UnsafeDestination("private_address", "rebind.test resolves to 127.0.0.2")}
    monkeypatch.setattr(address_guard, "refusal_for", refusals.get)
    for failed_lookup in (CannotResolveHostError("no results"), DNSLookupError("no results")):
        with pytest.raises(RefusedDestination) as refused:
            guard.process_exception(Request("http://rebind.test:8080/x"), failed_lookup, None)
        assert refused.value.reason == "private_address"
    # a name that simply does not resolve, and other failures, pass through unchanged
    assert guard.process_exception(Request("http://nowhere.test/x"), CannotResolveHostError("no results"), None) is None
    assert guard.process_exception(Request("http://rebind.test:8080/x"), TimeoutError(), None) is None
