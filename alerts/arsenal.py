"""Arsenal alerts: an armed group linked, by a sentence, to a weapon category or an origin country
it was never linked to before.

The baseline: when the alert is saved, every category and origin the index already links the
group to is recorded as known (nothing fires for history). After each run, the documents the run
indexed (new or changed) are read for the group's links (alerts/arsenal_links.py); a link the
alert does not know is a candidate. Before it fires, the rest of the index is asked once for the
candidates: a link that another document holds already (one indexed by a run that began before
the alert was saved, or imported) is recorded as known, silently. What is left are findings:
each fires once, with the earliest document of the run that brought it as evidence, and is known
from then on, so a re-crawl of that document, or the next document saying the same, fires nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from alerts.arsenal_links import ArsenalLink, first_links
from alerts.model import Alert
from alerts.store import AlertStore, refuse_taken_name
from index.backend import IndexBackend


@dataclass
class NewLinks:
    """What an arsenal alert found among the documents of the runs it had not looked at."""

    findings: list[ArsenalLink]  # links never seen before: what the alert delivers
    known: list[ArsenalLink]  # links those runs brought that other documents held already


def by_date(links: Sequence[ArsenalLink]) -> list[ArsenalLink]:
    return sorted(links, key=lambda link: (link.dated, link.doc_id, link.relation.start, link.key))


def new_links(backend: IndexBackend, alert: Alert, known: set[str], doc_ids: Sequence[str]) -> NewLinks:
    """The links the documents `doc_ids` (a run's) make for `alert`'s group that are not `known`
    and that no other document of the index makes."""
    if not doc_ids:
        return NewLinks([], [])
    backend.refresh()  # the run's writes visible
    brought = first_links(backend, alert.group, doc_ids)
    candidates = {key: link for key, link in brought.items() if key not in known}
    elsewhere = first_links(backend, alert.group, excluding=set(doc_ids), wanted=set(candidates))
    findings = [link for key, link in candidates.items() if key not in elsewhere]
    return NewLinks(by_date(findings), by_date(list(elsewhere.values())))


def baseline(backend: IndexBackend, group: str) -> list[ArsenalLink]:
    """Every category and origin the index links `group` to now, each with its earliest evidence."""
    backend.refresh()
    return by_date(list(first_links(backend, group).values()))


def add_arsenal_alert(store: AlertStore, backend: IndexBackend, alert: Alert) -> list[ArsenalLink]:
    """Save `alert` with its baseline (returned). AlertExists, before the index is read, if the
    name is taken; the backend's error (OSError, ConnectionError) if the index cannot be read,
    and then nothing is saved."""
    refuse_taken_name(store, alert.name)
    known = baseline(backend, alert.group)
    store.add(alert, baseline=known)
    return known
