"""The engine on the shipped scanned sample: a searchable PDF/A whose text has the
sample's Vietnamese words, accents included (Tesseract `vie`)."""

import io

import pikepdf
import pytest

from motcua.digitization.ocr import OcrFailed, make_pdfa

from .conftest import BROKEN_PNG, WORDS

# The OCR engine's suite (make test-ocr), apart from the parallel unit suite.
pytestmark = pytest.mark.ocr


def test_the_sample_becomes_a_searchable_pdfa_with_its_vietnamese_words(ocr_output):
    out = ocr_output
    for word in WORDS:
        assert word in out.text, word
    assert out.pages == 1 and out.cpu_ms > 0
    with pikepdf.open(io.BytesIO(out.pdf)) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        assert len(pdf.pages) == 1


def test_an_unreadable_image_fails():
    with pytest.raises(OcrFailed):
        make_pdfa([(BROKEN_PNG, "image/png")])
