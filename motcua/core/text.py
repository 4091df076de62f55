"""Vietnamese text helpers: NFC on the way in, accent-folded keys for search, Vietnamese
alphabetical order for lists (`collation_key`, `sorted_vi`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar, overload

_SPACES = re.compile(r"\s+")

T = TypeVar("T")


@overload
def nfc(value: str) -> str: ...
@overload
def nfc(value: str | None) -> str | None: ...
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


# Vietnamese alphabetical order (bảng chữ cái): ă, â after a; đ after d; ê after e; ô, ơ after
# o; ư after u. f, j, w, z (foreign words) take their Latin places.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {ch: 20 + i for i, ch in enumerate(_ALPHABET)}
# Marks that make another letter (breve, circumflex, horn) vs tone marks. Tones are
# compared only when the letters are equal, in dictionary order: ngang, huyền, hỏi, ngã,
# sắc, nặng (as Unicode CLDR's Vietnamese collation does).
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def collation_key(value: str | None) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Sort key for Vietnamese text, the same on every database: letters in Vietnamese order
    ("Đất đai" after "Dân số", "Vật liệu" before "Việc làm"), then tones, then case.
    Spaces and punctuation sort before digits, digits before letters."""
    primary: list[int] = []
    tones: list[int] = []
    case: list[int] = []
    for cluster in _clusters(unicodedata.normalize("NFD", value or "")):
        base, marks = cluster[0], cluster[1:]
        letter = unicodedata.normalize(
            "NFC", base.lower() + "".join(m for m in marks if m in _LETTER_MARKS)
        )
        if letter in _LETTER_RANK:
            rank = _LETTER_RANK[letter]
        elif base.isdigit():
            rank = 2 + int(base) if base.isascii() else 12
        elif base.isspace() or not base.isalnum():
            if primary and primary[-1] == 1:
                continue  # a run of spaces / punctuation counts once
            rank = 1
        else:
            rank = 100 + ord(base.lower())
        primary.append(rank)
        tones.append(next((_TONE_RANK[m] for m in marks if m in _TONE_RANK), 0))
        case.append(0 if base == base.lower() else 1)
    return tuple(primary), tuple(tones), tuple(case)


def _clusters(text: str) -> Iterator[str]:
    """A base character with the combining marks that follow it."""
    cluster = ""
    for ch in text:
        if cluster and unicodedata.combining(ch):
            cluster += ch
        else:
            if cluster:
                yield cluster
            cluster = ch
    if cluster:
        yield cluster


@overload
def sorted_vi(items: Iterable[str], *, key: None = None) -> list[str]: ...
@overload
def sorted_vi(items: Iterable[T], *, key: Callable[[T], str | None]) -> list[T]: ...
def sorted_vi(items: Iterable[Any], *, key: Callable[[Any], str | None] | None = None) -> list[Any]:
    """`items` sorted by the Vietnamese collation of `key(item)` (a name; the item itself
    when no key is given)."""
    name = key if key is not None else _itself
    return sorted(items, key=lambda item: collation_key(name(item)))


def _itself(item: str | None) -> str | None:
    return item
