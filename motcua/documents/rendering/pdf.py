"""The page toolkit shared by every form: fonts, the national header, labelled lines,
tables that wrap, signature blocks and the QR code.

Determinism: every PDF gets its creation date from the data it documents (never the
clock), a fixed producer and creator; fpdf2 derives the file /ID from the content and that
date, and font subsets are deterministic, so the same inputs give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import segno
from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, VAlign, XPos, YPos
from fpdf.fonts import TTFFont

from motcua.core.pdf import wrapped_lines

from ..fontsubset import FONT_DIR, covered
from .faces import Face, FaceOutputProducer, face

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PRODUCER = "motcua"

# Sizes in mm (ISO 216). fpdf2 2.8.5 changed its "A5" and warns on every use of the name.
PAGE_SIZES = {"A4": (210, 297), "A5": (148, 210)}

SERIF = {"": "DejaVuSerif", "B": "DejaVuSerif-Bold", "I": "DejaVuSerif-Italic"}
SANS = {"": "DejaVuSans", "B": "DejaVuSans-Bold"}


_UNIT = re.compile(
    r"(?:\b(?:XÃ|PHƯỜNG|THỊ TRẤN|ĐẶC KHU|HUYỆN|QUẬN|THỊ XÃ|THÀNH PHỐ|TỈNH)) (.{1,24})$"
)


def keep_unit_name(line: str) -> str:
    """A header line never splits the unit's own name ("XÃ TIÊN / DU"): the kind of unit
    and its name are held together with non-breaking spaces, so the line breaks before."""
    line = line.replace("HÀNH CHÍNH CÔNG", "HÀNH\u00a0CHÍNH\u00a0CÔNG")
    m = _UNIT.search(line)
    if m is None:
        return line
    start = m.start()
    return line[:start] + line[start:].replace(" ", "\u00a0")


class FormPDF(FPDF):
    """An FPDF page set up as an official form: A5 portrait unless told otherwise,
    20/15 mm margins scaled to A5, DejaVu fonts from the package (never the system's)."""

    def __init__(
        self,
        *,
        created: dt.datetime,
        title: str,
        texts: Iterable[str] = (),
        page_format: str = "A5",
        orientation: str = "P",
        sans: bool = False,
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format=PAGE_SIZES[page_format])
        self.set_creation_date(created.astimezone(dt.UTC).replace(microsecond=0))
        self.set_producer(PRODUCER)
        self.set_creator(PRODUCER)
        self.set_title(title)
        self.set_lang("vi")
        self.set_margins(14, 10, 10)
        self.set_auto_page_break(True, margin=10)
        self.c_margin = 0.8
        # A character outside the Vietnamese subsets: the full faces are added as fallbacks.
        self.fallback = not all(covered(t or "") for t in texts)
        families = {"Serif": SERIF, **({"Sans": SANS} if sans else {})}
        self.faces: dict[str, Face] = {}
        for family, names in families.items():
            for style, name in names.items():
                self.add_face(family, style, FONT_DIR / f"{name}-vi.ttf")
        if self.fallback:
            for style, name in SERIF.items():
                self.add_font("SerifFull", style, str(FONT_DIR / f"{name}.ttf"))
            self.add_font("SansFull", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.set_fallback_fonts(["SerifFull", "SansFull"])
        for key, font in self.fonts.items():
            if key not in self.faces and isinstance(font, TTFFont):
                # fontTools would otherwise decompile and re-encode every embedded glyph to
                # recompute bounding boxes that subsetting does not change; glyph data is
                # then copied as is.
                font.ttfont.recalcBBoxes = False
        self.set_font("Serif", "", 10)
        self.add_page()

    def add_face(self, family: str, style: str, path: Path) -> None:
        """`add_font` for a bundled Vietnamese subset: parsed once per process, embedded by
        FaceOutputProducer (faces.py) without fontTools."""
        vi = face(path)
        self.faces[vi.attach(self, family, style).fontkey] = vi

    def output(self, *args, **kwargs):
        kwargs.setdefault("output_producer_class", FaceOutputProducer)
        return super().output(*args, **kwargs)

    # ------------------------------------------------------------------ primitives

    def font(self, size: float, style: str = "", family: str = "Serif") -> FormPDF:
        self.set_font(family, style, size)
        return self

    def fit_size(self, text: str, width: float, size: float, style: str = "") -> float:
        """The largest size ≤ `size` at which `text` fits in `width` on one line."""
        self.set_font(self.font_family, style, size)
        while size > 6 and self.get_string_width(text) > width:
            size -= 0.25
            self.set_font(self.font_family, style, size)
        return size

    def centered(self, text: str, size: float, style: str = "", h: float | None = None) -> None:
        self.font(size, style)
        self.multi_cell(0, h or size * 0.5, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def gap(self, mm: float) -> None:
        self.ln(mm)

    # ------------------------------------------------------------------ header

    def form_label(self, text: str) -> None:
        """ "Mẫu số 01 - Thông tư …" at the top right."""
        if not text:
            return
        self.font(7.5, "I")
        self.cell(0, 3.2, text, align="R")
        self.ln(4.2)

    def national_header(self, agency_lines: Sequence[str], number_line: str) -> None:
        """Agency name (left, bold) and the national heading (right), then "Số: …"."""
        usable = self.w - self.l_margin - self.r_margin
        left_w = usable * 0.42
        right_w = usable - left_w
        top = self.get_y()
        x0 = self.l_margin
        # Left: superior agency (regular) then the agency itself (bold), centred.
        self.set_xy(x0, top)
        for i, line in enumerate(agency_lines):
            bold = i == len(agency_lines) - 1
            self.font(8.5, "B" if bold else "")
            self.set_x(x0)
            self.multi_cell(
                left_w, 3.8, keep_unit_name(line.upper()), align="C", new_x=XPos.LEFT,
                new_y=YPos.NEXT,
            )  # fmt: skip
        self._rule(x0 + left_w / 2, self.get_y() + 0.6, 14)
        self.set_xy(x0, self.get_y() + 1.8)
        self.font(8.5)
        self.cell(left_w, 4, number_line, align="C")
        left_bottom = self.get_y() + 4
        # Right: the nation and the motto, the motto underlined by a short rule.
        self.set_xy(x0 + left_w, top)
        size = self.fit_size(NATION, right_w - 1, 8.5, "B")
        self.cell(right_w, 3.8, NATION, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.font(min(size + 0.5, 9.5), "B")
        self.cell(right_w, 4.2, MOTTO, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self._rule(x0 + left_w + right_w / 2, self.get_y() + 0.3, self.get_string_width(MOTTO))
        self.set_xy(self.l_margin, max(left_bottom, self.get_y()) + 1)

    def _rule(self, cx: float, y: float, width: float) -> None:
        self.set_line_width(0.25)
        self.line(cx - width / 2, y, cx + width / 2, y)

    def place_date(self, text: str) -> None:
        usable = self.w - self.l_margin - self.r_margin
        self.font(9, "I")
        self.set_x(self.l_margin + usable * 0.42)
        text = text.replace("\u00a0", " ")
        self.cell(usable * 0.58, 4.5, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading_title(self, text: str, subtitle: str = "") -> None:
        self.gap(1.5)
        self.font(11, "B")
        self.multi_cell(0, 5.2, text.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.font(9.5, "I")
            self.multi_cell(0, 4.6, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.gap(1.5)

    # ------------------------------------------------------------------ body

    def line_of(self, *parts: tuple[str, str], size: float = 9, h: float = 4.3) -> None:
        """One paragraph made of (style, text) runs that wraps within the margins.

        Lines break only at spaces (U+0020), never inside a syllable ("Tr / ần"); a
        non-breaking space (U+00A0, as in dates and times) holds its neighbours together."""
        self.set_x(self.l_margin)
        runs = [(style, text) for style, text in parts if text]
        avail = self.w - self.l_margin - self.r_margin
        # Both cell margins for every run: a few millimetres to spare at the limit.
        width = sum(self._measure(text, style, size) + 2 * self.c_margin for style, text in runs)
        if width < avail:
            # It fits on one line: one cell per run, without any line breaking.
            self._draw_runs(runs, size, h)
        else:
            for line in self._wrap(runs, size, avail):
                self.set_x(self.l_margin)
                self._draw_runs(line, size, h)
                self.ln(h)
            self.set_x(self.l_margin)
            return
        self.ln(h)

    def _measure(self, text: str, style: str, size: float) -> float:
        text = text.replace("\u00a0", " ")
        if not self.fallback:
            return self.width_of(text, style, size)
        self.font(size, style)
        return self.get_string_width(text)

    def _draw_runs(self, runs: Sequence[tuple[str, str]], size: float, h: float) -> None:
        for style, text in runs:
            self.font(size, style)
            self.cell(None, h, text.replace("\u00a0", " "), new_x=XPos.WCONT, new_y=YPos.TOP)

    def _wrap(
        self, runs: Sequence[tuple[str, str]], size: float, avail: float
    ) -> list[list[tuple[str, str]]]:
        """Greedy line filling over words; a word may span runs ("Ông " + bold name + ".")."""
        words: list[list[tuple[str, str]]] = [[]]
        for style, text in runs:
            for i, piece in enumerate(text.split(" ")):
                if i and words[-1]:
                    words.append([])
                if piece:
                    words[-1].append((style, piece))
        words = [w for w in words if w]
        lines: list[list[tuple[str, str]]] = []
        line: list[tuple[str, str]] = []

        def merged(segments):
            out: list[tuple[str, str]] = []
            for style, text in segments:
                if out and out[-1][0] == style:
                    out[-1] = (style, out[-1][1] + text)
                else:
                    out.append((style, text))
            return out

        def line_width(segments) -> float:
            return sum(self._measure(t, st, size) + 2 * self.c_margin for st, t in merged(segments))

        for word in words:
            candidate = [*line, *([(line[-1][0], " ")] if line else []), *word]
            if not line or line_width(candidate) <= avail:
                line = candidate
                continue
            lines.append(merged(line))
            line = list(word)
        if line:
            lines.append(merged(line))
        return lines

    def width_of(self, text: str, style: str, size: float, family: str = "Serif") -> float:
        """get_string_width in another style, without selecting it: selecting a font and
        going back makes fpdf2 set it again in the page. Fonts of the Vietnamese subsets
        only (no fallback: `self.fallback` is false)."""
        font = self.fonts[f"{family.lower()}{style}"]
        return font.get_text_width(text, size, None)[1] / self.k

    def field(self, label: str, value: str, *, size: float = 9) -> None:
        """ "Label: value" with the value in bold; an empty value is a dotted line."""
        self.line_of(("", f"{label}: "), ("B", value or "…" * 6), size=size)

    def paragraph(self, text: str, *, size: float = 9, style: str = "", indent: float = 0):
        self.font(size, style)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.5, text, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        aligns: Sequence[str] | None = None,
        size: float = 8.5,
        family: str = "Serif",
    ) -> None:
        """A bordered table whose cells wrap (long Vietnamese names never overflow); the
        heading row repeats on every page it runs onto."""
        self.font(size, "", family)
        aligns = aligns or ["L"] * len(headings)
        with self.table(
            col_widths=tuple(widths),
            width=self.w - self.l_margin - self.r_margin,
            line_height=size * 0.48,
            headings_style=FontFace(emphasis="BOLD"),
            borders_layout=TableBordersLayout.ALL,
            text_align="CENTER",
            v_align=VAlign.M,
            padding=(0.8, 1, 0.8, 1),
            repeat_headings=1,
        ) as table:
            head = table.row()
            for text in headings:
                head.cell(text, align="C")
            for values in rows:
                row = table.row()
                for text, align in zip(values, aligns, strict=True):
                    row.cell(text, align=align)
        self.gap(1.5)

    def ensure(self, height: float) -> None:
        """Start a new page unless `height` mm still fit on this one: what must stay together
        (a closing line and the signatures under it) never straddles a page break."""
        if self.get_y() + height > self.h - self.b_margin:
            self.add_page()

    def signatures_height(
        self, blocks: Sequence[tuple[str, str, str]], *, space: float = 14
    ) -> float:
        usable = self.w - self.l_margin - self.r_margin
        width = usable / max(len(blocks), 2)
        self.font(9, "B")
        lines = max(len(wrapped_lines(self, width, 4.5, t.upper())) for t, _, _ in blocks)
        return 1 + lines * 4.5 + 4 + space + 5 + 2

    def signatures(self, blocks: Sequence[tuple[str, str, str]], *, space: float = 14) -> None:
        """Side-by-side signature blocks: (title, note, name), kept on one page."""
        usable = self.w - self.l_margin - self.r_margin
        width = usable / max(len(blocks), 2)
        # A lone signer signs on the right, as on paper.
        offset = usable - width * len(blocks)
        self.ensure(self.signatures_height(blocks, space=space))
        top = self.get_y() + 1
        for i, (title, note, name) in enumerate(blocks):
            x = self.l_margin + offset + i * width
            self.set_xy(x, top)
            self.font(9, "B")
            self.multi_cell(width, 4.5, title.upper(), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            if note:
                self.font(8, "I")
                self.multi_cell(width, 4, note, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_xy(x, self.get_y() + space)
            self.font(9.5, "B")
            self.multi_cell(width, 5, name, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(self.l_margin, self.get_y() + 2)

    @staticmethod
    def qr_code(data: str):
        """The QR symbol (error correction M) of `data`, for `qr`."""
        # A fixed mask: any of the eight is a valid symbol that every reader decodes, and
        # scoring all eight for the best one was 3-4 ms, a sixth of a receipt. Mask 2
        # (every third column inverted) decoded at least as well as segno's own choice in
        # zbar trials (blurred and low-resolution renderings of 200-500 lookup URLs).
        return segno.make(data, error="m", micro=False, mask=2)

    def qr(self, data, x: float, y: float, size: float) -> None:
        """A QR code (`data`: text, or a symbol from `qr_code`) drawn as vectors: one filled
        path of rectangles, one per dark run of a row, so it is sharp at any zoom and costs
        no image decoding. The quiet zone around it is the caller's to leave white."""
        code = self.qr_code(data) if isinstance(data, str) else data
        matrix = list(code.matrix)
        module = size / len(matrix)
        k, top = self.k, self.h
        ops = []
        for r, row in enumerate(matrix):
            c = 0
            while c < len(row):
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    # A hair of overlap so rasterizers leave no seams between rows.
                    ops.append(
                        f"{(x + start * module) * k:.3f} {(top - y - r * module) * k:.3f} "
                        f"{(c - start) * module * k:.3f} {-(module + 0.02) * k:.3f} re"
                    )
                else:
                    c += 1
        self.set_fill_color(0, 0, 0)
        self._out("q 0 g\n" + "\n".join(ops) + "\nf Q")
