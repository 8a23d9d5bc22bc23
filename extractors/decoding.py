"""Bytes -> str for HTML and plain text, refusing binary payloads served as text.

Order of trust: byte-order mark, the caller's transport encoding (HTTP header), the
charset in `content_type`, a `<meta charset>`/XML declaration (HTML only), then detection:
strict UTF-8 first, `extractors.charset.guess_encoding` otherwise. A declared charset that does not fit the
bytes (more than 0.1% undecodable) is ignored in favour of detection, because mislabelled
legacy pages (Windows-1256 served as UTF-8) are common on the sites we watch.
"""

from __future__ import annotations

import codecs
import logging
from typing import NamedTuple

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
    to_unicode,
)

from extractors.charset import guess_encoding
from extractors.errors import ExtractionError

logger = logging.getLogger(__name__)

#: How many leading bytes are inspected for binary content.
SNIFF_BYTES = 65_536
#: Share of C0 control bytes (other than tab, newlines, form feed, escape) above which a
#: body is binary. Random bytes have about 10%; real text pages essentially none.
MAX_CONTROL_RATIO = 0.03
#: Share of undecodable bytes tolerated before a declared charset is distrusted.
MAX_DECLARED_ERROR_RATIO = 0.001

_BINARY_MAGIC: tuple[bytes, ...] = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"PK\x03\x04",  # zip, docx, xlsx
    b"\x1f\x8b",  # gzip
    b"\x7fELF",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\x00asm",
    b"OggS",
    b"RIFF",
)
#: C0 control bytes that text never holds (tab, newlines, form feed and escape excepted)
_BINARY_CONTROLS = bytes(byte for byte in range(0x20) if byte not in b"\t\n\x0b\x0c\r\x1b")


class Decoded(NamedTuple):
    text: str
    encoding: str


def reject_binary(body: bytes) -> None:
    """Raise ExtractionError("binary_content") when `body` is not text in any 8-bit or UTF-8 encoding."""
    head = body[:SNIFF_BYTES]
    if head.startswith(_BINARY_MAGIC):
        raise ExtractionError("binary_content", "file signature of a binary format")
    if b"\x00" in head:
        raise ExtractionError("binary_content", "NUL bytes")
    controls = len(head) - len(head.translate(None, _BINARY_CONTROLS))
    if head and controls / len(head) > MAX_CONTROL_RATIO:
        raise ExtractionError("binary_content", f"{controls} control bytes in {len(head)}")


def decode_body(
    body: bytes, *, content_type: str | None = None, encoding: str | None = None, html: bool = True
) -> Decoded:
    """Decode a text body; raises ExtractionError("binary_content") for binary bytes."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding is not None and bom is not None:
        if not _is_wide(bom_encoding):
            reject_binary(body[len(bom) :])  # a UTF-8 BOM is no proof of text
        return Decoded(to_unicode(body[len(bom) :], bom_encoding), bom_encoding)
    transport = _declared_encodings(body, content_type, encoding, html=False)
    if transport and _is_wide(transport[0]):
        # UTF-16/32 without a BOM legitimately contains NUL bytes; trust a strict decode.
        try:
            return Decoded(body.decode(transport[0]), transport[0])
        except UnicodeDecodeError:
            pass
    reject_binary(body)
    for declared in _declared_encodings(body, content_type, encoding, html):
        text = _decoded_if_fits(body, declared)
        if text is not None:
            return Decoded(text, declared)
        logger.debug("declared charset %s does not fit the body; detecting", declared)
    try:  # each body is decoded once: the strict UTF-8 attempt is the result when it succeeds
        return Decoded(body.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        detected = guess_encoding(body)
        return Decoded(to_unicode(body, detected), detected)


def _declared_encodings(body: bytes, content_type: str | None, encoding: str | None, html: bool) -> list[str]:
    found = [
        resolve_encoding(encoding) if encoding else None,
        http_content_type_encoding(content_type) if content_type else None,
        html_body_declared_encoding(body) if html else None,
    ]
    return [enc for enc in found if enc and _known_codec(enc)]


def _known_codec(name: str) -> bool:
    """A text encoding Python has. A hostile "charset=base64" (or rot13, hex) names a codec too,
    but not one that turns bytes into text (LookupError), and "undefined" decodes nothing."""
    try:
        b" ".decode(name, "replace")  # not b"": an empty input skips the text-encoding check
    except (LookupError, UnicodeError):
        return False
    return True


def _is_wide(encoding: str) -> bool:
    return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))


def _decoded_if_fits(body: bytes, encoding: str) -> str | None:
    """`body` decoded as `encoding` (as w3lib's to_unicode decodes it), or None when the charset
    does not fit the bytes."""
    if _is_wide(encoding):
        # NUL-free bodies (checked above) cannot be UTF-16/32: a stale or wrong declaration.
        return None
    decoded = body.decode(encoding, "replace")
    literal = body.count(b"\xef\xbf\xbd") if codecs.lookup(encoding).name == "utf-8" else 0
    if decoded.count("\ufffd") - literal > max(1, int(len(body) * MAX_DECLARED_ERROR_RATIO)):
        return None
    # w3lib decodes GB18030 with an error handler of its own; any other charset exactly as here
    return to_unicode(body, encoding) if codecs.lookup(encoding).name == "gb18030" else decoded
