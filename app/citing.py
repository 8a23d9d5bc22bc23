"""Citations of a collected document, as plain text, Markdown, BibTeX and CSL-JSON (Zotero and
other reference managers import CSL-JSON). Shared by `osint cite` and anything else that cites.

Every field comes from crawled content, which is hostile: each format escapes what its readers
would otherwise interpret (Markdown link syntax, BibTeX braces and TeX specials), and control
characters and terminal escapes are removed before any of it.

A citation states where the preserved copy is (when the crawl kept one, `Document.capture`):
the UTC time it was captured and the SHA-256 of the bytes as served, which anyone holding the
WARC file can check. Without a capture it says so rather than inventing a digest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from app.output import safe
from network.redaction import redact_url
from schema.document import Document

Style = Literal["text", "markdown", "bibtex", "csl-json"]
STYLES: tuple[Style, ...] = ("text", "markdown", "bibtex", "csl-json")
NO_CAPTURE = "no capture preserved"


def clean(text: str) -> str:
    """One line of crawled text with no escape sequence or control character left."""
    return safe(text).strip()


@dataclass(frozen=True)
class Citation:
    """What every style cites, taken once from the document and cleaned."""

    id: str
    title: str
    publisher: str
    authors: tuple[str, ...]
    published: date | None
    url: str
    accessed: datetime  # when the cited copy was fetched (the capture's time when there is one)
    captured: datetime | None
    sha256: str | None  # of the payload as served, from the capture
    paginated: bool  # a PDF or other paged document rather than a web page
    page: int | None
    language: str

    @property
    def provenance(self) -> str:
        """Where the cited copy is kept: "captured <UTC time>, SHA-256 <digest>", or when it was
        read and that no copy was kept."""
        if self.captured is None or not self.sha256:
            return f"accessed {long_date(self.accessed.date())}; {NO_CAPTURE}"
        return f"captured {utc(self.captured)}, SHA-256 {self.sha256}"

    @property
    def dated(self) -> str:
        """The publication date ("5 March 2024", or "undated"), then the page cited (", p. 3")."""
        day = long_date(self.published) if self.published else "undated"
        return day + (f", p. {self.page}" if self.page is not None else "")


def citation(document: Document, page: int | None = None) -> Citation:
    capture = document.capture
    return Citation(
        id=document.id,
        title=clean(document.title) or "(untitled)",
        publisher=publisher(document),
        authors=tuple(name for name in map(clean, document.authors) if name),
        published=document.published.astimezone(UTC).date() if document.published else None,
        url=clean(redact_url(document.url)),  # a private feed's URL may carry user:password@
        accessed=(capture.fetched_at if capture else document.fetched).astimezone(UTC),
        captured=capture.fetched_at.astimezone(UTC) if capture else None,
        sha256=clean(capture.payload_sha256) if capture else None,
        paginated=bool(document.pages) or document.content_type == "application/pdf",
        page=page,
        language=document.language if document.language not in ("", "und") else "",
    )


def publisher(document: Document) -> str:
    """The site's name: the host the document was served from, without "www.". A Document has no
    publisher field (pages rarely declare one reliably), and the host is what a reader can check
    against the URL; the source id is only a label in the analyst's watchlist, so it serves
    only when the URL has no host."""
    try:
        host = urlsplit(document.url).hostname or ""
    except ValueError:  # a crawled URL that does not parse ("http://[bad"): no host to name
        host = ""
    return clean(host.removeprefix("www.")) or clean(document.source_id)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def render(document: Document, style: Style, page: int | None = None) -> str:
    """The citation of `document` in `style` (for a paged document, `page` is the page cited)."""
    cited = citation(document, page)
    if style == "markdown":
        return as_markdown(cited)
    if style == "bibtex":
        return as_bibtex(cited)
    if style == "csl-json":
        return json.dumps([as_csl(cited)], ensure_ascii=False, indent=2)
    return as_text(cited)


# -- plain text --------------------------------------------------------------------------------


def as_text(cited: Citation) -> str:
    authors = f"{', '.join(cited.authors)}. " if cited.authors else ""
    return f"{authors}“{cited.title}”. {cited.publisher}, {cited.dated}. {cited.url} ({cited.provenance})"


# -- Markdown ----------------------------------------------------------------------------------

#: what Markdown gives a meaning to anywhere in a line (CommonMark lets any ASCII punctuation be
#: escaped with a backslash, and the escaped character is then shown as itself)
_MARKDOWN_INLINE = re.compile(r"([\\`*_{}\[\]()<>!|~&#$])")
#: what starts a block at the beginning of a line: a list item, a quote, a heading, a rule
_MARKDOWN_LINE_START = re.compile(r"^(\d{1,9})([.)])|^([-+=>#])")


def markdown_escape(text: str) -> str:
    return _MARKDOWN_INLINE.sub(r"\\\1", text)


def markdown_url(url: str) -> str:
    """A link destination in angle brackets, so parentheses and spaces cannot end it early; what
    could still end or escape it is percent-encoded."""
    return "<" + re.sub(r"[<>\\\s]", lambda match: f"%{ord(match[0]):02X}", url) + ">"


def as_markdown(cited: Citation) -> str:
    authors = f"{markdown_escape(', '.join(cited.authors))}. " if cited.authors else ""
    line = (
        f"{authors}[{markdown_escape(cited.title)}]({markdown_url(cited.url)}). "
        f"*{markdown_escape(cited.publisher)}*, {cited.dated}. {markdown_escape(sentence(cited.provenance))}."
    )
    return _MARKDOWN_LINE_START.sub(lambda match: f"{match[1]}\\{match[2]}" if match[1] else f"\\{match[3]}", line)


# -- BibTeX (biblatex @online) -----------------------------------------------------------------

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_TEX_SPECIAL = re.compile("[" + re.escape("".join(_TEX_SPECIALS)) + "]")


def bibtex_escape(text: str) -> str:
    """Every TeX special escaped, so no brace can close the field early (or leave it open) and
    nothing is read as a command, a comment or math."""
    return _TEX_SPECIAL.sub(lambda match: _TEX_SPECIALS[match[0]], text)


def bibtex_url(url: str) -> str:
    """The URL for a verbatim field: biber reads it as is, so only what would unbalance the
    field's braces (or break the line) is percent-encoded, which leaves the URL the same resource."""
    return re.sub(r"[{}\\\s]", lambda match: f"%{ord(match[0]):02X}", url)


def bibtex_key(cited: Citation) -> str:
    """Stable across runs: the site, the year and the start of the document id (itself the hash
    of the canonical URL), letters and digits only."""
    site = re.sub(r"[^a-z0-9]", "", cited.publisher.lower())[:24] or "doc"
    year = str(cited.published.year) if cited.published else "nd"
    return f"{site}{year}-{re.sub(r'[^A-Za-z0-9]', '', cited.id)[:12]}"


def as_bibtex(cited: Citation) -> str:
    fields: list[tuple[str, str]] = [("title", "{" + bibtex_escape(cited.title) + "}")]  # kept as cased
    if cited.authors:
        # each name braced: a crawled byline ("Staff and agencies") is not split into first and last names
        fields.append(("author", " and ".join("{" + bibtex_escape(name) + "}" for name in cited.authors)))
    fields.append(("organization", bibtex_escape(cited.publisher)))
    if cited.published:
        fields.append(("date", cited.published.isoformat()))
    fields.append(("url", bibtex_url(cited.url)))
    fields.append(("urldate", cited.accessed.date().isoformat()))
    if cited.page is not None:
        fields.append(("pages", str(cited.page)))
    if cited.language:
        fields.append(("langid", bibtex_escape(cited.language)))
    fields.append(("note", bibtex_escape(sentence(cited.provenance))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{bibtex_key(cited)},\n{body}\n}}"


# -- CSL-JSON ----------------------------------------------------------------------------------


def date_parts(day: date) -> dict[str, list[list[int]]]:
    return {"date-parts": [[day.year, day.month, day.day]]}


def as_csl(cited: Citation) -> dict[str, Any]:
    """One CSL-JSON item (the CSL data schema): a "webpage", or a "document" when it has pages."""
    item: dict[str, Any] = {
        "id": cited.id,
        "type": "document" if cited.paginated else "webpage",
        "title": cited.title,
        "container-title": cited.publisher,
        "URL": cited.url,
        "accessed": date_parts(cited.accessed.date()),
        "note": sentence(cited.provenance),
    }
    if cited.paginated:  # a report or letter: the site publishes it, it is not contained in it
        item["publisher"] = item.pop("container-title")
    if cited.authors:
        item["author"] = [{"literal": name} for name in cited.authors]
    if cited.published:
        item["issued"] = date_parts(cited.published)
    if cited.page is not None:
        item["page"] = str(cited.page)
    if cited.language:
        item["language"] = cited.language
    return item
