"""The amount in Vietnamese words (motcua.payments.words): the conventions chosen, and
that it reads every amount from 0 to 10^12 without failing, in NFC."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.payments.words import amount_in_words, vnd_figures


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "Không đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (14, "Mười bốn đồng"),
        (15, "Mười lăm đồng"),
        (20, "Hai mươi đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi tư đồng"),
        (25, "Hai mươi lăm đồng"),
        (101, "Một trăm linh một đồng"),
        (104, "Một trăm linh bốn đồng"),
        (105, "Một trăm linh năm đồng"),
        (115, "Một trăm mười lăm đồng"),
        (50_000, "Năm mươi nghìn đồng"),
        (8_000, "Tám nghìn đồng"),
        (1_000_000, "Một triệu đồng"),
        (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
        (2_021, "Hai nghìn không trăm hai mươi mốt đồng"),
        (1_000_000_005, "Một tỷ không trăm linh năm đồng"),
        (
            999_999_999_999,
            "Chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu chín trăm chín "
            "mươi chín nghìn chín trăm chín mươi chín đồng",
        ),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
    ],
)
def test_words(n, words):
    assert amount_in_words(n) == words


@pytest.mark.parametrize("bad", [-1, 10**15, 1.5, True, "5"])
def test_bad_amounts_are_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        amount_in_words(bad)


@given(st.integers(min_value=0, max_value=10**12))
def test_every_amount_reads_in_nfc(n):
    text = amount_in_words(n)
    assert unicodedata.is_normalized("NFC", text)
    assert text.endswith(" đồng") and text[0].isupper()
    assert "  " not in text
    # "mốt" and "tư" only after "mươi"; "lăm" only after "mười"/"mươi"; "linh" never first.
    words = text.lower().split()
    for i, w in enumerate(words):
        if w in ("mốt", "tư"):
            assert words[i - 1] == "mươi"
        if w == "lăm":
            assert words[i - 1] in ("mười", "mươi")
    assert words[0] != "linh"


DIGIT = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5,
         "lăm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}  # fmt: skip


def read_back(text: str) -> int:
    """An independent reader of the words, to check they say the amount."""
    billions = below = small = last = 0
    for w in text.lower().removesuffix(" đồng").split():
        if w in DIGIT:
            last = DIGIT[w]
            small += last
        elif w == "mười":
            small += 10
        elif w == "mươi":
            small += last * 9
        elif w == "trăm":
            small += last * 99
        elif w == "linh":
            pass
        elif w == "nghìn":
            below, small = below + small * 1000, 0
        elif w == "triệu":
            below, small = below + small * 10**6, 0
        elif w == "tỷ":
            billions, below, small = (billions + below + small) * 10**9, 0, 0
        else:
            raise AssertionError(w)
    return billions + below + small


@given(st.integers(min_value=0, max_value=10**12))
def test_the_words_say_the_amount(n):
    assert read_back(amount_in_words(n)) == n


def test_figures():
    assert vnd_figures(1_005_000) == "1.005.000"
    assert vnd_figures(0) == "0"
