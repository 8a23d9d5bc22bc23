"""Generate demo/site/letters/panel-letter-2025.pdf, a fictional panel-of-experts letter.

Output is byte-reproducible: reportlab runs in invariant mode and the embedded
creation date is fixed, so re-running leaves the file unchanged.
Run: .venv/bin/python demo/make_pdf.py
"""

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

OUTPUT = Path(__file__).resolve().parent / "site" / "letters" / "panel-letter-2025.pdf"
PANEL = "Independent Panel of Experts on Arms Transfers to the Horn Region"
TITLE = "Letter dated 12 June 2025 from the Panel of Experts on serial-number tracing of seized weapons"
CREATED = "D:20250612090000+00'00'"  # fixed so the file does not change between runs

PARAGRAPHS_BEFORE_TABLE = [
    "The members of the " + PANEL + " have the honour to transmit to the Chair of the Oversight "
    "Committee the following interim findings on weapons and ammunition seized in Somalia between "
    "January 2024 and April 2025, and on the results of the tracing requests the Panel sent to "
    "manufacturing and exporting states.",
    "<b>Methodology.</b> Panel members physically inspected 214 weapons held in two government depots "
    "and photographed all visible markings, including factory codes, serial numbers, year stamps and "
    "property marks. Where a serial number had been partially removed, the Panel recorded the legible "
    "characters and examined internal parts for secondary numbers. The Panel considers a trace complete "
    "only when the manufacturing or exporting state has identified the last authorised recipient.",
    "<b>Items selected for tracing.</b> The table below lists representative items among the 58 for "
    "which the Panel sent tracing requests. Serial numbers are reproduced as recorded; characters that "
    "could not be read are shown as X.",
]

TABLE_ROWS = [
    ["No.", "Item", "Markings observed", "Serial", "Trace status"],
    ["1", "Type 56 assault rifle", "Chinese factory code, 2009", "2413077", "Reply received"],
    ["2", "Type 56 assault rifle", "Same block as item 1", "2413081", "Reply received"],
    ["3", "AK-47 assault rifle", "Soviet markings, 1972", "XX4519", "Request pending"],
    ["4", "PK machine gun", "Soviet markings, 1976", "FT1187", "Request pending"],
    ["5", "RPG-7 launcher (copy)", "Persian numerals on tube", "0XX36", "No reply"],
    ["6", "9K32 Strela-2 gripstock", "Battery housing replaced", "7706XX", "Request pending"],
    ["7", "M16A4 rifle", "US government property mark", "W417735", "Reply received"],
    ["8", "FN FAL rifle", "Belgian proof marks", "1463XX", "Reply received"],
    ["9", "7.62×39 mm ammunition", "Bulgarian headstamp, lot 18-0412", "n/a (lot)", "Reply received"],
]

PARAGRAPHS_AFTER_TABLE = [
    "<b>Findings.</b> China informed the Panel that the Type 56 rifles at items 1 and 2 belonged to a "
    "consignment of 2,000 rifles exported in 2009 to the armed forces of a state in the region. The "
    "Panel has written to that state to ask how the rifles left its custody and has not yet received "
    "a reply. The consecutive serial numbers suggest that the rifles were diverted as a single lot "
    "rather than lost one by one.",
    "The United States informed the Panel that the M16A4 rifle at item 7 was part of a transfer to "
    "the security forces of Yemen in 2008. The Panel notes that materiel from that period has "
    "previously been documented in the hands of the Houthis and in cargo intercepted in the Gulf of "
    "Aden, and it considers that the rifle most probably reached Somalia by sea.",
    "Bulgaria confirmed that the ammunition lot at item 9 was produced in 2018 and sold to a licensed "
    "broker registered in a third country. Belgium confirmed that the FN FAL rifle at item 8 was "
    "exported in 1974 to a government in East Africa; after five decades the Panel does not consider "
    "this finding indicative of recent diversion.",
    "The Panel sent a tracing request to the Islamic Republic of Iran concerning the RPG-7 copy at "
    "item 5, whose markings match launchers recorded in earlier interdictions of shipments bound for "
    "Yemen. No reply had been received at the time of writing. The Panel also sent a request to the "
    "Russian Federation concerning items 3, 4 and 6, which were manufactured in the Soviet Union, and "
    "awaits a reply.",
    "<b>Recipients.</b> Items 1 to 5 were seized from al-Shabaab during operations in the Lower Juba "
    "and Middle Shabelle regions. Item 6 was recovered from a vessel that had departed the coast of "
    "Yemen, and the Panel has no evidence that it reached any armed group. Items 7 and 8 were taken "
    "from a cell of the Islamic State in the mountains of Puntland. The Panel notes that both groups "
    "draw on the same smuggling networks and that traders on the Yemeni side of the Gulf of Aden "
    "appear to sell to several customers.",
    "<b>Recommendations.</b> The Panel recommends that the Committee (a) encourage all states that "
    "receive tracing requests to reply within 30 days; (b) request the state identified in the reply "
    "concerning items 1 and 2 to report on its stockpile-management measures; and (c) encourage the "
    "Federal Government of Somalia to complete the registration and marking of all weapons held by "
    "its security forces, so that future losses can be identified quickly.",
    "The Panel would be grateful if the present letter were brought to the attention of the members of the Committee.",
]

SIGNATORIES = [
    "(Signed) Ingrid Valtonen, Coordinator",
    "(Signed) Kwabena Asare-Lindqvist, Expert on arms",
    "(Signed) Leyla Haddadin-Rowe, Expert on maritime transport",
    "(Signed) Matteo Serravalle, Expert on finance",
]


def set_fixed_metadata(canvas: Canvas, _doc: SimpleDocTemplate) -> None:
    canvas.setDateFormatter(lambda *_: CREATED)
    canvas.setFont("Helvetica", 8)
    canvas.drawString(2 * cm, 1.2 * cm, "IPE-HR/2025/L.7  (fictional document for software demonstration)")
    canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Page {canvas.getPageNumber():d}")


def build() -> None:
    styles = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=styles["BodyText"], fontName="Helvetica", fontSize=10.5, leading=14.5, spaceAfter=8
    )
    head = ParagraphStyle("head", parent=styles["Title"], fontName="Helvetica-Bold", fontSize=13, leading=17)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12)
    story = [
        Paragraph(PANEL, small),
        Paragraph("Ref. IPE-HR/2025/L.7 — 12 June 2025", small),
        Spacer(1, 0.4 * cm),
        Paragraph(TITLE, head),
        Paragraph("Addressed to the Chair of the Oversight Committee", small),
        Spacer(1, 0.3 * cm),
    ]
    story += [Paragraph(p, body) for p in PARAGRAPHS_BEFORE_TABLE]
    table = Table(TABLE_ROWS, colWidths=[1 * cm, 4.2 * cm, 5.2 * cm, 2.4 * cm, 3.2 * cm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 0.4 * cm)]
    story += [Paragraph(p, body) for p in PARAGRAPHS_AFTER_TABLE]
    story.append(Spacer(1, 0.5 * cm))
    story += [Paragraph(s, body) for s in SIGNATORIES]

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(
        str(OUTPUT),
        pagesize=A4,
        invariant=1,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=TITLE,
        author=PANEL,
        subject="Serial-number tracing of weapons seized in Somalia, 2024-2025",
        keywords="tracing, serial numbers, Type 56, PK, RPG-7, Strela-2, M16, al-Shabaab",
        creator="Arms Monitor Weekly demo (demo/make_pdf.py)",
    )
    doc.build(story, onFirstPage=set_fixed_metadata, onLaterPages=set_fixed_metadata)


if __name__ == "__main__":
    build()
