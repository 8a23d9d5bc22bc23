from __future__ import annotations

from crawlers.documents import build_document, canonical_url_for, foreign_canonical, same_site
from crawlers.items import FetchedResource
from extractors import extract
from extractors.entities import EntityMention
from extractors.result import Extraction
from extractors.result import PageSpan as ExtractionPageSpan
from schema.document import Document, PageSpan
from schema.entities import DOCUMENT_ENTITY_SETS, EXTRACTED_ENTITY_SETS, Entity


def fetched(url: str, body: bytes = b"") -> FetchedResource:
    return FetchedResource(
        url=url,
        requested_url=url,
        source_id="s",
        watchlist="w",
        kind="page",
        status=200,
        content_type="text/html",
        body=body,
        tags=["un"],
    )


def test_a_page_cannot_claim_another_sites_url():
    assert (
        canonical_url_for(fetched("https://news.example.org/a?x=1#top"), "https://other.example.com/a")
        == "https://news.example.org/a?x=1"
    )
    assert canonical_url_for(fetched("https://example.org/a?utm=1"), "https://example.org/a") == "https://example.org/a"


def test_same_site_means_same_scheme_host_and_port():
    assert same_site("http://127.0.0.1:18083/a", "http://127.0.0.1:18083/b")
    assert same_site("https://Example.org/a", "https://example.org:443/b")  # the default port, written out
    assert same_site("http://example.org./a", "http://example.org:80/b")
    assert not same_site("http://127.0.0.1:18083/a", "http://127.0.0.1:18084/p5.html")  # another port, another source
    assert not same_site("http://example.org/a", "https://example.org/a")
    assert not same_site("https://www.example.org/a", "https://example.org/a")  # parent and child domains
    assert not same_site("https://blog.example.org/a", "https://shop.example.org/a")
    assert not same_site("http://example.org:99999/a", "http://example.org:99999/a")  # a malformed port matches nothing


def test_a_canonical_on_another_site_is_recorded_not_adopted():
    item = fetched("http://127.0.0.1:18083/claim.html")
    assert canonical_url_for(item, "http://127.0.0.1:18084/p5.html") == "http://127.0.0.1:18083/claim.html"
    assert foreign_canonical(item, "http://127.0.0.1:18084/p5.html") == "http://127.0.0.1:18084/p5.html"
    assert foreign_canonical(item, "http://127.0.0.1:18083/other.html") == ""  # adopted: nothing to record
    assert foreign_canonical(item, "http://127.0.0.1:18083/claim.html") == ""


def test_build_document_carries_entities_and_a_stable_id():
    html = (
        b"<html lang='en'><head><title>Kornet missiles in convoy</title></head><body><article><p>Sudanese officials said "
        b"the convoy carried Kornet missiles and Type 56 rifles bound for the Rapid Support Forces, according to "
        b"photographs reviewed by investigators and shipping records from the port.</p></article></body></html>"
    )
    item = fetched("https://news.example.org/convoy", html)
    document = build_document(item, extract(html, url=item.url))
    again = build_document(item, extract(html, url=item.url))
    assert document.id == again.id and document.content_hash == again.content_hash
    assert "Type 56" in document.weapons and "SD" in document.countries
    assert "Rapid Support Forces" in document.armed_groups
    assert document.tags == ["un"] and document.language == "en"
    assert all(document.text[e.start : e.end] == e.text for e in document.entities if "field" not in e.attributes)


def test_one_entity_schema_from_extraction_to_document():
    """The extractor's mentions, page spans and sets are the schema's own models; a Document keeps
    the document sets (last, as stored) and leaves the model-proposed groups to the extraction."""
    assert EntityMention is Entity and ExtractionPageSpan is PageSpan
    assert (*DOCUMENT_ENTITY_SETS, "proposed_groups") == EXTRACTED_ENTITY_SETS
    assert tuple(Document.model_fields)[-len(DOCUMENT_ENTITY_SETS) :] == DOCUMENT_ENTITY_SETS
    fields = tuple(Document.model_fields)
    assert fields[-len(DOCUMENT_ENTITY_SETS) - 3 : -len(DOCUMENT_ENTITY_SETS)] == (
        "entities",
        "relations",
        "origin_statements",
    )
    assert set(EXTRACTED_ENTITY_SETS) <= set(Extraction.model_fields) and "proposed_groups" not in Document.model_fields

    item = fetched("https://news.example.org/listed")
    item.hints = {"title": "From the feed"}
    extraction = Extraction(
        url=item.url,
        canonical_url=item.url,
        content_type="text/html",
        method="plain",
        text="Mortar rounds in a lorry.",
        pages=[PageSpan(page=1, start=0, end=25)],
        entities=[{"label": "WEAPON", "text": "Mortar", "start": 0, "end": 6, "canonical": "mortar"}],
        weapon_categories=["mortar"],
        proposed_groups=["Lorry Brigade"],
    )
    document = build_document(item, extraction)
    assert document.title == "From the feed" and document.weapon_categories == ["mortar"]
    assert document.entities == [Entity(label="WEAPON", text="Mortar", start=0, end=6, canonical="mortar")]
    assert document.page_at(3) == 1 and document.pages[0] is not extraction.pages[0]
