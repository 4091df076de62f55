"""The bundled Vietnamese font faces, parsed once per process and embedded without fontTools.

fpdf2 (pinned at 2.8.9) parses the TrueType file on every `add_font`, and on output subsets
it with fontTools and writes a 128 KiB CIDToGIDMap: about 5 ms per face, 15 ms of the ~40 ms
a receipt takes, for fonts that are the same in every form. The `-vi` faces of fontsubset.py
are small and hintless with TrueType outlines, so instead:

- `face(path)` parses a face once per process, through fpdf2's own `add_font` on a throw-away
  document, and keeps the outline bytes of each glyph and the components of composite glyphs
  (Vietnamese letters are base letter + marks);
- `attach()` gives a document its own copy of that parsed font: what is per document (the
  characters used and the codes they were given, the font number, the descriptor that output
  fills in) is fresh; what is read only (metrics, cmap, the fontTools object) is shared and
  never modified;
- `FaceOutputProducer`, passed to fpdf2 through its `output_producer_class` parameter,
  writes the PDF objects fpdf2 writes for a TrueType font (Type0 font, CIDFontType2 with /W,
  ToUnicode, CIDSystemInfo, descriptor, CIDToGIDMap, FontFile2), but the embedded program
  keeps every glyph number and empties the outlines of the glyphs not used (fontTools'
  `retain_gids` subsetting), so building it is a concatenation of bytes. Fonts added with
  `add_font` (the full-face fallback) go through fpdf2 unchanged.

fpdf2 internals relied on (check them when upgrading fpdf2): the `TTFFont` attributes set in
`attach`, `SubsetMap`, `OutputProducer._add_fonts` / `_add_pdf_obj` and the object classes of
`fpdf.output`, `_tt_font_widths` / `_build_cmap_blocks`. test_faces rasterizes forms made both
ways and requires the same pixels and the same extracted text.
"""

from __future__ import annotations

import copy
import functools
import io
import logging
import struct
import threading
from pathlib import Path

from fontTools.ttLib.sfnt import SFNTWriter
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import (
    CIDSystemInfo,
    OutputProducer,
    PDFFont,
    PDFFontStream,
    PDFType3Font,
    _build_cmap_blocks,
    _tt_font_widths,
)
from fpdf.syntax import Name, PDFArray, PDFContentStream

log = logging.getLogger(__name__)

# fpdf2 drops MATH when it subsets; nothing else in these faces is unused by a PDF viewer.
DROPPED_TABLES = ("MATH",)


class Face:
    """One parsed face: the fpdf2 font to copy per document, and its glyph outlines."""

    def __init__(self, path: Path) -> None:
        holder = FPDF()
        holder.add_font("face", "", str(path))
        font = holder.fonts["face"]
        if not isinstance(font, TTFFont):  # a path always gives a TrueType font
            raise ValueError(f"{path.name}: not a TrueType font")
        self.font: TTFFont = font
        tt = self.font.ttfont
        if tt["head"].indexToLocFormat != 0 or "glyf" not in tt:
            raise ValueError(f"{path.name}: expected TrueType outlines with a short loca")
        raw = tt.reader["glyf"]
        offsets = tt["loca"].locations
        order = tt.getGlyphOrder()
        self.outlines = [raw[offsets[g] : offsets[g + 1]] for g in range(len(order))]
        # Glyphs go by name: fpdf2's Glyph.glyph_id is not the glyph number for .notdef.
        self.gid = {name: gid for gid, name in enumerate(order)}
        glyf = tt["glyf"]
        self.components: dict[int, list[int]] = {}
        for gid, name in enumerate(order):
            glyph = glyf[name]
            if glyph.isComposite():
                self.components[gid] = [tt.getGlyphID(c) for c in glyph.getComponentNames(glyf)]
        self.tables = {
            tag: tt.reader[tag]
            for tag in tt.reader.tables  # SFNTReader: tag → directory entry
            if tag not in ("glyf", "loca", *DROPPED_TABLES)
        }
        self.sfnt_version = tt.sfntVersion
        # Nothing reads the file after this (a descriptor shared across a fork would be a
        # hazard): load every table, then close it.
        tt.ensureDecompiled()
        tt.close()

    def attach(self, pdf: FPDF, family: str, style: str) -> TTFFont:
        """Add the face to `pdf` as `add_font(family, style, path)` would."""
        font = copy.copy(self.font)
        font.i = len(pdf.fonts) + 1
        font.fontkey = f"{family.lower()}{style}"
        font.emphasis = TextEmphasis.coerce(style)
        font.desc = copy.copy(self.font.desc)
        font.cw = copy.copy(self.font.cw)  # a defaultdict: lookups of missing characters add
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        pdf.fonts[font.fontkey] = font
        return font

    def program(self, gids: set[int]) -> bytes:
        """The TrueType program with the outlines of `gids` (and their components) only."""
        keep = {0}
        todo = list(gids)
        while todo:
            gid = todo.pop()
            if gid not in keep:
                keep.add(gid)
                todo.extend(self.components.get(gid, ()))
        parts, offsets, at = [], [0], 0
        for gid, outline in enumerate(self.outlines):
            if gid in keep:
                parts.append(outline)
                at += len(outline)
            offsets.append(at // 2)  # short loca: offsets in words (outlines are even-sized)
        tables = {
            **self.tables,
            "glyf": b"".join(parts),
            "loca": struct.pack(f">{len(offsets)}H", *offsets),
        }
        out = io.BytesIO()
        writer = SFNTWriter(out, len(tables), self.sfnt_version)
        for tag in sorted(tables):
            writer[tag] = tables[tag]
        writer.close()
        return out.getvalue()


_lock = threading.Lock()


@functools.cache
def _face(path: Path) -> Face:
    return Face(path)


def face(path: Path) -> Face:
    """The face in `path`, parsed on first use in this process."""
    with _lock:
        return _face(Path(path))


class FaceOutputProducer(OutputProducer):
    """fpdf2's output, with the fonts listed in `fpdf.faces` (fontkey → Face) embedded here."""

    def _add_fonts(self, image_objects_per_index, gfxstate_objs_per_name, pattern_objs_per_name):
        fpdf = self.fpdf
        faces = getattr(fpdf, "faces", {})
        ours = [f for f in fpdf.fonts.values() if isinstance(f, TTFFont) and f.fontkey in faces]
        # Ours first: they are the first fonts added (FormPDF), so objects keep fpdf2's order.
        objs: dict[int, PDFFont | PDFType3Font] = {
            f.i: self._embed(f, faces[f.fontkey]) for f in sorted(ours, key=lambda f: f.i)
        }
        if len(ours) < len(fpdf.fonts):
            # fpdf2 embeds every font of fpdf.fonts (a dict owned by the document): hide ours
            # from it for the time of the call.
            registry = fpdf.fonts
            everything = dict(registry)
            for key in faces:
                registry.pop(key, None)
            try:
                objs.update(
                    super()._add_fonts(
                        image_objects_per_index, gfxstate_objs_per_name, pattern_objs_per_name
                    )
                )
            finally:
                registry.clear()
                registry.update(everything)
        return objs

    def _embed(self, font: TTFFont, face: Face) -> PDFFont:
        # The objects and their order are those of fpdf2's TrueType branch of _add_fonts.
        used = [(glyph, code) for glyph, code in font.subset.items() if glyph is not None]
        if font.missing_glyphs:
            missing = "".join(chr(c) for c in font.missing_glyphs[:10])
            log.warning("font %s has no glyph for %r", font.name, missing)
        fontname = f"MPDFAA+{font.name}"
        type0 = PDFFont(subtype="Type0", base_font=fontname, encoding="Identity-H")
        self._add_pdf_obj(type0, "fonts")
        cid_font = PDFFont(
            subtype="CIDFontType2",
            base_font=fontname,
            d_w=font.desc.missing_width,
            w=_tt_font_widths(font),
        )
        self._add_pdf_obj(cid_font, "fonts")
        type0.descendant_fonts = PDFArray([cid_font])

        to_unicode = PDFContentStream(_to_unicode_cmap(used).encode("latin-1"))
        self._add_pdf_obj(to_unicode, "fonts")
        type0.to_unicode = to_unicode

        system_info = CIDSystemInfo()
        self._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info

        descriptor = font.desc
        descriptor.font_name = Name(fontname)
        self._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor

        # Codes were handed out from 0 up as characters were first used: the map covers
        # them all (two bytes per code, the glyph number, which the program keeps).
        gid_of = bytearray(2 * (max(code for _, code in used) + 1))
        for glyph, code in used:
            struct.pack_into(">H", gid_of, 2 * code, face.gid[glyph.glyph_name])
        gid_map = PDFContentStream(contents=bytes(gid_of), compress=True)
        self._add_pdf_obj(gid_map, "fonts")
        cid_font.c_i_d_to_g_i_d_map = gid_map

        program = PDFFontStream(contents=face.program({face.gid[g.glyph_name] for g, _ in used}))
        self._add_pdf_obj(program, "fonts")
        # fpdf2 writes every attribute of the descriptor and sets this one the same way.
        descriptor.font_file2 = program  # type: ignore[attr-defined]  # not declared by fpdf2

        font.subset.pick.cache_clear()
        font.subset.get_glyph.cache_clear()
        return type0


def _to_unicode_cmap(used) -> str:
    entries = [
        f"<{code:04X}> <{''.join(_utf16(u) for u in glyph.unicode)}>\n"
        for glyph, code in used
        if isinstance(glyph.unicode, tuple) and glyph.unicode
    ]
    return (
        "/CIDInit /ProcSet findresource begin\n"
        "12 dict begin\n"
        "begincmap\n"
        "/CIDSystemInfo\n"
        "<</Registry (Adobe)\n"
        "/Ordering (UCS)\n"
        "/Supplement 0\n"
        ">> def\n"
        "/CMapName /Adobe-Identity-UCS def\n"
        "/CMapType 2 def\n"
        "1 begincodespacerange\n"
        "<0000> <FFFF>\n"
        "endcodespacerange\n"
        f"{_build_cmap_blocks(entries, 'bfchar')}"
        "endcmap\n"
        "CMapName currentdict /CMap defineresource pop\n"
        "end\n"
        "end"
    )


def _utf16(cp: int) -> str:
    if cp > 0xFFFF:
        cp -= 0x10000
        return f"{0xD800 | cp >> 10:04X}{0xDC00 | cp & 0x3FF:04X}"
    return f"{cp:04X}"
