"""Sending matched documents: a JSON POST to a webhook, lines appended to a JSONL file, or an e-mail
through the SMTP server named by OSINT_SMTP_HOST (OSINT_SMTP_PORT, OSINT_SMTP_FROM,
OSINT_SMTP_USER, OSINT_SMTP_PASSWORD, OSINT_SMTP_STARTTLS=1).

Every document carries a `delivery_id` stable across retries, so a receiver can drop a repeat.
"""

from __future__ import annotations

import hashlib
import json
import os
import smtplib
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from alerts.model import Alert, Target
from index.document import Document, utcnow

WEBHOOK_TIMEOUT = 15.0
FIELDS = ("id", "url", "title", "published", "source_id", "watchlist", "language", "story_id", "weapons",
          "countries", "armed_groups")


class DeliveryError(RuntimeError):
    pass


def delivery_id(alert: str, doc_id: str) -> str:
    return hashlib.sha256(f"{alert}\n{doc_id}".encode()).hexdigest()[:24]


def document_summary(alert: Alert, document: Document) -> dict[str, Any]:
    data = document.model_dump(mode="json", include=set(FIELDS))
    data["excerpt"] = " ".join(document.text.split()[:60])
    data["delivery_id"] = delivery_id(alert.name, document.id)
    return data


def deliver(target: Target, alert: Alert, documents: list[Document]) -> None:
    summaries = [document_summary(alert, document) for document in documents]
    try:
        if target.kind == "webhook":
            _webhook(target.address, alert, summaries)
        elif target.kind == "jsonl":
            _jsonl(Path(target.address).expanduser(), alert, summaries)
        else:
            _email(target.address, alert, summaries)
    except (OSError, httpx.HTTPError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{target}: {type(exc).__name__}: {exc}") from exc


def _webhook(url: str, alert: Alert, summaries: list[dict[str, Any]]) -> None:
    payload = {"alert": alert.name, "query": alert.query, "sent": utcnow().isoformat(), "documents": summaries}
    response = httpx.post(url, json=payload, timeout=WEBHOOK_TIMEOUT, follow_redirects=False,
                          headers={"User-Agent": "osint-crawler alerts"})
    if response.status_code >= 300:
        raise httpx.HTTPStatusError(f"the webhook answered {response.status_code}", request=response.request, response=response)


def _jsonl(path: Path, alert: Alert, summaries: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        for summary in summaries:
            out.write(json.dumps({"alert": alert.name, "query": alert.query, **summary}, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())


def _email(address: str, alert: Alert, summaries: list[dict[str, Any]]) -> None:
    host = os.environ.get("OSINT_SMTP_HOST")
    if not host:
        raise smtplib.SMTPException("OSINT_SMTP_HOST is not set: no SMTP server to send alerts through")
    message = EmailMessage()
    message["Subject"] = f"[osint] {alert.name}: {len(summaries)} new document{'s' * (len(summaries) != 1)}"
    message["From"] = os.environ.get("OSINT_SMTP_FROM", "osint-crawler@localhost")
    message["To"] = address
    lines = [f"Alert {alert.name!r} ({alert.query}) matched:", ""]
    for summary in summaries:
        lines += [f"- {summary['title'] or '(untitled)'}", f"  {summary['url']}",
                  f"  {summary['published'] or 'undated'} · {summary['source_id']}", f"  {summary['excerpt']}", ""]
    message.set_content("\n".join(lines))
    with smtplib.SMTP(host, int(os.environ.get("OSINT_SMTP_PORT", "25")), timeout=30) as smtp:
        if os.environ.get("OSINT_SMTP_STARTTLS", "") in ("1", "true", "yes"):
            smtp.starttls()
        if os.environ.get("OSINT_SMTP_USER"):
            smtp.login(os.environ["OSINT_SMTP_USER"], os.environ.get("OSINT_SMTP_PASSWORD", ""))
        smtp.send_message(message)
