"""The declaration (tờ khai) as a PDF, from the filled form and the definition's
`declaration` section: the national heading, the title, the addressee, one line per
`lines` entry with the applicant's answer, the closing pledge, the place and date. The
applicant does not hand in the paper declaration as well: this PDF is the dossier's
declaration component.

fpdf2 with the project's bundled Vietnamese font (motcua/documents/fonts, DejaVu Serif).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from fpdf import FPDF

from .definitions import walk
from .logic import decide
from .render import answer_text

FONTS = settings.BASE_DIR / "motcua" / "documents" / "fonts"


def printed_lines(document: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    """The declaration's lines the applicant was asked: a line for a field or section that
    `logic.decide` hides (show_if) is left out, not printed with an empty answer. A line
    without a path (a heading) is always printed."""
    shown = decide(document, data).fields
    fields = {p.path for p in walk(document) if p.group is None}
    return [
        line
        for line in document["declaration"]["lines"]
        if not line.get("path") or line["path"] not in fields or line["path"] in shown
    ]


def declaration_pdf(
    document: dict[str, Any], data: dict[str, Any], *, place: str = "", day: dt.date | None = None
) -> bytes:
    spec = document["declaration"]
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 15, 15)
    pdf.add_font("serif", "", str(FONTS / "DejaVuSerif.ttf"))
    pdf.add_font("serif", "B", str(FONTS / "DejaVuSerif-Bold.ttf"))
    pdf.add_font("serif", "I", str(FONTS / "DejaVuSerif-Italic.ttf"))
    pdf.set_title(spec["title"])
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for i, line in enumerate(spec.get("heading", [])):
        pdf.set_font("serif", "B", 12 if i == 0 else 11)
        pdf.cell(width, 6, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("serif", "B", 14)
    pdf.multi_cell(width, 7, spec["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if spec.get("addressee"):
        pdf.set_font("serif", "", 12)
        pdf.multi_cell(width, 6, spec["addressee"], align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    for line in printed_lines(document, data):
        answer = answer_text(document, line["path"], data) if line.get("path") else ""
        pdf.set_font("serif", "", 11)
        label = line["label"].rstrip(":")
        pdf.multi_cell(
            width,
            6,
            f"{label}: {answer}" if line.get("path") else label,
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if spec.get("closing"):
        pdf.ln(3)
        pdf.set_font("serif", "", 11)
        pdf.multi_cell(width, 6, spec["closing"], new_x="LMARGIN", new_y="NEXT")
    day = day or dt.date.today()
    pdf.ln(6)
    pdf.set_font("serif", "I", 11)
    where = f"{place}, " if place else ""
    pdf.cell(
        width,
        6,
        f"{where}ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("serif", "B", 11)
    pdf.cell(width, 6, "NGƯỜI YÊU CẦU", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "I", 10)
    pdf.cell(
        width, 6, "(nộp trực tuyến, đã xác thực điện tử)", align="R", new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())
