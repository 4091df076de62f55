"""The page toolkit: a paragraph of runs that fits on one line is drawn with cells, and the
page is the one fpdf2's write() gives."""

import datetime as dt

import pytest
from fpdf.enums import XPos, YPos

from motcua.documents.rendering.pdf import FormPDF

CREATED = dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC)
ADDRESS = "Thôn Đông Xuyên, xã Yên Phong, tỉnh Bắc Ninh; Nguyễn Thị Quỳnh Như - WWW MMM iii " * 2


class Counting(FormPDF):
    writes = 0

    def write(self, *args, **kwargs):
        self.writes += 1
        return super().write(*args, **kwargs)


def written(pdf, *parts, size=9, h=4.3):
    """line_of before its one-line shortcut."""
    pdf.set_x(pdf.l_margin)
    for style, text in parts:
        if text:
            pdf.font(size, style)
            pdf.write(h, text)
    pdf.ln(h)


def test_line_of_draws_what_write_draws_when_it_fits():
    ours = Counting(created=CREATED, title="t")
    reference = Counting(created=CREATED, title="t")
    # One character more each time, up to the width (124 mm, ~60 characters here).
    for n in range(30, 46):
        parts = [("", "Địa chỉ: "), ("B", ADDRESS[:n]), ("I", " (ghi chú)" if n % 2 else "")]
        for pdf, draw in ((ours, Counting.line_of), (reference, written)):
            # Text before the line in the first run's style or another: fpdf2 sets the
            # font in the page again only when it changed.
            pdf.font(9, ("", "B", "I")[n % 3])
            pdf.cell(0, 4.3, "Tiêu đề", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            draw(pdf, *parts)
        assert ours.pages[ours.page].contents == reference.pages[reference.page].contents, n
    assert bytes(ours.output()) == bytes(reference.output())
    assert ours.writes == 0


@pytest.mark.parametrize("texts", [(), ("Ŋ",)], ids=["subsets", "fallback"])
def test_line_of_breaks_lines_only_at_spaces(texts):
    pdf = FormPDF(created=CREATED, title="t", texts=texts)
    avail = pdf.w - pdf.l_margin - pdf.r_margin
    for n in range(40, len(ADDRESS)):
        text = ADDRESS[:n]
        parts = [("", "Tiếp nhận hồ sơ của: "), ("B", text), ("", ".")]
        lines = pdf._wrap(parts, 9, avail)
        joined = " ".join("".join(t for _, t in line) for line in lines)
        # Every word whole and in order.
        assert joined.split() == f"Tiếp nhận hồ sơ của: {text}.".split(), n
        for line in lines:
            width = sum(pdf._measure(t, st, 9) + 2 * pdf.c_margin for st, t in line)
            assert width <= avail, (n, line)
        # The bold run stays bold.
        assert {st for line in lines for st, t in line if "Xuyên" in t} <= {"B"}


def test_a_date_in_a_line_is_never_split():
    from motcua.documents.rendering.text import NBSP, time_date

    pdf = FormPDF(created=CREATED, title="t")
    avail = pdf.w - pdf.l_margin - pdf.r_margin
    when = time_date(dt.datetime(2026, 3, 4, 2, 10, tzinfo=dt.UTC))
    assert when == NBSP.join(["09", "giờ", "10", "phút,", "ngày", "04/03/2026"])
    for n in range(0, 70):
        lines = pdf._wrap([("", "Thời gian:" + " ab" * n + " "), ("B", when)], 9, avail)
        assert [t for line in lines for st, t in line if st == "B"] == [when], n


def test_a_header_line_keeps_the_units_name_whole():
    from motcua.documents.rendering.pdf import keep_unit_name

    assert keep_unit_name("ỦY BAN NHÂN DÂN XÃ TIÊN DU") == "ỦY BAN NHÂN DÂN XÃ\u00a0TIÊN\u00a0DU"
    assert keep_unit_name("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG BẮC GIANG") == (
        "TRUNG TÂM PHỤC VỤ HÀNH\u00a0CHÍNH\u00a0CÔNG PHƯỜNG\u00a0BẮC\u00a0GIANG"
    )
    assert keep_unit_name("SỞ TƯ PHÁP") == "SỞ TƯ PHÁP"
