"""The tables of the state stores, in one SQLAlchemy MetaData: the crawl ledger (and its robots.txt
cache), the scheduler's state, story signatures, alerts with their deliveries (and what arsenal
alerts know), and the workbench's users with their sessions.

One schema for SQLite and PostgreSQL: portable column types only, times as ISO-8601 text (they sort
as text), booleans as 0/1 integers as the files have always stored them. Each store creates its
tables in its migration steps (state/database.py); the shapes here are the latest version, and a
later change is a new step, never an edit of a released one. SQLite files have no choice of
column types to speak of, so the files these stores wrote before these definitions existed match
them (their DDL used the same names, keys and defaults).

The embedded index is not state: its FTS5 schema lives in index/sqlite/schema.py.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, LargeBinary, MetaData, PrimaryKeyConstraint, Table, Text, text

METADATA = MetaData()

# the crawl ledger (state/ledger.py) ------------------------------------------------------------

RUNS = Table(
    "runs",
    METADATA,
    Column("id", Text, primary_key=True),
    Column("watchlist", Text, nullable=False),
    Column("sources", Text, nullable=False),  # JSON list of source ids
    Column("started", Text, nullable=False),
    Column("finished", Text),
    Column("status", Text, nullable=False, server_default="running"),
    Column("pid", Integer),
)

OUTCOMES = Table(
    "outcomes",
    METADATA,
    Column("run_id", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("source_id", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default=""),
    Column("doc_id", Text),
    Column("fetched", Integer, nullable=False, server_default=text("0")),
    Column("change", Text, nullable=False, server_default=""),
    Column("at", Text, nullable=False),
    # a URL two sources list keeps each one's outcome (version 0 keyed by run and URL only)
    PrimaryKeyConstraint("run_id", "source_id", "url"),
    Index("outcomes_source", "source_id", "at"),
)

#: the first source of a run to ask for a page (extractors.links.page_identity) fetches it
CLAIMS = Table(
    "claims",
    METADATA,
    Column("run_id", Text, primary_key=True),
    Column("url", Text, primary_key=True),
    Column("source_id", Text, nullable=False),
)

RUN_STATS = Table(
    "run_stats",
    METADATA,
    Column("run_id", Text, primary_key=True),
    Column("name", Text, primary_key=True),
    Column("value", Float, nullable=False),
)

URLS = Table(
    "urls",
    METADATA,
    Column("url", Text, primary_key=True),
    Column("source_id", Text, nullable=False),
    Column("doc_id", Text),
    Column("first_seen", Text, nullable=False),
    Column("last_fetched", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_hash", Text),
    Column("content_hash", Text),
    Column("lastmod", Text),
)

#: robots.txt bodies by origin (scheme://host:port), kept between runs (crawlers/middlewares/robots_cache.py)
ROBOTS_CACHE = Table(
    "robots_cache",
    METADATA,
    Column("origin", Text, primary_key=True),
    Column("body", LargeBinary, nullable=False),
    Column("fetched", Text, nullable=False),
)

# the scheduler (state/scheduler.py), in the ledger's database --------------------------------

SOURCE_SCHEDULE = Table(
    "source_schedule",
    METADATA,
    Column("watchlist", Text, primary_key=True),
    Column("source_id", Text, primary_key=True),
    Column("schedule", Text, nullable=False, server_default=""),
    Column("next_run", Text),
    Column("last_started", Text),
    Column("last_finished", Text),
    Column("last_status", Text, nullable=False, server_default=""),
    Column("last_run_id", Text),
)

# story signatures (crawlers/pipelines/stories.py) -----------------------------------------------

SIGNATURES = Table(
    "signatures",
    METADATA,
    Column("doc_id", Text, primary_key=True),
    Column("story_id", Text, nullable=False),
    Column("signature", LargeBinary, nullable=False),  # NUM_PERM little-endian uint32 MinHash values
)

#: LSH bands: documents sharing a (band, key) are candidates of one story
BANDS = Table(
    "bands",
    METADATA,
    Column("band", Integer, primary_key=True, autoincrement=False),
    Column("key", LargeBinary, primary_key=True),
    Column("doc_id", Text, primary_key=True),
    sqlite_with_rowid=False,
)

# alerts and their delivery outbox (alerts/store.py) --------------------------------------------

ALERTS = Table(
    "alerts",
    METADATA,
    Column("name", Text, primary_key=True),
    Column("query", Text, nullable=False),
    Column("targets", Text, nullable=False),  # JSON list of targets
    Column("created", Text, nullable=False),
    Column("kind", Text, nullable=False, server_default="search"),  # "search" or "arsenal"
    Column("armed_group", Text, nullable=False, server_default=""),  # the arsenal kind's group
)

ALERT_RUNS = Table(
    "alert_runs",
    METADATA,
    Column("alert", Text, primary_key=True),
    Column("run_id", Text, primary_key=True),
)

DELIVERIES = Table(
    "deliveries",
    METADATA,
    Column("alert", Text, primary_key=True),
    Column("doc_id", Text, primary_key=True),
    Column("target", Text, primary_key=True),
    Column("run_id", Text, nullable=False, server_default=""),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("queued", Text, nullable=False),
    Column("delivered", Text),
    Index("deliveries_pending", "alert", "target", "status"),
)

#: what an arsenal alert knows its group was linked to, by a sentence of some document: weapon
#: categories and origin countries, each once, with the first evidence found for it. The links a
#: run brought first (known_from "run") are the alert's findings: their deliveries' doc_id is
#: "facet:value", not a document id
ARSENAL_LINKS = Table(
    "arsenal_links",
    METADATA,
    Column("alert", Text, primary_key=True),
    Column("facet", Text, primary_key=True),  # "category" or "origin"
    Column("value", Text, primary_key=True),  # a weapon category, or an ISO 3166-1 alpha-2 code
    Column("known_from", Text, nullable=False),  # "baseline" (at creation), "index" or "run"
    Column("doc_id", Text, nullable=False),
    Column("dated", Text, nullable=False),  # the document's date: published, else fetched
    Column("page", Integer),
    Column("relation", Text, nullable=False),  # the evidence: a schema.relations.Relation as JSON
    Column("run_id", Text, nullable=False, server_default=""),
    Column("found", Text, nullable=False),
)

# the capture catalog (captures/catalog.py): where each WARC record is, so a document's evidence is
# read by offset, a payload seen before is stored once, and a torn file is cut back on recovery ----

CAPTURE_FILES = Table(
    "capture_files",
    METADATA,
    Column("name", Text, primary_key=True),
    Column("created", Text, nullable=False),
    Column("size", Integer, nullable=False, server_default=text("0")),  # bytes of complete records
    Column("records", Integer, nullable=False, server_default=text("0")),
    Column("closed", Integer, nullable=False, server_default=text("0")),
    Column("pid", Integer),
)

CAPTURE_RECORDS = Table(
    "capture_records",
    METADATA,
    Column("record_id", Text, primary_key=True),
    Column("warc", Text, nullable=False),
    Column("offset", Integer, nullable=False),
    Column("length", Integer, nullable=False),
    Column("type", Text, nullable=False),  # response, revisit, request, resource
    Column("uri", Text, nullable=False),
    Column("date", Text, nullable=False),
    Column("payload_sha256", Text, nullable=False, server_default=""),
    Column("payload_length", Integer, nullable=False, server_default=text("0")),
    Column("refers_to", Text),  # a revisit's original record
    Column("concurrent_to", Text),  # a request's response; a rendered page's DOM and screenshot
    Column("status", Integer, nullable=False, server_default=text("0")),
    Column("ip", Text, nullable=False, server_default=""),
    Column("content_type", Text, nullable=False, server_default=""),
    Index("capture_records_payload", "payload_sha256", "type"),
    Index("capture_records_uri", "uri", "date"),
    Index("capture_records_concurrent", "concurrent_to"),
    Index("capture_records_file", "warc"),
)

#: the captures each document was made from, its earlier versions included
DOCUMENT_CAPTURES = Table(
    "document_captures",
    METADATA,
    Column("doc_id", Text, primary_key=True),
    Column("record_id", Text, primary_key=True),
    Column("content_hash", Text, nullable=False, server_default=""),
    Column("fetched_at", Text, nullable=False),
)

# workbench users, their sessions and failed logins (state/users.py) ----------------------------

USERS = Table(
    "users",
    METADATA,
    Column("name", Text, primary_key=True),
    Column("role", Text, nullable=False),  # viewer, editor, admin
    Column("password_hash", Text, nullable=False),  # argon2id, in its PHC string form
    Column("token_sha256", Text),  # the API token's digest (the token itself is shown once, never kept)
    Column("created", Text, nullable=False),
    Index("users_token", "token_sha256", unique=True),
)

#: signed-in browsers: keyed by the digest of the session id, so a copy of the file signs no one in
SESSIONS = Table(
    "sessions",
    METADATA,
    Column("id_sha256", Text, primary_key=True),
    Column("user_name", Text, nullable=False),
    Column("created", Text, nullable=False),
    Column("expires", Text, nullable=False),
    Index("sessions_user", "user_name"),
)

#: failed logins, counted by the name tried and by the address they came from (login throttling)
LOGIN_FAILURES = Table(
    "login_failures",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("at", Text, nullable=False),
    Index("login_failures_name", "name", "at"),
    Index("login_failures_address", "address", "at"),
)
