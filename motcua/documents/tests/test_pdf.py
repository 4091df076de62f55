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


@pytest.mark.parametrize("texts", [(), ("Ŋ",)], ids=["subsets", "fallback"])
def test_line_of_draws_what_write_draws(texts):
    ours = Counting(created=CREATED, title="t", texts=texts)
    reference = Counting(created=CREATED, title="t", texts=texts)
    # One character more each time, from well inside the width (124 mm, ~60 characters
    # here) to two lines: the lines around the limit take either path.
    for n in range(30, 100):
        parts = [("", "Địa chỉ: "), ("B", ADDRESS[:n]), ("I", " (ghi chú)" if n % 2 else "")]
        for pdf, draw in ((ours, Counting.line_of), (reference, written)):
            # Text before the line in the first run's style or another: fpdf2 sets the
            # font in the page again only when it changed.
            pdf.font(9, ("", "B", "I")[n % 3])
            pdf.cell(0, 4.3, "Tiêu đề", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            draw(pdf, *parts)
        assert ours.pages[ours.page].contents == reference.pages[reference.page].contents, n
    assert bytes(ours.output()) == bytes(reference.output())
    if texts:  # fallback fonts: always fpdf2's line breaking
        assert ours.writes == reference.writes
    else:  # both ways were taken
        assert 0 < ours.writes < reference.writes
