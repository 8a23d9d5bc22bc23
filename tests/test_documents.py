from __future__ import annotations

from crawlers.documents import build_document, canonical_url_for
from crawlers.items import FetchedResource
from extractors import extract


def fetched(url: str, body: bytes = b"") -> FetchedResource:
    return FetchedResource(url=url, requested_url=url, source_id="s", watchlist="w", kind="page", status=200,
                           content_type="text/html", body=body, tags=["un"])


def test_a_page_cannot_claim_another_sites_url():
    assert canonical_url_for(fetched("https://news.example.org/a?x=1#top"), "https://other.example.com/a") == "https://news.example.org/a?x=1"
    assert canonical_url_for(fetched("https://www.example.org/a?utm=1"), "https://example.org/a") == "https://example.org/a"


def test_build_document_carries_entities_and_a_stable_id():
    html = (b"<html lang='en'><head><title>Kornet missiles in convoy</title></head><body><article><p>Sudanese officials said "
            b"the convoy carried Kornet missiles and Type 56 rifles bound for the Rapid Support Forces, according to "
            b"photographs reviewed by investigators and shipping records from the port.</p></article></body></html>")
    item = fetched("https://news.example.org/convoy", html)
    document = build_document(item, extract(html, url=item.url))
    again = build_document(item, extract(html, url=item.url))
    assert document.id == again.id and document.content_hash == again.content_hash
    assert "Type 56" in document.weapons and "SD" in document.countries
    assert "Rapid Support Forces" in document.armed_groups
    assert document.tags == ["un"] and document.language == "en"
    assert all(document.text[e.start:e.end] == e.text for e in document.entities if "field" not in e.attributes)
