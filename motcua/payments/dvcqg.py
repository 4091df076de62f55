"""The national public-service portal's payment platform (Nền tảng thanh toán Cổng DVC quốc
gia), from the province's side: protocol only, no Django models (integration reference
§1.4, IMPL from OpenCPS `pay-gate-integration`; no official specification was found).

From the reference:
- Flow A: the province POSTs JSON (init) with LoaiBanTin, PhienBan, MaDoiTac, MaThamChieu
  (≤ 20 characters, unique per attempt), SoTien (integer đồng), LoaiHinhThanhToan,
  MaKenhThanhToan, MaThietBi, NgonNgu, MaTienTe, MaNganHang, ThongTinGiaoDich, ThoiGianGD
  (yyyyMMddHHmmss), Ip, ThongTinBienLai and MaXacThuc = SHA-256 of those fields but
  ThongTinBienLai, joined by `|`, followed by `|hash_key` (release-candidate-3.0's recipe).
- The callback (…/dpnhankqthanhtoanhs) carries LoaiBanTin, MaLoi ("00" = paid), MaDoiTac,
  MaThamChieu, SoTien, MaTienTe, MaGiaoDich, MaNganHang, ThoiGianGD, ThongTinGiaoDich and
  MaXacThuc = SHA-256(those, in that order, `|`, then `|hash_key`); the answer is
  {MaLoi "00" Thành công | "99" Các lỗi khác, MoTaLoi, MaDoiTac, MaThamChieu, ThoiGianGD,
  MaXacThuc}. The checksum IS checked here (OpenCPS comments its check out).
- Get bill/receipt: {LoaiBanTin, PhienBan, MaDoiTac, MaThamChieu, ThoiGianGD, MaXacThuc =
  SHA-256(LoaiBanTin|PhienBan|MaDoiTac|MaThamChieu|ThoiGianGD|hash_key)}.

This project's assumptions, where the reference says nothing (UNCONFIRMED; take them from
the operator's specification): the init answer is {MaLoi, MoTaLoi, MaDoiTac, MaThamChieu,
UrlThanhToan, ThoiGianGD, MaXacThuc = SHA-256(MaLoi|MaDoiTac|MaThamChieu|UrlThanhToan|
ThoiGianGD|hash_key)} and the citizen is sent to UrlThanhToan; the get-bill answer carries
the callback's fields, signed as the callback is, with MaLoi "00" paid, "01" no such
(or no paid) transaction, anything else failed; our callback answer is signed
SHA-256(MaLoi|MaDoiTac|MaThamChieu|ThoiGianGD|hash_key); LoaiBanTin's values come from
the settings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .vnpay import GMT7, Notice, ProtocolError, ascii_text, format_date, parse_date

INIT_ORDER = (
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
)
INIT_ANSWER_ORDER = ("MaLoi", "MaDoiTac", "MaThamChieu", "UrlThanhToan", "ThoiGianGD")
CALLBACK_ORDER = (
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
)
QUERY_ORDER = ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
REPLY_ORDER = ("MaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
CALLBACK_FIELDS = frozenset({*CALLBACK_ORDER, "MaXacThuc", "MaHoSo"})

SUCCESS = "00"
NOT_FOUND = "01"
REPLY_OK = ("00", "Thành công")
REPLY_ERROR = ("99", "Các lỗi khác")
MAX_REFERENCE = 20


@dataclass(frozen=True)
class Config:
    partner_code: str  # MaDoiTac
    hash_key: str
    init_url: str
    query_url: str
    version: str = "2.0.0"  # PhienBan
    msg_init: str = "1"  # LoaiBanTin of each message (the operator's values)
    msg_get_bill: str = "2"
    msg_confirm: str = "3"
    agency_code: str = ""  # MaDonVi / MaCoQuanQD
    agency_name: str = ""
    expire_minutes: int = 15


def checksum(values: Sequence[str], hash_key: str) -> str:
    """SHA-256 hex of the values joined by '|' followed by '|hash_key'."""
    data = "|".join([*values, hash_key])
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _signed(msg: Mapping[str, Any], order: Sequence[str], hash_key: str) -> bool:
    given = str(msg.get("MaXacThuc", "") or "")
    if not given:
        return False
    expected = checksum([_text(msg.get(k)) for k in order], hash_key)
    return hmac.compare_digest(expected, given.lower())


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def reference_ok(reference: str) -> bool:
    return 0 < len(reference) <= MAX_REFERENCE and reference.isascii() and reference.isalnum()


# ------------------------------------------------------------------------------- init


def init_body(
    config: Config,
    *,
    reference: str,
    amount_vnd: int,
    created_at: dt.datetime,
    ip: str,
    dossier_code: str,
    procedure_code: str,
    procedure_name: str,
    payer_name: str,
    description: str,
) -> dict[str, Any]:
    """The signed init message (Flow A) and its ThongTinBienLai (MaDichVu 2 = fee)."""
    if not reference_ok(reference):
        raise ProtocolError("MaThamChieu must be 1-20 ASCII letters or digits")
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise ProtocolError("SoTien must be a positive whole number of đồng")
    body: dict[str, Any] = {
        "LoaiBanTin": config.msg_init,
        "PhienBan": config.version,
        "MaDoiTac": config.partner_code,
        "MaThamChieu": reference,
        "SoTien": str(amount_vnd),
        "LoaiHinhThanhToan": "1",
        "MaKenhThanhToan": "1",
        "MaThietBi": "1",
        "NgonNgu": "vi",
        "MaTienTe": "VND",
        "MaNganHang": "",
        "ThongTinGiaoDich": ascii_text(description, 200),
        "ThoiGianGD": format_date(created_at),
        "Ip": ip or "127.0.0.1",
    }
    body["ThongTinBienLai"] = {
        "MaDichVu": 2,
        "MaDonVi": config.agency_code,
        "TenDonVi": config.agency_name,
        "MaHoSo": dossier_code,
        "MaTTHC": procedure_code,
        "TenTTHC": procedure_name,
        "PhiLePhi": [
            {
                "LoaiPhiLePhi": 2,
                "MaPhiLePhi": procedure_code,
                "TenPhiLePhi": f"Lệ phí {procedure_name}"[:250],
                "SoTien": amount_vnd,
            }
        ],
        "NoiDungThanhToan": description,
        "HoTenNguoiNop": payer_name,
        "MaCoQuanQD": config.agency_code,
        "TenCoQuanQD": config.agency_name,
        "DSKhoanNop": [{"NoiDung": description, "SoTien": amount_vnd}],
    }
    body["MaXacThuc"] = checksum([body[k] for k in INIT_ORDER], config.hash_key)
    return body


def init_redirect(config: Config, answer: Mapping[str, Any], reference: str) -> str:
    """The checkout URL of a verified, successful init answer; ProtocolError otherwise."""
    if not _signed(answer, INIT_ANSWER_ORDER, config.hash_key):
        raise ProtocolError("the init answer's MaXacThuc is not valid")
    if _text(answer.get("MaLoi")) != SUCCESS:
        raise ProtocolError(f"init refused: {answer.get('MaLoi')} {answer.get('MoTaLoi', '')}")
    if _text(answer.get("MaThamChieu")) != reference:
        raise ProtocolError("the init answer names another MaThamChieu")
    url = _text(answer.get("UrlThanhToan"))
    if not url.startswith(("https://", "http://")):
        raise ProtocolError("the init answer's UrlThanhToan is not http(s)")
    return url


# --------------------------------------------------------------------------- callback


def verify_callback(config: Config, msg: Mapping[str, Any]) -> bool:
    return _signed(msg, CALLBACK_ORDER, config.hash_key)


def read_callback(config: Config, msg: Mapping[str, Any]) -> Notice:
    """What a verified callback (or get-bill answer) says, in the shape every provider's
    evidence takes (vnpay.Notice): paid is response and status "00"."""
    reference = _text(msg.get("MaThamChieu"))
    amount = _text(msg.get("SoTien"))
    if not reference:
        raise ProtocolError("missing MaThamChieu")
    if not amount.isascii() or not amount.isdigit():
        raise ProtocolError(f"SoTien is not a whole number of đồng: {amount!r}")
    if _text(msg.get("MaDoiTac")) != config.partner_code:
        raise ProtocolError("MaDoiTac is not ours")
    if _text(msg.get("MaTienTe", "VND")) not in ("", "VND"):
        raise ProtocolError("MaTienTe is not VND")
    code = _text(msg.get("MaLoi"))
    when = _text(msg.get("ThoiGianGD"))
    return Notice(
        txn_ref=reference,
        amount_vnd=int(amount),
        response_code=code,
        transaction_status=SUCCESS if code == SUCCESS else "02",
        transaction_no=_text(msg.get("MaGiaoDich")),
        bank_code=_text(msg.get("MaNganHang")),
        card_type="",
        pay_date=parse_date(when) if when else None,
    )


def reply(config: Config, code: tuple[str, str], msg: Mapping[str, Any]) -> dict[str, str]:
    """Our signed answer to a callback."""
    out = {
        "MaLoi": code[0],
        "MoTaLoi": code[1],
        "MaDoiTac": config.partner_code,
        "MaThamChieu": _text(msg.get("MaThamChieu"))[:100],
        "ThoiGianGD": _text(msg.get("ThoiGianGD"))[:14],
    }
    out["MaXacThuc"] = checksum([out[k] for k in REPLY_ORDER], config.hash_key)
    return out


# ------------------------------------------------------------------ get bill (query)


def query_body(config: Config, *, reference: str, now: dt.datetime) -> dict[str, str]:
    body = {
        "LoaiBanTin": config.msg_get_bill,
        "PhienBan": config.version,
        "MaDoiTac": config.partner_code,
        "MaThamChieu": reference,
        "ThoiGianGD": now.astimezone(GMT7).strftime("%Y%m%d%H%M%S"),
    }
    body["MaXacThuc"] = checksum([body[k] for k in QUERY_ORDER], config.hash_key)
    return body


def query_notice(config: Config, answer: Mapping[str, Any]) -> Notice | None:
    """A verified get-bill answer: None when the platform knows no paid transaction of
    that reference (MaLoi 01); raises ProtocolError on a bad checksum."""
    if not verify_callback(config, answer):
        raise ProtocolError("the get-bill answer's MaXacThuc is not valid")
    if _text(answer.get("MaLoi")) == NOT_FOUND:
        return None
    return read_callback(config, answer)
