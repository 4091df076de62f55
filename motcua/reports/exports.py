"""Biểu 06 as files: Excel laid out like the official table, CSV for spreadsheets, PDF.

Nothing is fetched at run time: the PDF embeds the DejaVu fonts shipped in the repository.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .bieu06 import GROUPS, HEADING, KEYS, LABELS, SUBHEAD_NEW, SUBHEAD_RECEIVED, TITLE, Report

FONT_DIRS = (
    Path(__file__).resolve().parent.parent / "documents" / "fonts",
    Path(__file__).resolve().parent / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
)
FIRST_COLUMNS = ("STT", "Lĩnh vực, công việc giải quyết theo cấp")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def filename(report: Report, fmt: str) -> str:
    scope = f"-{report.scope_code}" if report.scope_code else ""
    return f"bieu06{scope}-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.{fmt}"


def _body(report: Report) -> list[tuple[str, str, list[int], str]]:
    """(STT, label, figures, kind) for every printed row, total first."""
    out = [("", report.total.label, report.total.as_list(), "total")]
    out += [(r.number, r.label, r.as_list(), r.kind) for r in report.rows]
    return out


def _header_texts() -> list[str]:
    return [f"{group} — {LABELS[k]}" for group, k in _group_of_keys()]


def _group_of_keys() -> list[tuple[str, str]]:
    pairs, i = [], 0
    for group, width in GROUPS:
        for k in KEYS[i : i + width]:
            pairs.append((group, k))
        i += width
    return pairs


def column_numbers() -> list[str]:
    """The numbering row of official forms: letters for the text columns, numbers for the
    figures, so that the identities read (1) = (2) + (3) + (4) = (5) + (9)."""
    return ["A", "B", *(f"({i})" for i in range(1, len(KEYS) + 1))]


def _vn_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# ------------------------------------------------------------------------------ CSV


def to_csv(report: Report) -> bytes:
    """UTF-8 with a BOM so that Excel opens the Vietnamese text correctly."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([TITLE, HEADING])
    w.writerow(["Đơn vị báo cáo", report.scope])
    w.writerow(["Kỳ báo cáo", report.period_text])
    w.writerow([*FIRST_COLUMNS, *_header_texts()])
    w.writerow(column_numbers())
    for number, label, figures, _kind in _body(report):
        w.writerow([number, label, *figures])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# ------------------------------------------------------------------------------ Excel


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    if not isinstance(ws, Worksheet):  # a new workbook has one worksheet, active
        raise TypeError("a new workbook without a worksheet")
    ws.title = "Bieu06"
    ncols = len(KEYS) + 2
    last = get_column_letter(ncols)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)

    ws["A1"] = TITLE
    ws["A1"].font = bold
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = HEADING
    ws["A2"].font = Font(bold=True, size=12)
    ws["A2"].alignment = center
    ws.merge_cells(f"A3:{last}3")
    ws["A3"] = f"Kỳ báo cáo: {report.period_text}"
    ws["A3"].alignment = center
    ws.merge_cells(f"A4:{last}4")
    ws["A4"] = f"Đơn vị báo cáo: {report.scope}"
    ws["A4"].alignment = center
    ws.merge_cells(f"A5:{last}5")
    ws["A5"] = "Đơn vị tính: hồ sơ"
    ws["A5"].alignment = Alignment(horizontal="right")

    top = 6  # three header rows: 6, 7, 8; column numbers on 9
    ws.merge_cells(start_row=top, start_column=1, end_row=top + 2, end_column=1)
    ws.cell(top, 1, FIRST_COLUMNS[0])
    ws.merge_cells(start_row=top, start_column=2, end_row=top + 2, end_column=2)
    ws.cell(top, 2, FIRST_COLUMNS[1])
    col = 3
    for group, width in GROUPS:
        ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + width - 1)
        ws.cell(top, col, group)
        col += width
    # Received: Tổng số | Trong đó → Số mới tiếp nhận (Trực tuyến, Trực tiếp/BC) | Từ kỳ trước
    ws.merge_cells(start_row=top + 1, start_column=3, end_row=top + 2, end_column=3)
    ws.cell(top + 1, 3, LABELS["received"])
    ws.merge_cells(start_row=top + 1, start_column=4, end_row=top + 1, end_column=6)
    ws.cell(top + 1, 4, f"{SUBHEAD_RECEIVED}")
    ws.cell(top + 2, 4, f"{SUBHEAD_NEW}: {LABELS['online']}")
    ws.cell(top + 2, 5, f"{SUBHEAD_NEW}: {LABELS['counter_post']}")
    ws.cell(top + 2, 6, LABELS["carried_over"])
    for offset, key in enumerate(KEYS[4:], start=7):
        ws.merge_cells(start_row=top + 1, start_column=offset, end_row=top + 2, end_column=offset)
        ws.cell(top + 1, offset, LABELS[key])
    numbers = top + 3
    for c in range(1, ncols + 1):
        ws.cell(numbers, c, column_numbers()[c - 1])
        for r in range(top, numbers + 1):
            cell = ws.cell(r, c)
            cell.border = box
            cell.alignment = center
            cell.font = bold if r < numbers else Font(italic=True)

    r = numbers + 1
    for number, label, figures, kind in _body(report):
        ws.cell(r, 1, number)
        ws.cell(r, 2, label)
        for c, value in enumerate(figures, start=3):
            ws.cell(r, c, value).number_format = "#,##0"
        for c in range(1, ncols + 1):
            cell = ws.cell(r, c)
            cell.border = box
            if kind in ("total", "level"):
                cell.font = bold
            cell.alignment = (
                Alignment(wrap_text=True, vertical="center")
                if c == 2
                else Alignment(horizontal="center", vertical="center")
            )
        r += 1

    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 40
    for c in range(3, ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = 12
    ws.row_dimensions[top + 2].height = 45
    ws.freeze_panes = ws.cell(numbers + 1, 3).coordinate
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{top}:{numbers}"

    r += 1
    ws.cell(r, 2, f"Lập lúc {report.generated_at:%H:%M %d/%m/%Y}").font = Font(italic=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------ PDF


def _font(name: str) -> str:
    for d in FONT_DIRS:
        path = d / name
        if path.exists():
            return str(path)
    raise FileNotFoundError(name)


def to_pdf(report: Report) -> bytes:
    """A4 landscape; the header cells are drawn as boxes so they merge like the official form."""
    from fpdf import FPDF

    from motcua.core.pdf import wrapped_lines

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.add_font("DejaVu", "", _font("DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", _font("DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{TITLE} — {report.period_text}")
    pdf.set_margins(10, 10, 10)

    widths = [10.0, 62.0] + [18.6] * len(KEYS)
    h1, h2, h3, hn, hr = 8.0, 7.0, 14.0, 5.0, 6.5

    def box(x, y, w, h, text, bold=False, align="C", size=7):
        pdf.rect(x, y, w, h)
        pdf.set_font("DejaVu", "B" if bold else "", size)
        lines = wrapped_lines(pdf, w - 1, 3.2, text)
        th = 3.2 * len(lines)
        pdf.set_xy(x + 0.5, y + max(0.0, (h - th) / 2))
        pdf.multi_cell(w - 1, 3.2, text, align=align)

    def header(y: float) -> float:
        x0 = pdf.l_margin
        full = h1 + h2 + h3
        xs = [x0]
        for w in widths:
            xs.append(xs[-1] + w)
        box(xs[0], y, widths[0], full, FIRST_COLUMNS[0], bold=True)
        box(xs[1], y, widths[1], full, FIRST_COLUMNS[1], bold=True)
        col = 2
        for group, width in GROUPS:
            box(xs[col], y, sum(widths[col : col + width]), h1, group, bold=True)
            col += width
        y2 = y + h1
        box(xs[2], y2, widths[2], h2 + h3, LABELS["received"], bold=True)
        box(xs[3], y2, sum(widths[3:6]), h2, SUBHEAD_RECEIVED, bold=True)
        y3 = y2 + h2
        box(xs[3], y3, widths[3], h3, f"{SUBHEAD_NEW}: {LABELS['online']}", bold=True, size=6)
        box(xs[4], y3, widths[4], h3, f"{SUBHEAD_NEW}: {LABELS['counter_post']}", bold=True, size=6)
        box(xs[5], y3, widths[5], h3, LABELS["carried_over"], bold=True, size=6)
        for i, key in enumerate(KEYS[4:], start=6):
            box(xs[i], y2, widths[i], h2 + h3, LABELS[key], bold=True)
        yn = y + full
        for i, w in enumerate(widths):
            box(xs[i], yn, w, hn, column_numbers()[i], size=6)
        return yn + hn

    def page_top() -> float:
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(0, 5, TITLE, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 5.5, HEADING, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        pdf.cell(
            0, 5, f"Kỳ báo cáo: {report.period_text}", align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.cell(0, 5, f"Đơn vị báo cáo: {report.scope}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 5, "Đơn vị tính: hồ sơ", align="R", new_x="LMARGIN", new_y="NEXT")
        return header(pdf.get_y() + 1)

    y = page_top()
    bottom = pdf.h - 15
    for number, label, figures, kind in _body(report):
        bold = kind in ("total", "level")
        pdf.set_font("DejaVu", "B" if bold else "", 7)
        lines = wrapped_lines(pdf, widths[1] - 1, 3.2, label)
        h = max(hr, 3.2 * len(lines) + 1.5)
        if y + h > bottom:
            y = page_top()
        x = pdf.l_margin
        cells = [number, label, *(_vn_number(v) for v in figures)]
        for i, (w, text) in enumerate(zip(widths, cells, strict=True)):
            box(x, y, w, h, text, bold=bold, align="L" if i == 1 else "C")
            x += w
        y += h
    pdf.set_xy(pdf.l_margin, y + 3)
    pdf.set_font("DejaVu", "", 7)
    pdf.cell(0, 4, f"Lập lúc {report.generated_at:%H:%M %d/%m/%Y}")
    return bytes(pdf.output())


def render(report: Report, fmt: str) -> bytes:
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "pdf":
        return to_pdf(report)
    raise ValueError(fmt)
