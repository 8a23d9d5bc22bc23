"""Canonical URL and outbound links of an HTML page, as absolute http(s) URLs."""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

from lxml.html import HtmlElement

MAX_LINKS = 500
MAX_URL_CHARS = 2_048
#: File names a web server answers a directory URL with. Only the static ones: /forum/ and
#: /forum/index.html are one page on practically every server, whereas index.php, default.aspx and
#: the like are often routes of their own, so treating them as the directory could lose a page.
DIRECTORY_INDEXES = ("index.html", "index.htm")


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


def page_identity(url: str) -> str:
    """The URL naming the page at `url`: without fragment, and with a trailing directory index
    dropped (`/forum/index.html` -> `/forum/`), so both forms of a page are one page to a crawl
    and one document in the index. Case matters: paths are case-sensitive on most servers."""
    url = page_url(url)
    try:
        parts = urlsplit(url)
    except ValueError:  # malformed IPv6 literals and the like: no path to normalise
        return url
    directory, _, name = parts.path.rpartition("/")
    if name not in DIRECTORY_INDEXES or not parts.netloc:
        return url
    return urlunsplit(parts._replace(path=directory + "/"))


def base_url(tree: HtmlElement, url: str) -> str:
    """The document's first <base href> when it is a usable http(s) URL, else the page URL."""
    href = next((base.get("href") for base in tree.iter("base") if "href" in base.attrib), None)
    return (absolute_http_url(href, url) if href is not None else None) or url


def canonical_url(tree: HtmlElement, url: str) -> str:
    for link in tree.iter("link"):
        href = link.get("href")
        if href is not None and "canonical" in (link.get("rel") or "").lower().split():
            resolved = absolute_http_url(href, url)
            if resolved:
                return resolved
    return page_identity(url)


def outbound_links(tree: HtmlElement, url: str) -> list[str]:
    """Every distinct http(s) link target in document order, except the page itself; at most MAX_LINKS."""
    base = base_url(tree, url)
    own = page_url(url)
    links: list[str] = []
    seen = {own}
    read: set[str] = set()  # hrefs already resolved: menus repeat theirs
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if href is None or href in read:
            continue
        read.add(href)
        resolved = absolute_http_url(href, base)
        if resolved and resolved not in seen:
            seen.add(resolved)
            links.append(resolved)
            if len(links) >= MAX_LINKS:
                break
    return links
