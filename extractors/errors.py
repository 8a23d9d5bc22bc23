"""The single exception type raised by the extraction layer."""

from __future__ import annotations

#: Every reason `ExtractionError` can carry; short and stable so failures can be
#: counted per reason (crawler stats, `osint extract` exit messages).
REASONS: frozenset[str] = frozenset(
    {
        "empty",  # nothing extractable: empty body, or markup/PDF without any visible text
        "binary_content",  # bytes that are not text although served as text (NULs, control bytes)
        "broken_pdf",  # PDF that pypdf cannot parse
        "encrypted_pdf",  # PDF that needs a password to read
        "unsupported_type",  # a content type this layer does not extract (images, archives, ...)
    }
)


class ExtractionError(Exception):
    """Extraction failed for a reason worth grouping on.

    `reason` is one of `REASONS`; `detail` is free text for logs.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown extraction failure reason: {reason!r}")
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)
