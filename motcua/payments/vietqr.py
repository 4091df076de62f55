"""VietQR: the NAPAS 247 bank-transfer QR code (EMVCo merchant-presented, to an account).

The payload is built and read by `napas-qr-python` (qr_pay), which reproduces the NAPAS
specification's worked example (../shared/domain/integration-reference.md §1.7); this module
adds what the library leaves to its caller: the 25-character ASCII limit of the purpose
field, which carries the payment reference, the NAPAS 247 ceiling (< 500 million đồng) and
whole đồng only. A transfer gives the receiving agency no callback: a payment by VietQR is
known only from the bank's statement, matched on this reference (payments are recorded by
the statement import, never by the QR).

    payload(Beneficiary("970403", "0011012345678", "TTPVHCC TINH"), amount_vnd=180_000,
            reference="NPS6869")
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import segno
from qr_pay import QRDecodeError, QRPay, verify_checksum
from qr_pay import decode as _decode

from motcua.core.errors import ValidationFailed

MAX_AMOUNT_VND = 500_000_000  # NAPAS 247: a transfer is below 500 million đồng (§8.1.1)
MAX_REFERENCE = 25  # field 62/08: at most 25 characters of the EMV common set
_BIN = re.compile(r"^\d{6}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{1,19}$")
_REFERENCE = re.compile(r"^[0-9A-Za-z ]{1,25}$")


@dataclass(frozen=True)
class Beneficiary:
    """The collecting agency's account: the bank's 6-digit BIN (SBV-issued), the account
    number, and the account holder's name as the bank app shows it (ASCII, ≤ 25)."""

    bin: str
    account: str
    name: str = ""

    def __post_init__(self) -> None:
        if not _BIN.match(self.bin):
            raise ValidationFailed(
                "invalid_bank_bin",
                f"Mã BIN ngân hàng '{self.bin}' phải gồm đúng 6 chữ số.",
                f"The bank BIN '{self.bin}' must be exactly 6 digits.",
                field="bin",
            )
        if not _ACCOUNT.match(self.account):
            raise ValidationFailed(
                "invalid_bank_account",
                f"Số tài khoản '{self.account}' phải gồm 1–19 chữ số hoặc chữ cái.",
                f"The account number '{self.account}' must be 1-19 digits or letters.",
                field="account",
            )


@dataclass(frozen=True)
class Transfer:
    """What a VietQR payload asks the payer's bank app to send."""

    bin: str
    account: str
    amount_vnd: int | None
    reference: str


def reference_for(text: str) -> str:
    """A transfer reference from `text` (a dossier code, a payment reference): accents
    folded, only letters and digits kept, upper case, at most 25 characters. Bank apps may
    drop punctuation from the transfer text, so the statement matcher compares the same
    folded form."""
    return fold(text)[:MAX_REFERENCE]


def fold(text: str) -> str:
    """`text` as reference_for folds it, whole: accents folded, only ASCII letters and
    digits, upper case (the statement matcher searches a transfer's text in this form)."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if c.isascii() and c.isalnum()).upper()


def payload(beneficiary: Beneficiary, *, amount_vnd: int, reference: str) -> str:
    """The dynamic (single-use) VietQR payload for a transfer of `amount_vnd` đồng to
    `beneficiary` with `reference` in the purpose field (62/08)."""
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise ValidationFailed(
            "invalid_amount",
            "Số tiền chuyển khoản phải là số nguyên dương (đồng).",
            "The transfer amount must be a positive whole number of đồng.",
            field="amount_vnd",
        )
    if amount_vnd >= MAX_AMOUNT_VND:
        raise ValidationFailed(
            "amount_over_napas_limit",
            "Chuyển nhanh NAPAS 247 chỉ nhận khoản dưới 500.000.000 đồng: "
            "xin nộp tại quầy hoặc chuyển khoản thường.",
            "NAPAS 247 fast transfers are below 500,000,000 VND: pay at the counter or by an "
            "ordinary transfer.",
            field="amount_vnd",
        )
    if not _REFERENCE.match(reference):
        raise ValidationFailed(
            "invalid_transfer_reference",
            f"Nội dung chuyển khoản '{reference}' phải gồm 1–{MAX_REFERENCE} chữ cái không "
            f"dấu, chữ số hoặc dấu cách.",
            f"The transfer reference '{reference}' must be 1-{MAX_REFERENCE} ASCII letters, "
            f"digits or spaces.",
            field="reference",
        )
    return str(
        QRPay(
            beneficiary.bin,
            beneficiary.account,
            transaction_amount=amount_vnd,
            purpose_of_transaction=reference,
            point_of_initiation_method="DYNAMIC",
            service_code="ACCOUNT",
        ).code
    )


def read(code: str) -> Transfer:
    """Read a VietQR payload back, checking its CRC (a QR from a paper form, a test)."""
    try:
        if not verify_checksum(code):
            raise QRDecodeError("CRC mismatch")
        data = _decode(code, verify_crc=True)
    except (QRDecodeError, UnicodeError) as exc:
        raise ValidationFailed(
            "invalid_vietqr",
            f"Mã VietQR không hợp lệ: {exc}.",
            f"Not a valid VietQR payload: {exc}.",
            field="code",
        ) from None
    amount = data.get("transaction_amount")
    return Transfer(
        bin=str(data.get("bin_id") or ""),
        account=str(data.get("consumer_id") or ""),
        amount_vnd=int(amount) if amount else None,
        reference=str(data.get("purpose_of_transaction") or ""),
    )


def svg(code: str, *, scale: int = 4) -> str:
    """The QR as an SVG document (no script, no external reference): for pages and forms."""
    return str(segno.make(code, error="m", micro=False).svg_inline(scale=scale))


def png(code: str, *, scale: int = 6) -> bytes:
    import io

    buf = io.BytesIO()
    segno.make(code, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()
