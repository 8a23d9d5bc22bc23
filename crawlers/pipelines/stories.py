"""Near-duplicate detection: syndicated copies of one story (a wire report republished by many
outlets) share a `story_id`, so search can collapse them (`--collapse`, filter `story:`).

Each document's text becomes a set of 3-word shingles, hashed in the extraction worker
(extractors/fingerprint.py), and a 128-permutation MinHash of those hashes (datasketch).
Locality-sensitive hashing finds candidates: the signature is cut into bands (sized by datasketch
for the threshold), and documents sharing any band are compared on their full signatures. A
document whose estimated Jaccard similarity with an earlier one reaches `OSINT_STORY_THRESHOLD`
(default 0.5) joins its story; otherwise it starts a story named by its own id.

Bands and signatures persist in ``data_dir/stories.sqlite3`` (tables in state/tables.py, through
state/database.py), so copies are linked across runs and across the crawl processes the scheduler
starts in parallel: each assignment is one write transaction, so SQLite serialises the writers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH
from scrapy.crawler import Crawler
from sqlalchemy import Connection, and_, bindparam, or_, select
from sqlalchemy import text as sql

from crawlers.items import FetchedResource
from settings.config import from_crawler_settings
from state import tables
from state.database import Database, Migrations, run

NUM_PERM = 128


def _create_tables(connection: Connection) -> None:
    tables.METADATA.create_all(connection, [tables.SIGNATURES, tables.BANDS], checkfirst=True)


#: the story store's schema history
MIGRATIONS = Migrations("stories", [_create_tables])

_EARLIER_SIGNATURE = sql("SELECT signature FROM signatures WHERE doc_id = :doc_id")
# by the whole primary key: `bands` has no index on doc_id, and a scan per document made the story
# index quadratic in the documents it holds (2,000 documents: 2 s of the crawler's CPU)
_DROP_BAND = sql("DELETE FROM bands WHERE band = :band AND key = :key AND doc_id = :doc_id")
_SAVE_SIGNATURE = sql(
    "INSERT INTO signatures (doc_id, story_id, signature) VALUES (:doc_id, :story_id, :signature) "
    "ON CONFLICT (doc_id) DO UPDATE SET story_id = excluded.story_id, signature = excluded.signature"
)
_SAVE_BAND = sql(
    "INSERT INTO bands (band, key, doc_id) VALUES (:band, :key, :doc_id) ON CONFLICT (band, key, doc_id) DO NOTHING"
)


class StoryIndex:
    def __init__(self, path: Path | str, threshold: float = 0.5):
        self.threshold = threshold
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.bands, self.rows = lsh.b, lsh.r
        template = MinHash(num_perm=NUM_PERM, seed=1)  # permutations are costly to build: once, then shared
        self.permutations, self.scheme = template.permutations, template.scheme
        # WAL with synchronous=NORMAL: durable at checkpoints, no fsync per document
        self.database = Database(path, busy_timeout=60, synchronous="NORMAL", migrations=MIGRATIONS)
        #: the signatures of the documents sharing any (band, key) with a signature: one statement,
        #: an indexed lookup per band
        bands, signatures = tables.BANDS.c, tables.SIGNATURES.c
        sharing = select(bands.doc_id).where(
            or_(
                *(
                    and_(bands.band == bindparam(f"band{band}"), bands.key == bindparam(f"key{band}"))
                    for band in range(self.bands)
                )
            )
        )
        self._candidates = select(signatures.doc_id, signatures.story_id, signatures.signature).where(
            signatures.doc_id.in_(sharing)
        )

    def close(self) -> None:
        self.database.close()

    def signature(self, fingerprint: bytes) -> np.ndarray | None:
        """The MinHash of a text's fingerprint (extractors/fingerprint.py); None for a text too
        short to have one."""
        if not fingerprint:
            return None
        # the shingles come hashed already: datasketch applies the permutations to the hashes
        minhash = MinHash(num_perm=NUM_PERM, permutations=self.permutations, scheme=self.scheme, hashfunc=int)
        minhash.update_batch(np.frombuffer(fingerprint, dtype="<u4").tolist())
        values: np.ndarray = minhash.hashvalues.astype(np.uint32)
        return values

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

    def assign(self, doc_id: str, fingerprint: bytes) -> str:
        """The story `doc_id` (whose text has `fingerprint`) belongs to, recording its signature
        for the documents that follow."""
        signature = self.signature(fingerprint)
        if signature is None:
            return doc_id
        keys = self._band_keys(signature)
        with self.database.write() as connection:  # the lookup and the writes: one writer at a time
            story = self._closest_story(connection, doc_id, signature, keys) or doc_id
            earlier = run(connection, _EARLIER_SIGNATURE, {"doc_id": doc_id}).fetchone()
            if earlier is not None and earlier[0] == signature.tobytes():
                stale, fresh = [], []  # the same signature: the same bands
            else:
                # a changed text moves its bands; had the threshold changed since (other bands), the
                # rows left behind only add candidates, which are compared on whole signatures
                stale = self._band_keys(np.frombuffer(earlier[0], dtype=np.uint32)) if earlier is not None else []
                fresh = keys
            if stale:
                run(connection, _DROP_BAND, [{"band": band, "key": key, "doc_id": doc_id} for band, key in stale])
            run(connection, _SAVE_SIGNATURE, {"doc_id": doc_id, "story_id": story, "signature": signature.tobytes()})
            if fresh:
                run(connection, _SAVE_BAND, [{"band": band, "key": key, "doc_id": doc_id} for band, key in fresh])
        return story

    def _closest_story(
        self, connection: Connection, doc_id: str, signature: np.ndarray, keys: list[tuple[int, bytes]]
    ) -> str | None:
        params: dict[str, int | bytes] = {}
        for band, key in keys:
            params[f"band{band}"], params[f"key{band}"] = band, key
        best, best_similarity = None, self.threshold
        for candidate, story, packed in sorted(run(connection, self._candidates, params).fetchall()):
            if candidate == doc_id:
                continue
            similarity = float(np.mean(np.frombuffer(packed, dtype=np.uint32) == signature))
            if similarity >= best_similarity:
                best, best_similarity = story, similarity
        return best


class StoryPipeline:
    """Sets `Document.story_id` between extraction and indexing."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        config = from_crawler_settings(crawler.settings)
        self.path = config.data_dir / "stories.sqlite3"
        self.threshold = config.story_threshold
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
        assert self.index is not None, "open_spider opens the story index"
        document = item.document
        story = self.index.assign(document.id, item.fingerprint)
        if story != document.id:
            self.crawler.stats.inc_value("osint/stories/linked")
        item.document = document.model_copy(update={"story_id": story})
        return item
