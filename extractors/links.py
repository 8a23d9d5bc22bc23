"""Canonical URL and outbound links of an HTML page, as absolute http(s) URLs."""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

MAX_LINKS = 500
MAX_URL_CHARS = 2_048


def absolute_http_url(href: str, base: str) -> str | None:
    """`href` resolved against `base`, without fragment; None unless the result is http(s)."""
    href = href.strip()
    if not href or len(href) > MAX_URL_CHARS:
        return None
    try:
        resolved, _fragment = urldefrag(urljoin(base, href))
        parts = urlsplit(resolved)
    except ValueError:  # malformed IPv6 literals and the like
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return resolved


def page_url(url: str) -> str:
    """`url` without its fragment (tolerates malformed URLs, which urldefrag rejects)."""
    return url.split("#", 1)[0]


def base_url(soup: BeautifulSoup, url: str) -> str:
    """The document's <base href> when it is a usable http(s) URL, else the page URL."""
    base = soup.find("base", href=True)
    if isinstance(base, Tag):
        resolved = absolute_http_url(str(base["href"]), url)
        if resolved:
            return resolved
    return url


def canonical_url(soup: BeautifulSoup, url: str) -> str:
    for link in soup.find_all("link", href=True):
        rel = link.get("rel") or []
        rels = rel.split() if isinstance(rel, str) else rel
        if "canonical" in (r.lower() for r in rels):
            resolved = absolute_http_url(str(link["href"]), url)
            if resolved:
                return resolved
    return page_url(url)


def outbound_links(soup: BeautifulSoup, url: str) -> list[str]:
    """Every distinct http(s) link target in document order, except the page itself; at most MAX_LINKS."""
    base = base_url(soup, url)
    own = page_url(url)
    links: list[str] = []
    seen = {own}
    for anchor in soup.find_all("a", href=True):
        resolved = absolute_http_url(str(anchor["href"]), base)
        if resolved and resolved not in seen:
            seen.add(resolved)
            links.append(resolved)
            if len(links) >= MAX_LINKS:
                break
    return links
