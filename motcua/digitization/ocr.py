"""The OCR engine: ocrmypdf with Tesseract's Vietnamese model (`vie`), making a searchable
PDF/A of one component's scan (a PDF, or one or more page images in order).

Runs outside any transaction (it takes seconds per page); the services store what it
returns. CPU time counts this process and its children (Tesseract, Ghostscript)."""

from __future__ import annotations

import io
import resource
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

PDF = "application/pdf"
IMAGES = frozenset({"image/jpeg", "image/png"})


class OcrFailed(Exception):
    """The engine could not make a PDF/A of the scan (a damaged file, a timeout...)."""


@dataclass(frozen=True)
class OcrOutput:
    pdf: bytes
    text: str  # NFC, the pages separated by form feeds
    pages: int
    cpu_ms: int


def _cpu() -> float:
    own = time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + kids.ru_utime + kids.ru_stime


def _as_pdf(sources: Sequence[tuple[bytes, str]], work: Path) -> tuple[Path, int | None]:
    """One PDF to feed the engine: the PDF itself, or the images as pages (img2pdf, no
    re-encoding). Images without a resolution are taken as 300 dpi."""
    if len(sources) == 1 and sources[0][1] == PDF:
        path = work / "in.pdf"
        path.write_bytes(sources[0][0])
        return path, None
    import img2pdf

    if any(kind not in IMAGES for _data, kind in sources):
        raise OcrFailed("a batch must be page images (JPEG, PNG)")
    path = work / "in.pdf"
    dpi = settings.MOTCUA_OCR_IMAGE_DPI
    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    try:
        path.write_bytes(img2pdf.convert([d for d, _k in sources], layout_fun=layout))
    except Exception as e:  # img2pdf raises its own types and PIL's
        raise OcrFailed(f"images: {e}") from e
    return path, dpi


def make_pdfa(sources: Sequence[tuple[bytes, str]]) -> OcrOutput:
    """A searchable PDF/A-2b with the recognised text of `sources` ((bytes, content type)
    per file, in page order), in the languages of MOTCUA_OCR_LANGUAGES (default `vie`)."""
    import ocrmypdf
    import pikepdf

    started = _cpu()
    with tempfile.TemporaryDirectory(prefix="motcua-ocr-") as tmp:
        work = Path(tmp)
        src, _dpi = _as_pdf(sources, work)
        out, sidecar = work / "out.pdf", work / "text.txt"
        try:
            code = ocrmypdf.ocr(
                src,
                out,
                language=settings.MOTCUA_OCR_LANGUAGES.split("+"),
                output_type="pdfa-2",
                sidecar=sidecar,
                # Scans are images: a page with text is rasterised and read again (Debian 12's
                # Ghostscript 10.0 corrupts kept text, which ocrmypdf refuses to risk).
                force_ocr=True,
                optimize=1,
                jobs=1,
                progress_bar=False,
                tesseract_timeout=settings.MOTCUA_OCR_PAGE_TIMEOUT,
            )
        except Exception as e:  # ocrmypdf.exceptions.ExitCodeException and I/O errors
            raise OcrFailed(f"{type(e).__name__}: {e}") from e
        if int(code) != 0 or not out.exists():
            raise OcrFailed(f"ocrmypdf exit code {int(code)}")
        pdf = out.read_bytes()
        text = sidecar.read_text(encoding="utf-8") if sidecar.exists() else ""
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            pages = len(doc.pages)
    text = unicodedata.normalize("NFC", text.replace("[OCR skipped on page(s) ", "["))
    return OcrOutput(pdf=pdf, text=text, pages=pages, cpu_ms=round((_cpu() - started) * 1000))
