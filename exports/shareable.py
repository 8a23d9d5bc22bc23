"""Documents as they may leave the collection: no credentials in any URL.

A source URL an analyst copied from a private feed may carry ``user:password@`` (or a token as
the user name); an export is made to be shared, so every URL a document holds (its own, its
links, its captures') loses its userinfo on the way out, as on every page and terminal.
"""

from __future__ import annotations

from network.redaction import redact_url
from schema.document import Capture, Document


def _capture(capture: Capture) -> Capture:
    return capture.model_copy(update={"url": redact_url(capture.url)}) if "@" in capture.url else capture


def shareable(document: Document) -> Document:
    """`document` with every URL redacted; the very object when none carries credentials (the usual case)."""
    urls = [document.url, document.canonical_url, *document.links]
    if not any("@" in url for url in urls) and not any("@" in capture.url for capture in document.all_captures):
        return document
    return document.model_copy(
        update={
            "url": redact_url(document.url),
            "canonical_url": redact_url(document.canonical_url),
            "links": [redact_url(link) for link in document.links],
            "capture": _capture(document.capture) if document.capture else None,
            "versions": [_capture(version) for version in document.versions],
        }
    )
