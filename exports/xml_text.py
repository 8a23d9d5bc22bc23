"""Text an XML file can carry: crawled names may hold control characters that XML 1.0 cannot
represent at all, not even as character references, and a file holding one is not well-formed."""

from __future__ import annotations

import re

#: characters XML 1.0 cannot carry (its Char production excludes them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text)
