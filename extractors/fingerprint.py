"""A text's fingerprint for near-duplicate detection: the hashes of its distinct 3-word shingles.

The crawl's story index (crawlers/pipelines/stories.py) builds a MinHash signature from them. They
are computed here, with the rest of the text's analysis in the extraction workers, because the
hashing is most of a signature's cost (~0.6 ms of a 600-word article) and the crawler process is
the crawl's bottleneck; applying the permutations to the hashes is cheap.

Each hash is datasketch's default (`sha1_hash32`: the first 4 bytes of the shingle's SHA-1, read
little-endian), so the signatures built from them are those datasketch builds from the shingles,
and those stored by earlier runs stay comparable.
"""

from __future__ import annotations

import hashlib
import re

SHINGLE_WORDS = 3
#: below this, "similar" is mostly boilerplate: such texts have no fingerprint (their own story)
MIN_WORDS = 30

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(words: list[str]) -> set[bytes]:
    """The distinct 3-word shingles of `words`, joined by one space."""
    return {
        f"{first} {second} {third}".encode() for first, second, third in zip(words, words[1:], words[2:], strict=False)
    }


def text_fingerprint(text: str) -> bytes:
    """The shingle hashes, packed as little-endian uint32 values (empty below MIN_WORDS words)."""
    found = words(text)
    if len(found) < MIN_WORDS:
        return b""
    sha1 = hashlib.sha1
    return b"".join([sha1(shingle).digest()[:4] for shingle in shingles(found)])
