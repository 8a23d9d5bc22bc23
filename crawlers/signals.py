"""Custom Scrapy signals. Components report what became of a URL; the ledger extension listens."""

#: sent with url, source_id, outcome ("indexed", "unchanged", "skipped", "failed", "followed"),
#: reason (short, groupable), detail, doc_id, fetched (a response was received), change ("new"/"changed").
url_outcome = object()
