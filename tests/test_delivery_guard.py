"""Alert deliveries go through the address guard, with their own allow-list
(OSINT_ALLOW_PRIVATE_DELIVERY), connect to the address that was checked, and never write a file
inside the data directory. Canaries listen on 127.0.0.2, a stand-in for an intranet host."""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from alerts.delivery import DeliveryError, deliver
from alerts.guard import DeliveryPolicy
from alerts.model import Alert, Target
from app.site_server import SiteServer
from network import addresses
from network.addresses import parse_allowance
from schema.document import Document
from settings.config import load_config
from tests.alert_receivers import SmtpSink, Webhook
from tests.crawl.fake_dns import FakeDns
from tests.crawl.helpers import OsintCli, write_watchlist
from tests.crawl.hostile_site import GOOD_ARTICLE

CANARY_HOST = "127.0.0.2"
CANARY_DECIMAL = "2130706434"  # 127.0.0.2 written as one number, which getaddrinfo (inet_aton) accepts

ALERT = Alert(name="rifles", query="rifles", targets=[Target.parse("/var/alerts/unused.jsonl")])
DOCUMENTS = [Document.new("https://news.example.org/a", title="Rifles seized", text="Rifles seized at the port.")]


@pytest.fixture(autouse=True)
def fresh_resolutions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's lookups are its own (the guard caches answers for a minute)."""
    monkeypatch.setattr(addresses, "resolution_cache", addresses._ResolutionCache(addresses.DNS_CACHE_SECONDS))


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, list[str]]], None]:
    """Names that answer 127.0.0.1 to the first lookup and the canary's address afterwards: a
    second lookup for the connection would reach the canary."""

    def install(zone: dict[str, list[str]]) -> None:
        dns = FakeDns(zone)
        monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
        monkeypatch.setattr(socket, "gethostbyname", dns.gethostbyname)

    return install


def _policy(tmp_path: Path, allowed: str = "") -> DeliveryPolicy:
    """The policy the application builds: SMTP settings from the environment as it is now."""
    return DeliveryPolicy(tmp_path / "data", parse_allowance(allowed), load_config().smtp)


@contextlib.contextmanager
def _listener(host: str, port: int = 0) -> Iterator[socket.socket]:
    """A canary that only listens: a connection to it completes in the kernel even unaccepted."""
    with socket.create_server((host, port)) as server:
        server.setblocking(False)
        yield server


def _connections(listener: socket.socket) -> int:
    count = 0
    with contextlib.suppress(BlockingIOError):
        while True:
            listener.accept()[0].close()
            count += 1
    return count


@contextlib.contextmanager
def _on_one_port(
    serve: Callable[[str, int], contextlib.AbstractContextManager],
    canary: Callable[[str, int], contextlib.AbstractContextManager],
) -> Iterator[tuple]:
    """(server on 127.0.0.1, canary on 127.0.0.2), on the same port: one name:port reaches either,
    depending only on the address the connection goes to."""
    for _ in range(5):  # the canary's free port may be taken on 127.0.0.1: try another
        with canary(CANARY_HOST, 0) as trap:
            port = trap.getsockname()[1] if isinstance(trap, socket.socket) else trap.server_address[1]
            try:
                server = serve("127.0.0.1", port)
            except OSError:
                continue
            with server:
                yield server, trap, port
            return
    raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2")


# webhooks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", [CANARY_HOST, CANARY_DECIMAL])
def test_a_webhook_on_a_private_address_gets_nothing(host: str, tmp_path: Path):
    with Webhook(CANARY_HOST) as canary:
        target = Target.parse(f"webhook:http://{host}:{canary.port}/hook")
        with pytest.raises(DeliveryError, match=r"refused: private_address.*OSINT_ALLOW_PRIVATE_DELIVERY"):
            deliver(target, ALERT, DOCUMENTS, _policy(tmp_path, allowed="127.0.0.1/32"))
        assert canary.received == []


@pytest.mark.parametrize("host", [CANARY_HOST, CANARY_DECIMAL])
def test_a_webhook_on_an_allowed_internal_address_is_reached(host: str, tmp_path: Path):
    """Control for the test above: with the canary's address on the delivery allow-list the same
    POST arrives, with the URL's own host in its Host header."""
    with Webhook(CANARY_HOST) as canary:
        deliver(
            Target.parse(f"webhook:http://{host}:{canary.port}/hook"),
            ALERT,
            DOCUMENTS,
            _policy(tmp_path, allowed=f"{CANARY_HOST}/32"),
        )
        assert canary.documents() == ["a"] and canary.hosts == [f"{host}:{canary.port}"]


def test_a_webhook_connects_to_the_address_that_was_checked(rebinding_dns, tmp_path: Path):
    with _on_one_port(Webhook, Webhook) as (webhook, canary, port):
        rebinding_dns({"hooks.test": ["127.0.0.1", CANARY_HOST]})
        deliver(
            Target.parse(f"webhook:http://hooks.test:{port}/hook"),
            ALERT,
            DOCUMENTS,
            _policy(tmp_path, allowed="127.0.0.1/32"),
        )
        assert canary.received == []
        assert webhook.documents() == ["a"] and webhook.hosts == [f"hooks.test:{port}"]


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name` (its own CA): (certificate, key) PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.mark.parametrize("certified, delivered", [("hooks.test", True), ("other.test", False)])
def test_an_https_webhook_at_the_checked_address_is_verified_for_its_name(
    certified: str, delivered: bool, rebinding_dns, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    """The connection goes to the checked IP, yet TLS is the name's: SNI carries it and the
    certificate must be valid for it (one for another name is refused, whatever the IP)."""
    cert, key = _certificate(tmp_path, certified)
    monkeypatch.setattr(certifi, "where", lambda: str(cert))  # trust this test's own CA only
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    names: list[str | None] = []
    server_tls.sni_callback = lambda connection, name, context: names.append(name)
    with Webhook("127.0.0.1") as webhook:
        webhook.socket = server_tls.wrap_socket(webhook.socket, server_side=True)
        rebinding_dns({"hooks.test": ["127.0.0.1", CANARY_HOST]})
        target = Target.parse(f"webhook:https://hooks.test:{webhook.port}/hook")
        if delivered:
            deliver(target, ALERT, DOCUMENTS, _policy(tmp_path, allowed="127.0.0.1/32"))
            assert webhook.hosts == [f"hooks.test:{webhook.port}"]
        else:
            with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
                deliver(target, ALERT, DOCUMENTS, _policy(tmp_path, allowed="127.0.0.1/32"))
            assert webhook.received == []
    assert names == ["hooks.test"]


# e-mail -------------------------------------------------------------------------------------------


def _email_env(monkeypatch: pytest.MonkeyPatch, host: str, port: int) -> Target:
    monkeypatch.setenv("OSINT_SMTP_HOST", host)
    monkeypatch.setenv("OSINT_SMTP_PORT", str(port))
    for name in ("OSINT_SMTP_STARTTLS", "OSINT_SMTP_USER"):
        monkeypatch.delenv(name, raising=False)
    return Target.parse("email:desk@example.org")


@pytest.mark.parametrize("host", [CANARY_HOST, CANARY_DECIMAL])
def test_an_smtp_server_on_a_private_address_is_not_connected_to(
    host: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    with _listener(CANARY_HOST) as canary:
        target = _email_env(monkeypatch, host, canary.getsockname()[1])
        with pytest.raises(DeliveryError, match="refused: private_address"):
            deliver(target, ALERT, DOCUMENTS, _policy(tmp_path))
        assert _connections(canary) == 0


def test_an_allowed_smtp_server_gets_the_message_at_the_checked_address(
    rebinding_dns, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    with _on_one_port(SmtpSink, _listener) as (sink, canary, port):
        rebinding_dns({"mail.test": ["127.0.0.1", CANARY_HOST]})
        deliver(_email_env(monkeypatch, "mail.test", port), ALERT, DOCUMENTS, _policy(tmp_path, allowed="127.0.0.1/32"))
        assert _connections(canary) == 0
        (message,) = sink.messages
        assert message["To"] == "desk@example.org" and "Rifles seized" in message.get_payload()


# files --------------------------------------------------------------------------------------------


def test_a_file_inside_the_data_directory_is_never_written(tmp_path: Path):
    """Checked again at delivery: a target saved before the check existed, or a link made later."""
    data = tmp_path / "data"
    data.mkdir()
    ledger = data / "crawl.sqlite3"
    ledger.write_bytes(b"SQLite format 3\x00")
    link = tmp_path / "innocent.jsonl"
    link.symlink_to(ledger)
    for address in (str(ledger), str(link), str(data / "alerts" / "x.jsonl")):
        with pytest.raises(DeliveryError, match="inside the data directory"):
            deliver(Target(kind="jsonl", address=address), ALERT, DOCUMENTS, _policy(tmp_path))
    with pytest.raises(DeliveryError, match="absolute path"):
        deliver(Target(kind="jsonl", address="alerts/x.jsonl"), ALERT, DOCUMENTS, _policy(tmp_path))
    assert ledger.read_bytes() == b"SQLite format 3\x00" and not (data / "alerts").exists()


def test_a_file_url_target_writes_the_file_it_names(tmp_path: Path):
    out = tmp_path / "alerts" / "out.jsonl"
    deliver(Target.parse(f"file://{out}"), ALERT, DOCUMENTS, _policy(tmp_path))
    assert [line for line in out.read_text().splitlines()] and not Path("file:").exists()


# end to end ---------------------------------------------------------------------------------------


def test_alert_deliveries_to_private_webhooks_wait_for_the_delivery_allow_list(tmp_path: Path):
    """The real CLI: the crawl may reach 127.0.0.0/8 (OsintCli's crawl allow-list), which says
    nothing about deliveries; once the canary is on the delivery allow-list, the pending
    documents go out."""
    osint = OsintCli(tmp_path / "data", extract_workers=0)
    page = GOOD_ARTICLE.encode()
    with (
        SiteServer(
            routes={"/report.html": lambda handler: (200, {"Content-Type": "text/html; charset=utf-8"}, page)}
        ) as site,
        Webhook(CANARY_HOST) as canary,
    ):
        hooks = [f"http://{CANARY_HOST}:{canary.port}/hook", f"http://{CANARY_DECIMAL}:{canary.port}/hook"]
        osint.run(
            "alert", "add", "rifles", "rifles", *(arg for hook in hooks for arg in ("--notify", f"webhook:{hook}"))
        )
        watchlist = write_watchlist(
            tmp_path / "w.yaml", [{"id": "pages", "kind": "page", "urls": [site.url("/report.html")]}]
        )
        crawl = osint.run("crawl", str(watchlist))
        assert canary.received == []
        assert all(f"webhook:{hook}: refused: private_address" in crawl.stderr for hook in hooks), crawl.stderr
        (listed,) = osint.json("alert", "list")
        assert listed["pending"] == 2 and "OSINT_ALLOW_PRIVATE_DELIVERY" in listed["last_error"]

        osint.env["OSINT_ALLOW_PRIVATE_DELIVERY"] = f"{CANARY_HOST}/32"
        (result,) = osint.json("alert", "run")
        assert result["delivered"] == {f"webhook:{hook}": 1 for hook in hooks}
        assert sorted(canary.hosts) == sorted(f"{host}:{canary.port}" for host in (CANARY_HOST, CANARY_DECIMAL))
