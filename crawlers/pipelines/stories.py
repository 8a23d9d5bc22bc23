"""Near-duplicate detection: syndicated copies of one story (a wire report republished by many
outlets) share a `story_id`, so search can collapse them (`--collapse`, filter `story:`).

Each document's text becomes a set of 3-word shingles and a 128-permutation MinHash (datasketch).
Locality-sensitive hashing finds candidates: the signature is cut into bands (sized by datasketch
for the threshold), and documents sharing any band are compared on their full signatures. A
document whose estimated Jaccard similarity with an earlier one reaches `OSINT_STORY_THRESHOLD`
(default 0.5) joins its story; otherwise it starts a story named by its own id.

Bands and signatures persist in ``data_dir/stories.sqlite3``, so copies are linked across runs
and across the crawl processes the scheduler starts in parallel (SQLite serialises the writers).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH
from scrapy.crawler import Crawler

from crawlers.items import FetchedResource

NUM_PERM = 128
SHINGLE_WORDS = 3
MIN_WORDS = 30  # below this, "similar" is mostly boilerplate: such documents keep their own story

_WORD = re.compile(r"\w+", re.UNICODE)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS signatures (doc_id TEXT PRIMARY KEY, story_id TEXT NOT NULL, signature BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bands (band INTEGER NOT NULL, key BLOB NOT NULL, doc_id TEXT NOT NULL,
                                  PRIMARY KEY (band, key, doc_id)) WITHOUT ROWID;
"""


def shingles(words: list[str]) -> set[bytes]:
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(max(0, len(words) - SHINGLE_WORDS + 1))}


class StoryIndex:
    def __init__(self, path: Path | str, threshold: float = 0.5):
        self.threshold = threshold
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.bands, self.rows = lsh.b, lsh.r
        template = MinHash(num_perm=NUM_PERM, seed=1)  # permutations are costly to build: once, then shared
        self.permutations, self.scheme = template.permutations, template.scheme
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, no fsync per document
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def signature(self, text: str) -> np.ndarray | None:
        words = _WORD.findall(text.lower())
        if len(words) < MIN_WORDS:
            return None
        minhash = MinHash(num_perm=NUM_PERM, permutations=self.permutations, scheme=self.scheme)
        minhash.update_batch(list(shingles(words)))
        return minhash.hashvalues.astype(np.uint32)

    def _band_keys(self, signature: np.ndarray) -> list[tuple[int, bytes]]:
        return [
            (
                band,
                hashlib.blake2b(
                    signature[band * self.rows : (band + 1) * self.rows].tobytes(), digest_size=12
                ).digest(),
            )
            for band in range(self.bands)
        ]

    def assign(self, doc_id: str, text: str) -> str:
        """The story `doc_id` belongs to, recording its signature for the documents that follow."""
        signature = self.signature(text)
        if signature is None:
            return doc_id
        keys = self._band_keys(signature)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            story = self._closest_story(doc_id, signature, keys) or doc_id
            self.db.execute("DELETE FROM bands WHERE doc_id = ?", (doc_id,))  # a changed text moves its bands
            self.db.execute(
                "INSERT OR REPLACE INTO signatures (doc_id, story_id, signature) VALUES (?, ?, ?)",
                (doc_id, story, signature.tobytes()),
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO bands (band, key, doc_id) VALUES (?, ?, ?)",
                [(band, key, doc_id) for band, key in keys],
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return story

    def _closest_story(self, doc_id: str, signature: np.ndarray, keys: list[tuple[int, bytes]]) -> str | None:
        candidates: set[str] = set()
        for band, key in keys:
            candidates.update(
                row[0] for row in self.db.execute("SELECT doc_id FROM bands WHERE band = ? AND key = ?", (band, key))
            )
        candidates.discard(doc_id)
        best, best_similarity = None, self.threshold
        for candidate in sorted(candidates):
            row = self.db.execute(
                "SELECT story_id, signature FROM signatures WHERE doc_id = ?", (candidate,)
            ).fetchone()
            if row is None:
                continue
            similarity = float(np.mean(np.frombuffer(row[1], dtype=np.uint32) == signature))
            if similarity >= best_similarity:
                best, best_similarity = row[0], similarity
        return best


class StoryPipeline:
    """Sets `Document.story_id` between extraction and indexing."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.path = Path(crawler.settings.get("OSINT_DATA_DIR")) / "stories.sqlite3"
        self.threshold = crawler.settings.getfloat("OSINT_STORY_THRESHOLD", 0.5)
        self.index: StoryIndex | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoryPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.index = StoryIndex(self.path, self.threshold)

    def close_spider(self) -> None:
        if self.index is not None:
            self.index.close()

    def process_item(self, item: FetchedResource) -> FetchedResource:
        document = item.document
        story = self.index.assign(document.id, document.text)
        if story != document.id:
            self.crawler.stats.inc_value("osint/stories/linked")
        item.document = document.model_copy(update={"story_id": story})
        return item
