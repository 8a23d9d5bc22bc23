"""Sending matched documents: a JSON POST to a webhook, lines appended to a JSONL file, or an e-mail
through the SMTP server the delivery policy names (`DeliveryPolicy.smtp`, from OSINT_SMTP_HOST,
OSINT_SMTP_PORT, OSINT_SMTP_FROM, OSINT_SMTP_USER, OSINT_SMTP_PASSWORD, OSINT_SMTP_STARTTLS).

Every document carries a `delivery_id` stable across retries, so a receiver can drop a repeat.
An arsenal alert delivers its findings in the same shapes: each entry is the document that
brought the link, with an `arsenal` object saying what is new (the group, the new category or
origin, the weapon, the evidence sentence), and the alert is named with its kind and group where
a search alert names its query.
Every channel asks alerts/guard.py first: webhook and SMTP connections go to the addresses the
guard checked (the host's name kept for the Host header, TLS SNI and certificate checks), a
webhook's redirect is never followed, and a JSONL file stays out of the data directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import smtplib
import socket
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import httpx

from alerts.arsenal_links import ArsenalLink
from alerts.guard import DeliveryPolicy, RefusedDelivery
from alerts.model import Alert, Target
from schema.countries import country_label
from schema.document import Document, utcnow

T = TypeVar("T")

WEBHOOK_TIMEOUT = 15.0
FIELDS = (
    "id",
    "url",
    "title",
    "published",
    "source_id",
    "watchlist",
    "language",
    "story_id",
    "weapons",
    "countries",
    "armed_groups",
)


class DeliveryError(RuntimeError):
    pass


def delivery_id(alert: str, doc_id: str) -> str:
    return hashlib.sha256(f"{alert}\n{doc_id}".encode()).hexdigest()[:24]


def document_summary(alert: Alert, document: Document) -> dict[str, Any]:
    data = document.model_dump(mode="json", include=set(FIELDS))
    data["excerpt"] = " ".join(document.text.split()[:60])
    data["delivery_id"] = delivery_id(alert.name, document.id)
    return data


def link_summary(alert: Alert, document: Document, link: ArsenalLink) -> dict[str, Any]:
    """A finding of an arsenal alert: the document that brought it, and what is new."""
    relation = link.relation
    data = document_summary(alert, document)
    data["delivery_id"] = delivery_id(alert.name, link.key)
    data["arsenal"] = {
        "group": alert.group,
        "new": link.facet,
        "value": link.value,
        "weapon": relation.weapon,
        "weapon_kind": relation.weapon_kind,
        "category": relation.category,
        "origin": relation.origin,
        "origin_stated": relation.origin_stated,
        "relation": relation.type,
        "direction": relation.direction,
        "cue": relation.cue,
        "supplier": relation.supplier,
        "sentence": relation.sentence,
        "start": relation.start,
        "end": relation.end,
        "page": link.page,
    }
    return data


def _named(alert: Alert) -> dict[str, str]:
    """How each delivery names its alert: with its query, or its kind and group."""
    if alert.kind == "arsenal":
        return {"alert": alert.name, "kind": alert.kind, "group": alert.group}
    return {"alert": alert.name, "query": alert.query}


def deliver(target: Target, alert: Alert, documents: list[Document], policy: DeliveryPolicy) -> None:
    send(target, alert, [document_summary(alert, document) for document in documents], policy)


def send(target: Target, alert: Alert, summaries: list[dict[str, Any]], policy: DeliveryPolicy) -> None:
    """Deliver `summaries` (document_summary or link_summary entries) to `target`; DeliveryError
    for anything that kept them from it."""
    try:
        if target.kind == "webhook":
            _webhook(target.address, alert, summaries, policy)
        elif target.kind == "jsonl":
            _jsonl(policy.file_for(target.address), alert, summaries)
        else:
            _email(target.address, alert, summaries, policy)
    except RefusedDelivery as exc:
        raise DeliveryError(f"{target}: refused: {exc}") from exc
    except (OSError, httpx.HTTPError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{target}: {type(exc).__name__}: {exc}") from exc


def _webhook(url: str, alert: Alert, summaries: list[dict[str, Any]], policy: DeliveryPolicy) -> None:
    """POST to the webhook at a checked address of its host. The request keeps the URL's name for
    the Host header and, over https, for SNI and the certificate check; proxies from the
    environment are not used (the connection must go where the guard looked)."""
    webhook = httpx.URL(url)
    name = webhook.raw_host.decode("ascii")
    payload = {**_named(alert), "sent": utcnow().isoformat(), "documents": summaries}
    headers = {"User-Agent": "osint-crawler alerts", "Host": webhook.netloc.decode("ascii")}
    extensions = {"sni_hostname": name} if webhook.scheme == "https" else {}
    with httpx.Client(timeout=WEBHOOK_TIMEOUT, follow_redirects=False, trust_env=False) as client:
        response = _first_connected(
            policy.addresses_for(name),
            httpx.ConnectError,
            lambda address: client.post(
                webhook.copy_with(host=address), json=payload, headers=headers, extensions=extensions
            ),
        )
    if response.status_code >= 300:
        raise httpx.HTTPStatusError(
            f"the webhook answered {response.status_code}", request=response.request, response=response
        )


def _first_connected(addresses: list[str], refused: type[Exception], connect: Callable[[str], T]) -> T:
    """connect(address) to each checked address in turn until one takes the connection."""
    for address in addresses[:-1]:
        try:
            return connect(address)
        except refused:
            continue
    return connect(addresses[-1])


def _jsonl(path: Path, alert: Alert, summaries: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        for summary in summaries:
            out.write(json.dumps({**_named(alert), **summary}, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())


class _PinnedSMTP(smtplib.SMTP):
    """SMTP whose TCP connection goes to an address the guard checked, while the server keeps its
    name (`_host`), which STARTTLS sends as SNI and verifies the certificate against."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        self._addresses = addresses
        super().__init__(host, port, timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        def connect(address: str) -> socket.socket:
            # smtplib's private connection hook, which typeshed does not declare
            sock: socket.socket = smtplib.SMTP._get_socket(self, address, port, timeout)  # type: ignore[attr-defined]
            return sock

        return _first_connected(self._addresses, OSError, connect)


def _email(address: str, alert: Alert, summaries: list[dict[str, Any]], policy: DeliveryPolicy) -> None:
    smtp_settings = policy.smtp
    host = smtp_settings.host if smtp_settings is not None else None
    if smtp_settings is None or not host:
        raise smtplib.SMTPException("OSINT_SMTP_HOST is not set: no SMTP server to send alerts through")
    addresses = policy.addresses_for(host)
    message = EmailMessage()
    message["Subject"] = _subject(alert, len(summaries))
    message["From"] = smtp_settings.sender
    message["To"] = address
    message.set_content("\n".join(_email_lines(alert, summaries)))
    with _PinnedSMTP(host, smtp_settings.port, addresses, timeout=30) as smtp:
        if smtp_settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if smtp_settings.user:
            password = smtp_settings.password.get_secret_value() if smtp_settings.password else ""
            smtp.login(smtp_settings.user, password)
        smtp.send_message(message)


def _subject(alert: Alert, count: int) -> str:
    if alert.kind == "arsenal":
        return f"[osint] {alert.name}: {count} new arsenal link{'s' * (count != 1)} for {alert.group}"
    return f"[osint] {alert.name}: {count} new document{'s' * (count != 1)}"


def _email_lines(alert: Alert, summaries: list[dict[str, Any]]) -> list[str]:
    """The message: per document its title, URL, date and source, then (search) an excerpt or
    (arsenal) what is new and the sentence that says so."""
    if alert.kind == "arsenal":
        lines = [f"Alert {alert.name!r} (the arsenal of {alert.group}) found links never seen before:", ""]
    else:
        lines = [f"Alert {alert.name!r} ({alert.query}) matched:", ""]
    for summary in summaries:
        lines += [
            f"- {summary['title'] or '(untitled)'}",
            f"  {summary['url']}",
            f"  {summary['published'] or 'undated'} · {summary['source_id']}",
        ]
        if alert.kind == "arsenal":
            new = summary["arsenal"]
            lines += [f"  {_what_is_new(new)}", f"  \u201c{' '.join(new['sentence'].split())}\u201d", ""]
        else:
            lines += [f"  {summary['excerpt']}", ""]
    return lines


def _what_is_new(new: dict[str, Any]) -> str:
    """ "new weapon category: MANPADS (9K38 Igla, use)" from a link_summary's `arsenal` object."""
    value = new["value"] if new["new"] == "category" else country_label(new["value"])
    noun = "weapon category" if new["new"] == "category" else "origin country"
    return f"new {noun}: {value} ({new['weapon']}, {new['relation'].replace('_', ' ')})"
