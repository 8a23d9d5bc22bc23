"""The links every page makes, built in one place: to a document, a run, an alert, a watchlist or
an arsenal profile in the workbench, to the search narrowed to one value, and out to an address a
crawl found. A crawled address is hostile, so whether it may be a link at all is decided here
once, not by each page on its own terms."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlencode, urlsplit

from app.output import safe
from app.web.templating import url
from network.redaction import without_userinfo


def document_href(doc_id: str) -> str:
    """The document's page in the workbench, never the live site. The id is quoted whole: an id
    is ours, but quoting costs nothing and keeps a "/" or "?" in one from changing the route."""
    return "/doc/" + quote(doc_id, safe="")


def run_href(run_id: str) -> str:
    return "/runs/" + quote(run_id, safe="")


def alert_href(name: str) -> str:
    return "/alerts/" + quote(name, safe="")


def new_alert_href(query: str) -> str:
    """The form creating an alert, its query filled in (the search page's "Save as alert")."""
    return url("/alerts/new", q=query)


def watchlist_href(key: str) -> str:
    return "/watchlists/" + quote(key, safe="")


def search_href(filter_name: str, value: str) -> str:
    """The search page narrowed to one filter value (`/?f=weapon:AK-47`), as a facet link narrows it."""
    return "/?" + urlencode({"f": f"{filter_name}:{value}"})


def arsenal_href(group: str, params: Sequence[tuple[str, str]] = (), suffix: str = "") -> str:
    """An armed group's arsenal profile, with its filters (`params`); `suffix` names an export
    of it (".csv", ".graphml") or the evidence behind one of its numbers ("/evidence", `params`
    then adding that number's own: weapon, origin, category, supplier, strength)."""
    path = "/arsenal/" + quote(group, safe="") + suffix
    return f"{path}?{urlencode(params)}" if params else path


def external_url(url: str) -> str | None:
    """A crawled URL as a link may point at it: http or https with a host, without credentials;
    None for anything else (javascript:, data:, file:, a URL that does not parse), which is
    then shown as text only."""
    cleaned = safe(without_userinfo(url)).strip()
    try:
        parts = urlsplit(cleaned)
    except ValueError:  # an invalid IPv6 literal ("http://[bad"): no link, and no 500
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return cleaned
