"""An amount of đồng in Vietnamese words, as a receipt writes it ("Năm mươi nghìn đồng").

Conventions (the accounting practice of receipts and invoices; no rule text was read, so
UNCONFIRMED as law, chosen and tested here):

- groups of three digits, named nghìn, triệu, tỷ; above a tỷ the count of tỷ is read again
  ("một nghìn tỷ" for 10^12); groups that are all zero are left out ("Một triệu đồng");
- a group after a higher one reads its hundreds even when zero: 1 005 000 is "Một triệu
  không trăm linh năm nghìn đồng"; the leading group does not ("Năm đồng");
- a zero ten before a unit is "linh" (not "lẻ"): "một trăm linh năm";
- 10 is "mười", 11–19 "mười một" … "mười chín"; tens from 20 are "hai mươi", …;
- after "mươi" (20 and up) one is "mốt" ("hai mươi mốt") and four is "tư" ("hai mươi
  tư"); elsewhere "một", "bốn" ("mười một", "mười bốn", "một trăm linh bốn");
- after "mười" or "mươi" five is "lăm" ("mười lăm", "hai mươi lăm"); elsewhere "năm";
- the first letter is a capital, the text ends with "đồng", and it is NFC.
"""

from __future__ import annotations

import unicodedata

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
GROUPS = ("", "nghìn", "triệu")
BILLION = 10**9
MAX_VND = 10**15  # above any fee: refuse rather than read nonsense


def _group(n: int, *, full: bool) -> list[str]:
    """Words of 0 < n < 1000; `full` when a higher group came before (hundreds always)."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 1:
        words.append("mốt" if tens > 1 else "một")
    elif units == 4:
        words.append("tư" if tens > 1 else "bốn")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _below_billion(n: int, *, full: bool) -> list[str]:
    words: list[str] = []
    groups = [n // 10**6 % 1000, n // 1000 % 1000, n % 1000]
    for i, g in enumerate(groups):
        if g == 0:
            continue
        words += _group(g, full=full or bool(words))
        if GROUPS[2 - i]:
            words.append(GROUPS[2 - i])
    return words


def _words(n: int, *, full: bool = False) -> list[str]:
    if n >= BILLION:
        head = _words(n // BILLION, full=full)
        rest = n % BILLION
        return [*head, "tỷ", *(_below_billion(rest, full=True) if rest else [])]
    return _below_billion(n, full=full)


def amount_in_words(amount_vnd: int) -> str:
    """ "Năm mươi nghìn đồng" for 50000. Whole đồng, 0 ≤ amount < 10^15."""
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int):
        raise TypeError("amount_vnd must be an int (whole đồng)")
    if not 0 <= amount_vnd < MAX_VND:
        raise ValueError(f"amount out of range: {amount_vnd}")
    words = _words(amount_vnd) if amount_vnd else ["không"]
    text = " ".join([*words, "đồng"])
    return unicodedata.normalize("NFC", text[0].upper() + text[1:])


def vnd_figures(amount_vnd: int) -> str:
    """ "1.005.000" — the Vietnamese grouping of a whole number of đồng."""
    return f"{amount_vnd:,}".replace(",", ".")
