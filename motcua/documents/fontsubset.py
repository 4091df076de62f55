"""Vietnamese subsets of the bundled DejaVu fonts, for speed.

Embedding a full DejaVu face costs ~100 ms per PDF (fpdf2 parses every glyph, then subsets);
the "-vi" files below keep only Latin, Vietnamese and common punctuation (~400 glyphs) and
load in a few milliseconds. Text with any other character makes the renderer add the full
face as a fallback (`FormPDF.__init__`, fpdf2's fallback fonts), so nothing is ever dropped.
rendering/faces.py parses the subsets once per process and embeds them without fontTools.

Regenerate after changing RANGES: `.venv/bin/python -m motcua.documents.fontsubset`.
"""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"

# Basic Latin, Latin-1, the Vietnamese letters of Latin Extended-A/B, the combining marks
# Vietnamese uses (in case NFC leaves one), Latin Extended Additional (ạ … ỹ), dashes,
# quotes, bullet, ellipsis and № (DejaVu Serif has no ₫ sign: amounts are written "đồng").
RANGES = (
    (0x20, 0x7E),
    (0xA0, 0xFF),
    (0x102, 0x103),
    (0x110, 0x111),
    (0x128, 0x129),
    (0x168, 0x169),
    (0x1A0, 0x1A1),
    (0x1AF, 0x1B0),
    (0x300, 0x303),
    (0x309, 0x309),
    (0x323, 0x323),
    (0x1EA0, 0x1EF9),
    (0x2013, 0x2014),
    (0x2018, 0x201D),
    (0x2022, 0x2022),
    (0x2026, 0x2026),
    (0x2116, 0x2116),
)
FACES = (
    "DejaVuSerif",
    "DejaVuSerif-Bold",
    "DejaVuSerif-Italic",
    "DejaVuSans",
    "DejaVuSans-Bold",
)


def covered(text: str) -> bool:
    """True when every character of `text` is in the subsets."""
    return all(any(lo <= ord(ch) <= hi for lo, hi in RANGES) for ch in text if ch >= " ")


def build() -> None:
    from fontTools import subset

    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    # Hinting is for screens at small pixel sizes; forms are printed and zoomed. Without it
    # the glyphs are a third of the size and fpdf2 compiles them much faster.
    options.hinting = False
    options.drop_tables += ["FFTM", "GPOS", "GSUB", "GDEF", "hdmx", "kern", "LTSH", "VDMX"]
    unicodes = [cp for lo, hi in RANGES for cp in range(lo, hi + 1)]
    for face in FACES:
        font = subset.load_font(str(FONT_DIR / f"{face}.ttf"), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        subset.save_font(font, str(FONT_DIR / f"{face}-vi.ttf"), options)


if __name__ == "__main__":
    build()
