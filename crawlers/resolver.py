"""Scrapy's DNS resolver, replaced by one that applies the address guard (TWISTED_DNS_RESOLVER).

AddressGuardMiddleware checks a request's host before it is sent; without this resolver Twisted
would then look the name up a second time to connect, and a DNS server that answers a public
address to the check and a private one to the connection (DNS rebinding) would get the crawler
into the private network. Here the connection's own lookup goes through
`network.addresses.allowed_addresses`, so Twisted only ever receives addresses the guard has
just checked, and a host the guard refuses gets no address at all: the download fails with
DNSLookupError, and the middleware (its process_exception) records the refusal the resolver
remembers for that host instead (`refusal_for`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IAddress, IHostnameResolver, IHostResolution, IResolutionReceiver
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from zope.interface import implementer

from network.addresses import Allowance, UnsafeDestination, allowed_addresses, crawl_allowance

logger = logging.getLogger(__name__)

#: hosts whose last refusal is remembered (a crawl reaches far fewer)
MAX_REMEMBERED_REFUSALS = 4096


def url_host(name: str) -> str:
    """`name` as a URL carries it (IDNA, lowercase), whichever form Twisted hands over (it decodes
    internationalised names): the guard's cache and the refusals are keyed by the URL's form."""
    try:
        return name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return name.lower()


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:  # Twisted's own resolvers cannot cancel a getaddrinfo either
        raise NotImplementedError


@implementer(IHostnameResolver)
class GuardedResolver:
    """Resolves through the guard (IPv4 and IPv6), with the crawl's OSINT_ALLOW_PRIVATE_NETWORKS.

    Caching is the guard's (`network.addresses.resolution_cache`, bounded in time), shared with
    the middleware's check, so a page costs one lookup and both sides see the same answer."""

    def __init__(self, reactor: Any, allowance: Allowance):
        self.reactor = reactor
        self.allowance = allowance
        self._refusals: dict[str, UnsafeDestination] = {}  # host -> why its last lookup gave no address

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        # `crawler` is the crawler process here (Scrapy installs one resolver per reactor): its
        # settings are the run's, where crawlers/runner.py puts OSINT_ALLOW_PRIVATE_NETWORKS (and,
        # under a plain `scrapy crawl`, settings.config.ConfigAddon the environment's value).
        return cls(reactor, crawl_allowance(crawler.settings))

    def install_on_reactor(self) -> None:
        # also becomes reactor.resolver (simplified), which connectTCP by name uses
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        host = url_host(hostName)
        lookup = deferToThreadPool(self.reactor, self.reactor.getThreadPool(), allowed_addresses, host, self.allowance)
        lookup.addCallbacks(
            self._deliver,
            self._refuse,
            callbackArgs=(host, resolutionReceiver, portNumber, addressTypes),
            errbackArgs=(host,),
        )
        lookup.addBoth(lambda _: resolutionReceiver.resolutionComplete())
        return resolution

    def refusal(self, host: str) -> UnsafeDestination | None:
        """Why the last lookup of `host` gave no address, if the guard refused what it resolved to."""
        return self._refusals.get(url_host(host))

    def _deliver(
        self,
        addresses: tuple[str, ...],
        host: str,
        receiver: IResolutionReceiver,
        port: int,
        address_types: Sequence[type[IAddress]] | None,
    ) -> None:
        self._refusals.pop(host, None)
        for address in addresses:
            kind = IPv6Address if ":" in address else IPv4Address
            if address_types is None or kind in address_types:
                receiver.addressResolved(kind("TCP", address, port))

    def _refuse(self, failure: Failure, host: str) -> None:
        """No address: the connection attempt fails with DNSLookupError."""
        refused = failure.value
        if not isinstance(refused, UnsafeDestination):
            logger.error("Resolving %s failed: %s", host, failure.getErrorMessage())
            return
        logger.debug("No address for %s: %s", host, refused)
        if refused.reason == "dns_error":  # nothing refused: a lookup that failed stays a DNS failure
            self._refusals.pop(host, None)
            return
        if len(self._refusals) >= MAX_REMEMBERED_REFUSALS:
            self._refusals.clear()
        self._refusals[host] = refused


def refusal_for(host: str) -> UnsafeDestination | None:
    """Why the installed guarded resolver gave `host` no address on its last lookup, if it refused it
    (None under another resolver, e.g. a plain `scrapy` run without this project's settings)."""
    from twisted.internet import reactor  # imported late: importing it installs a reactor if none is

    resolver = getattr(reactor, "nameResolver", None)
    return resolver.refusal(host) if isinstance(resolver, GuardedResolver) else None
