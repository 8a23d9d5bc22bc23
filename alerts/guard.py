"""Where an alert may deliver: the crawler's address guard applied to webhook and SMTP hosts, and
JSONL files kept out of the data directory.

A webhook URL or SMTP host is an address someone typed, so it gets the crawler's SSRF guard
(network/addresses.py) with an allow-list of its own, OSINT_ALLOW_PRIVATE_DELIVERY: an intranet
webhook is allowed by naming its network, without opening the crawl to it. The guard answers the
addresses the connection must use (delivery.py connects to exactly those: no second DNS lookup
for a rebinding server to answer). A JSONL target is an absolute path outside the data directory,
checked when the alert is saved and again before every write (an alert once appended its lines
to the bytes of crawl.sqlite3).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from network.addresses import Allowance, UnsafeDestination, allowed_addresses, parse_allowance

if TYPE_CHECKING:
    from settings.config import Config, SmtpSettings


class RefusedDelivery(ValueError):
    """A delivery the guard refuses; the message says what and why."""


@dataclass(frozen=True)
class DeliveryPolicy:
    data_dir: Path
    allowance: Allowance = False
    smtp: SmtpSettings | None = None  # the server e-mail goes through (None: e-mail cannot be sent)

    @classmethod
    def from_config(cls, config: Config) -> DeliveryPolicy:
        return cls(config.data_dir, parse_allowance(config.allow_private_delivery), config.smtp)

    def addresses_for(self, host: str) -> list[str]:
        """The checked addresses a connection to `host` may use, IPv4 first (the family that
        works everywhere); RefusedDelivery when the guard refuses the host."""
        try:
            addresses = allowed_addresses(host, self.allowance)
        except UnsafeDestination as exc:
            hint = (
                " (an internal host must be listed in OSINT_ALLOW_PRIVATE_DELIVERY)"
                if exc.reason == "private_address"
                else ""
            )
            raise RefusedDelivery(f"{exc}{hint}") from None
        return sorted(addresses, key=lambda address: ":" in address)

    def file_for(self, address: str) -> Path:
        """The file a JSONL target writes: `address` made real (symlinks followed, so a link into
        the data directory counts as inside it); RefusedDelivery for a relative path or one
        inside the data directory."""
        path = Path(address).expanduser()
        if not path.is_absolute():
            raise RefusedDelivery(f"{address}: a JSONL target needs an absolute path (e.g. file:/var/alerts/out.jsonl)")
        real = path.resolve()
        if real.is_relative_to(self.data_dir.expanduser().resolve()):
            raise RefusedDelivery(f"{address} is inside the data directory ({self.data_dir}): alerts never write there")
        return real
