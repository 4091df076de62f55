"""Vietnamese text helpers: NFC on the way in, accent-folded keys for search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str | None) -> str | None:
    """Normalize to NFC and collapse runs of whitespace; None stays None."""
    if value is None:
        return None
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str | None) -> str:
    """Accent-insensitive, case-insensitive search key: 'Đăng ký Khai sinh' -> 'dang ky khai sinh'."""
    if not value:
        return ""
    text = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = re.sub(r"[^0-9a-zA-Z]+", " ", text)
    return _SPACES.sub(" ", text).strip().lower()
