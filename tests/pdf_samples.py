"""Original PDFs generated with reportlab for the extraction tests (no binary files committed)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

LETTER_TITLE = "Reply to request EL/2023/118 on export licence end-use checks"
LETTER_AUTHOR = "Directorate of Export Controls"
#: PDF date string: 15 January 2024, 10:30 at UTC+01:00, i.e. 09:30 UTC.
LETTER_DATE = "D:20240115103000+01'00'"

LETTER_PAGES: tuple[tuple[str, ...], ...] = (
    (
        "DIRECTORATE OF EXPORT CONTROLS",
        "Ref. EL/2023/118 - 15 January 2024",
        "To: Committee on Arms Export Oversight",
        "Thank you for your letter of 4 December asking whether post-shipment checks were carried out",
        "on the licence granted in 2021 for the export of small arms to a government end user.",
    ),
    (
        "Two on-site inspections took place, in March and in October 2023. During the second visit",
        "inspectors could not account for forty rifles from the consignment listed in annex B.",
        "The end user stated that the rifles had been transferred to a border guard unit.",
    ),
    (
        "Pending clarification, no further licences will be granted to this end user.",
        "Yours faithfully,",
        "Head of Licensing, Directorate of Export Controls",
    ),
)


def build_pdf(
    pages: tuple[tuple[str, ...], ...] = LETTER_PAGES,
    *,
    title: str | None = LETTER_TITLE,
    author: str | None = LETTER_AUTHOR,
    date: str = LETTER_DATE,
    lang: str | None = "en-GB",
    encrypt: object = None,
) -> bytes:
    """A PDF with one page per entry of `pages`, each line drawn as a text line."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, lang=lang, encrypt=encrypt)
    if title is not None:
        pdf.setTitle(title)
    if author is not None:
        pdf.setAuthor(author)
    pdf.setDateFormatter(lambda *_fields: date)
    for lines in pages:
        y = 780
        for line in lines:
            pdf.drawString(60, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
