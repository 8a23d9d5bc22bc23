"""Saved searches that notify: after every crawl run, documents new since the last notification
that match an alert's query are delivered once (webhook, JSONL file, or e-mail).

model.py (Alert, Target) · store.py (alerts and the delivery outbox, in the data directory) ·
matching.py (a saved query run on the new documents only) · delivery.py (the three channels) ·
guard.py (where a delivery may go) · evaluate.py (what ties them together after a run) ·
backfill.py (`osint alert add --backfill`: what the index holds already, through the same outbox).

A second kind, the arsenal alert (`osint alert add NAME --arsenal GROUP`), watches an armed group
instead of a query and delivers each weapon category or origin country a sentence of a new
document links the group to for the first time: arsenal_links.py (those links, read from the
index) · arsenal.py (the baseline at creation, and what a run brings that is new).
"""
