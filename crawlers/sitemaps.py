"""Sitemaps, news sitemaps and sitemap indexes, parsed with entity resolution and network access off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import lxml.etree

from crawlers.outcomes import ListingError
from extractors.dates import parse_date


class SitemapError(ListingError):
    pass


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: datetime | None
    is_sitemap: bool  # an index entry pointing at another sitemap
    title: str = ""
    published: datetime | None = None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_sitemap(body: bytes) -> list[SitemapEntry]:
    try:
        parser = lxml.etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            recover=True,
        )
        root = lxml.etree.fromstring(body, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise SitemapError("malformed_sitemap", str(exc)) from None
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        raise SitemapError("malformed_sitemap", "root element is neither urlset nor sitemapindex")
    is_index = _local(root.tag) == "sitemapindex"
    entries = []
    for element in root:
        if _local(element.tag) not in ("url", "sitemap"):
            continue
        fields: dict[str, str] = {}
        for child in element.iter():
            name = _local(child.tag)
            if name and child.text and name not in fields:
                fields[name] = child.text.strip()
        if not fields.get("loc"):
            continue
        entries.append(
            SitemapEntry(
                url=fields["loc"],
                lastmod=parse_date(fields.get("lastmod")),
                is_sitemap=is_index,
                title=fields.get("title", ""),
                published=parse_date(fields.get("publication_date")),
            )
        )
    return entries
