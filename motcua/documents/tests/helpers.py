import io
import unicodedata

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """All text of a PDF, NFC-normalized (extractors may return decomposed marks)."""
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return unicodedata.normalize("NFC", text)


def flat(text: str) -> str:
    """Whitespace folded to single spaces (wrapped lines become one)."""
    return " ".join(text.split())
