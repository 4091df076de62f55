"""The bundled faces parsed once per process and embedded without fontTools (faces.py) give
the same page as fpdf2's own font handling, and no document sees another's state."""

import io
import shutil
import subprocess

import pytest
from fontTools.ttLib import TTFont
from fpdf import FPDF
from pypdf import PdfReader

from motcua.documents.fontsubset import FONT_DIR
from motcua.documents.models import ProcedureTemplate
from motcua.documents.rendering import base
from motcua.documents.rendering.base import TEMPLATES
from motcua.documents.rendering.faces import face
from motcua.documents.rendering.pdf import FormPDF
from motcua.documents.selectors import dossier_for_render
from motcua.dossiers import services as ds
from motcua.dossiers.enums import Status

from .conftest import T0, advance
from .helpers import pdf_text


class StockFormPDF(FormPDF):
    """FormPDF with fpdf2's own font loading (add_font) and embedding (fontTools subset)."""

    def add_face(self, family, style, path):
        self.add_font(family, style, str(path))

    def output(self, *args, **kwargs):
        return FPDF.output(self, *args, **kwargs)


def render(dossier, template="mau-01", action="receive"):
    event = dossier.events.get(action=action)
    return TEMPLATES[template](dossier_for_render(dossier.pk), event).render()


def stock_render(monkeypatch, dossier, **kw):
    with monkeypatch.context() as m:
        m.setattr(base, "FormPDF", StockFormPDF)
        return render(dossier, **kw)


def rasterize(pdf: bytes, tmp_path, name: str) -> list[bytes]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", str(path), str(tmp_path / name)], check=True)
    return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.ppm"))]


def receipts(world):
    plain = advance(world, Status.RECEIVED)
    odd = advance(world, Status.SUBMITTED)
    # Letters the Vietnamese subsets lack: the full faces join as fallbacks (fpdf2's path).
    type(odd).objects.filter(pk=odd.pk).update(applicant_name="Ŋguyễn Thị Ǆa Ωmega")
    odd = ds.dossier_receive(dossier_id=odd.pk, actor=world.a.staff["c:counter"], at=T0)
    return {"plain": plain, "fallback": odd}


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs pdftoppm (poppler-utils)")
@pytest.mark.parametrize("template", ["mau-01", "ct04"])
def test_same_pixels_and_text_as_fpdf2_fonts(world, monkeypatch, tmp_path, template):
    if template != "mau-01":
        ProcedureTemplate.objects.create(
            procedure=world.procedure, kind="receipt", template=template
        )
    for label, d in receipts(world).items():
        ours = render(d, template)
        stock = stock_render(monkeypatch, d, template=template)

        assert ours != stock  # the embedded programs differ, so this compares two paths
        assert pdf_text(ours) == pdf_text(stock), label
        pages = rasterize(ours, tmp_path, f"ours-{label}")
        assert len(pages) == 1
        assert pages == rasterize(stock, tmp_path, f"stock-{label}"), label


def embedded_programs(pdf: bytes) -> dict[str, TTFont]:
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    out = {}
    for ref in fonts.values():
        font = ref.get_object()
        cid_font = font["/DescendantFonts"][0].get_object()
        data = cid_font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
        # checkChecksums=2: a wrong table or file checksum raises.
        out[str(font["/BaseFont"])] = TTFont(io.BytesIO(data), checkChecksums=2)
    return out


def test_embedded_program_keeps_glyph_numbers_and_only_used_outlines(world):
    d = advance(world, Status.RECEIVED)

    programs = embedded_programs(render(d))

    regular = face(FONT_DIR / "DejaVuSerif-vi.ttf")
    program = programs["/MPDFAA+DejaVuSerifBook"]
    glyphs = [program["glyf"].glyphs[name] for name in program.getGlyphOrder()]
    outlines = [getattr(glyph, "data", b"") for glyph in glyphs]  # no data: an empty glyph
    assert len(outlines) == len(regular.outlines)
    kept = {gid for gid, outline in enumerate(outlines) if outline}
    assert 40 < len(kept) < len(outlines) / 2
    for gid in kept:
        assert outlines[gid] == regular.outlines[gid]
    cmap = program.getBestCmap()
    # Regular weight on the receipt: "… tiếp nhận hồ sơ của", "Quét mã QR …"; ế, ậ, ồ, ủ are
    # composite glyphs (letter + marks): their components are kept too.
    for ch in "tiếpnhậnhồsơcủaQR":
        gid = regular.gid[cmap[ord(ch)]]
        assert gid in kept, ch
        assert set(regular.components.get(gid, ())) <= kept, ch
    assert any(regular.components.get(regular.gid[cmap[ord(ch)]]) for ch in "ếậồủ")


def test_documents_rendered_side_by_side_keep_their_own_fonts(world):
    first = advance(world, Status.RECEIVED)
    second = advance(world, Status.SUBMITTED, applicant={"name": "Đỗ Thị Quỳnh Như"})
    second = ds.dossier_receive(dossier_id=second.pk, actor=world.a.staff["c:counter"], at=T0)
    alone = [render(first), render(second)]
    forms = [
        TEMPLATES["mau-01"](dossier_for_render(d.pk), d.events.get(action="receive"))
        for d in (first, second)
    ]
    pdfs = [form.blank() for form in forms]

    forms[1].draw(pdfs[1])
    forms[0].draw(pdfs[0])
    interleaved = [bytes(pdf.output()) for pdf in pdfs]

    assert interleaved == alone
    assert "Đỗ Thị Quỳnh Như" in pdf_text(alone[1])
