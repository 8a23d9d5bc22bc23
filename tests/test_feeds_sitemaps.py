from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawlers.feeds import FeedError, parse_feed
from crawlers.sitemaps import SitemapEntry, SitemapError, parse_sitemap

RSS = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Ministry</title>
<item><title>Statement on export licences</title><link>/press/1</link><pubDate>Tue, 04 Mar 2025 09:00:00 GMT</pubDate></item>
<item><title>No link</title></item></channel></rss>"""
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Monitor</title>
<entry><title>Drones seized</title><link href="https://monitor.example.org/a"/><updated>2025-01-02T10:00:00Z</updated></entry></feed>"""
RDF = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="x"><title>t</title></channel><item rdf:about="https://e.org/r"><title>R</title><link>https://e.org/r</link></item></rdf:RDF>"""


def test_rss_atom_and_rdf_entries():
    rss = parse_feed(RSS, "https://gov.example.org/rss.xml")
    assert [(e.url, e.title) for e in rss] == [("https://gov.example.org/press/1", "Statement on export licences")]
    assert rss[0].published == datetime(2025, 3, 4, 9, tzinfo=UTC)
    assert parse_feed(ATOM, "https://monitor.example.org/feed")[0].updated == datetime(2025, 1, 2, 10, tzinfo=UTC)
    assert parse_feed(RDF, "https://e.org/rdf")[0].url == "https://e.org/r"


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"", "empty_feed"),
        (b"<rss><channel><item><title>cut", "malformed_feed"),
        (b"<html><body>not a feed</body></html>", "malformed_feed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss><channel><item><title>&b;</title><link>/x</link></item></channel></rss>',
            "feed_entity_expansion",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY ext SYSTEM "file:///etc/passwd">]><rss><channel><item><title>&ext;</title><link>/x</link></item></channel></rss>',
            "feed_entity_expansion",
        ),
    ],
)
def test_bad_feeds_have_a_reason(body, reason):
    with pytest.raises(FeedError) as error:
        parse_feed(body, "https://e.org/feed")
    assert error.value.reason == reason


def test_sitemap_index_urlset_and_news():
    index = parse_sitemap(b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sitemap><loc>https://e.org/s1.xml</loc><lastmod>2025-02-01</lastmod></sitemap></sitemapindex>""")
    assert index[0].is_sitemap and index[0].lastmod == datetime(2025, 2, 1, tzinfo=UTC)
    news = parse_sitemap(b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
        <url><loc>https://e.org/a</loc><news:news><news:publication_date>2025-05-08T12:00:00+02:00</news:publication_date>
        <news:title>Rifles traced</news:title></news:news></url><url><lastmod>2025</lastmod></url></urlset>""")
    assert [(e.url, e.title, e.is_sitemap) for e in news] == [("https://e.org/a", "Rifles traced", False)]
    assert news[0].published == datetime(2025, 5, 8, 10, tzinfo=UTC)


def test_sitemaps_never_expand_entities():
    body = b"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/hostname">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://e.org/&x;</loc></url></urlset>"""
    entries = parse_sitemap(body)
    # the external entity is dropped, not resolved: the file's content never reaches a URL
    assert entries == [SitemapEntry(url="https://e.org/", lastmod=None, is_sitemap=False, title="", published=None)]
    assert Path("/etc/hostname").read_text().strip() not in entries[0].url


def test_not_a_sitemap():
    with pytest.raises(SitemapError):
        parse_sitemap(b"<html><body>hello</body></html>")
