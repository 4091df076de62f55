"""What a record's fee line says, read from its name and note (never invented).

The national record gives a fee as a name, a figure (or none) and a description. From
those we read, only where the wording is unambiguous:
- the kind: a name opening with "Lệ phí" is a lệ phí, with "Phí " a phí; "Phí, lệ phí"
  (one line for both) stays unstated;
- the channels: "(nộp trực tuyến)", "(nộp trực tiếp)", "(nộp trực tuyến/bưu chính)",
  "(… hoặc qua bưu chính)" in the name — the record prices the item for those channels;
- the legal basis: the first document number in the note ("Thông tư số 47/2019/TT-BTC"),
  with its title from the catalog's table of legal documents;
- the computation: a note opening with "N đồng/bản", "/trang" or "/người" whose N equals the
  figure is per unit (copies, pages, people); the chứng thực wording "N đồng/trang; từ trang
  thứ K trở lên thu M đồng/trang, tối đa không quá X đồng/bản" is tiered per page with a
  maximum per copy, times the copies. Per case ("đồng/lần", "/trường hợp", "/hộ chiếu", …)
  is a fixed amount. Anything else stays fixed (or unknown when there is no figure).

`derive` is also what migration 0013 used to fill the rows that existed before.
"""

from __future__ import annotations

import re
from typing import Any

from motcua.core.text import fold

from ..enums import Channel, FeeComputation, FeeKind
from ..legal import legal_titles

_NUMBER = re.compile(r"\b\d{1,4}/\d{4}/[A-ZĐ]+(?:-[A-ZĐ]+)*")
_MONEY = r"(\d{1,3}(?:\.\d{3})+|\d+)"
_PER_UNIT = re.compile(rf"^(?:Mô tả: )?{_MONEY} đồng/(bản|trang|người)\b")
_TIERED = re.compile(
    rf"{_MONEY} đồng/trang; từ trang thứ (\d+) trở lên thu {_MONEY} đồng/trang, "
    rf"tối đa không quá {_MONEY} đồng/bản"
)
_UNIT_KEYS = {"bản": "so_ban", "trang": "so_trang", "người": "so_nguoi"}
_CHANNEL_WORDS = (
    ("truc tuyen", Channel.ONLINE),
    ("truc tiep", Channel.COUNTER),
    ("buu chinh", Channel.POST),
)


def _money(text: str) -> int:
    return int(text.replace(".", ""))


def kind_of(name: str) -> str:
    folded = fold(name)
    if folded.startswith("phi, le phi") or folded.startswith("phi le phi"):
        return FeeKind.UNSTATED
    if folded.startswith("le phi"):
        return FeeKind.LE_PHI
    if folded.startswith("phi "):
        return FeeKind.PHI
    return FeeKind.UNSTATED


def channels_of(name: str) -> list[int]:
    """The channels a "(nộp …)" remark in the name restricts the item to; [] = all."""
    found: set[int] = set()
    for raw in re.findall(r"\(([^)]*)\)", name):
        group = fold(raw)
        if "nop " not in f"{group} ":
            continue
        found.update(int(ch) for word, ch in _CHANNEL_WORDS if word in group)
    return sorted(found)


def legal_number_of(note: str) -> str:
    match = _NUMBER.search(note or "")
    return match.group(0) if match else ""


def computation_of(note: str, amount: int | None) -> dict[str, Any]:
    """The computation the note states, checked against the record's figure."""
    fixed: dict[str, Any] = {"computation": FeeComputation.FIXED}
    if amount is None:
        return fixed
    tiered = _TIERED.search(note or "")
    if tiered and _money(tiered.group(1)) == amount:
        first, from_page, rest, most = tiered.groups()
        k = int(from_page)
        return {
            "computation": FeeComputation.TIERED,
            "unit": "trang",
            "answer_key": "so_trang",
            "multiplier_key": "so_ban",
            "bands": [
                {"from": 0, "to": k, "amount_vnd": _money(first)},
                {"from": k, "to": None, "amount_vnd": _money(rest)},
            ],
            "maximum_vnd": _money(most),
        }
    per = _PER_UNIT.search(note or "")
    if per and _money(per.group(1)) == amount:
        unit = per.group(2)
        return {
            "computation": FeeComputation.PER_UNIT,
            "unit": unit,
            "answer_key": _UNIT_KEYS[unit],
        }
    return fixed


DEFAULTS: dict[str, Any] = {
    "kind": FeeKind.UNSTATED,
    "computation": FeeComputation.FIXED,
    "unit": "",
    "answer_key": "",
    "multiplier_key": "",
    "bands": [],
    "minimum_vnd": None,
    "maximum_vnd": None,
    "channels": [],
    "legal_basis_number": "",
    "legal_basis_text": "",
}
KEYS = tuple(DEFAULTS)


def derive(name: str, note: str, amount: int | None) -> dict[str, Any]:
    """The fields of a fee line read from its wording (the keys of `DEFAULTS`)."""
    number = legal_number_of(note)
    return {
        **DEFAULTS,
        "kind": str(kind_of(name)),
        "channels": channels_of(name),
        "legal_basis_number": number,
        "legal_basis_text": (legal_titles().get(number) or "") if number else "",
        **{k: str(v) if k == "computation" else v for k, v in computation_of(note, amount).items()},
    }


def _base_name(name: str) -> str:
    return fold(re.sub(r"\s*\([^)]*\bnộp\b[^)]*\)", "", name))


def complement_channels(fees: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A record that prices an item for some channels ("Lệ phí cấp giấy phép lái xe (nộp
    trực tuyến)") beside the same item with no channel ("Lệ phí cấp giấy phép lái xe")
    means the latter for the other channels: it gets them, so no dossier pays both."""
    out = [dict(f) for f in fees]
    for f in out:
        if f["channels"]:
            continue
        taken = {
            ch
            for other in out
            if other["channels"] and _base_name(other["name"]) == _base_name(f["name"])
            for ch in other["channels"]
        }
        if taken:
            f["channels"] = sorted(set(Channel.values) - taken)
    return out
