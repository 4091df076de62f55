"""Payments of the past, written in bulk: the Payment rows and their log for a history that
bypasses the services (the demo's year of dossiers, docs/adr/0001).

A synthesized dossier is paid the way motcua records payments today, with the same rules:
the dossier's settlement goes through `replay.Life.confirm_payment(channel=…)`, which applies
the services' one rule (`rules.settlement_refusal`, `rules.paid_online_for`); this module
writes what motcua.payments would have kept for it — one paid Payment per settlement, of the
channel that took the money, for the amount settled, named by the reference the dossier's
event carries, with its evidence:
- the province's gateway (VNPay): the IPN's fields (transaction number, bank, card type,
  pay date, response code 00), verified_by = ipn;
- the national platform: its callback's fields (MaGiaoDich, MaNganHang, ThoiGianGD),
  verified_by = ipn;
- the counter (cash, POS): the receipt number the officer gave, verified_by = officer (as
  services.counter.counter_payment keeps it).
The evidence of history is marked `"source": "history"` in verified_params and carries no
signature: nothing here pretends to be a message that was received. Each Payment has its
log: the start of the attempt and the verified notice (online), the officer's record
(counter). Receipts (Receipt rows, PDF/XML) are not made for history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from motcua.core.bulk import insert_rows
from motcua.dossiers.enums import COUNTER_CHANNELS, PaymentChannel

from .models import EventKind, Payment, PaymentEvent, PaymentStatus, Provider, VerifiedBy

VN = ZoneInfo("Asia/Ho_Chi_Minh")

PROVIDER_OF_CHANNEL = {
    PaymentChannel.GATEWAY: Provider.VNPAY,
    PaymentChannel.NATIONAL_PLATFORM: Provider.NATIONAL_PLATFORM,
    PaymentChannel.VIETQR_TRANSFER: Provider.BANK,
    PaymentChannel.COUNTER_CASH: Provider.COUNTER,
    PaymentChannel.COUNTER_POS: Provider.COUNTER,
}
# The channels a history payment may take here (a VietQR transfer's evidence is a bank
# statement line, which history does not synthesize).
HISTORY_CHANNELS = frozenset(
    {
        PaymentChannel.GATEWAY,
        PaymentChannel.NATIONAL_PLATFORM,
        PaymentChannel.COUNTER_CASH,
        PaymentChannel.COUNTER_POS,
    }
)
BANKS = ("NCB", "VCB", "BIDV", "VIETINBANK", "AGRIBANK", "TPBANK", "MBBANK", "ACB")
CARD_TYPES = ("ATM", "ATM", "QRCODE", "VISA")
HEX = "0123456789ABCDEF"


@dataclass
class PastPayment:
    """One settlement of a past dossier, as its CONFIRM_PAYMENT event recorded it."""

    dossier_id: int
    obligation: int  # the seq of the request_payment event it pays
    event_seq: int  # the seq of the confirm_payment event
    channel: str
    amount_vnd: int
    reference: str  # the event's reference (the receipt number at the counter)
    requested_at: dt.datetime
    paid_at: dt.datetime
    officer_id: int | None = None  # who recorded a counter payment


def history_reference(channel: str, *, code: str, obligation: int, rng: random.Random) -> str:
    """An attempt's merchant reference in the live formats (services.start for the gateway:
    the dossier's code, the obligation, a random tail; services.national: "DV" + 18 hex),
    drawn from `rng` so that a seed gives the same history. At the counter: a receipt
    number (the Payment's own reference is then QUAY-<dossier>-<seq>, as counter_payment
    makes it)."""
    tail = "".join(rng.choice(HEX) for _ in range(10))
    if channel == PaymentChannel.GATEWAY:
        ascii_code = "".join(c for c in code if c.isascii() and c.isalnum())
        return f"{ascii_code[:60]}-{obligation}-{tail}"
    if channel == PaymentChannel.NATIONAL_PLATFORM:
        return "DV" + tail + "".join(rng.choice(HEX) for _ in range(8))
    if channel in COUNTER_CHANNELS:
        return f"{rng.randint(1, 9_999_999):07d}"
    raise ValueError(f"no history evidence for channel {channel!r}")


def _evidence(p: PastPayment, rng: random.Random) -> tuple[dict[str, object], dict[str, object]]:
    """The Payment's evidence fields and the verified parameters of its notice."""
    pay_date = p.paid_at - dt.timedelta(seconds=rng.randint(5, 240))
    stamp = pay_date.astimezone(VN).strftime("%Y%m%d%H%M%S")
    txn = f"{rng.randint(10_000_000, 99_999_999)}"
    bank = rng.choice(BANKS)
    if p.channel == PaymentChannel.GATEWAY:
        card = rng.choice(CARD_TYPES)
        params: dict[str, object] = {
            "vnp_Amount": str(p.amount_vnd * 100),
            "vnp_BankCode": bank,
            "vnp_CardType": card,
            "vnp_PayDate": stamp,
            "vnp_ResponseCode": "00",
            "vnp_TransactionNo": txn,
            "vnp_TransactionStatus": "00",
            "vnp_TxnRef": p.reference,
            "source": "history",
        }
        fields: dict[str, object] = {"bank_code": bank, "card_type": card}
    else:
        params = {
            "MaThamChieu": p.reference,
            "SoTien": str(p.amount_vnd),
            "MaGiaoDich": txn,
            "MaNganHang": bank,
            "ThoiGianGD": stamp,
            "MaLoi": "00",
            "source": "history",
        }
        fields = {"bank_code": bank}
    fields |= {"provider_txn_no": txn, "provider_paid_at": pay_date, "response_code": "00"}
    return fields, params


PAYMENT_COLUMNS = (
    "dossier", "obligation", "channel", "provider", "reference", "amount_vnd", "status",
    "provider_txn_no", "bank_code", "card_type", "provider_paid_at", "response_code",
    "expires_at", "created_at", "paid_at", "verified_by", "verified_params", "created_by",
    "client_ip",
)  # fmt: skip
EVENT_COLUMNS = (
    "payment", "reference", "kind", "verified", "outcome", "answer", "from_status",
    "to_status", "params", "at",
)  # fmt: skip


def history_payments_write(past: Iterable[PastPayment], rng: random.Random) -> int:
    """Write one paid Payment (and its log) per settlement of `past`, in bulk (plain rows,
    motcua.core.bulk: model instances would cost most of the time); the caller's
    transaction holds them with the dossiers. Returns the number of payments."""
    payments: list[tuple[object, ...]] = []
    logs: list[tuple[str, list[tuple[object, ...]]]] = []
    for p in past:
        if p.channel not in HISTORY_CHANNELS:
            raise ValueError(f"no history evidence for channel {p.channel!r}")
        provider = PROVIDER_OF_CHANNEL[PaymentChannel(p.channel)]
        if p.channel in COUNTER_CHANNELS:
            params: dict[str, object] = {
                "receipt_number": p.reference,
                "event_seq": p.event_seq,
                "source": "history",
            }
            reference = f"QUAY-{p.dossier_id}-{p.event_seq}"
            txn, bank, card, paid_at_provider, code = p.reference[:64], "", "", None, ""
            started, expires, verified_by = p.paid_at, None, VerifiedBy.OFFICER
            events = [(EventKind.OFFICER, p.paid_at, params, "", PaymentStatus.PAID)]
        else:
            fields, params = _evidence(p, rng)
            reference = p.reference
            txn, bank = str(fields["provider_txn_no"]), str(fields["bank_code"])
            card = str(fields.get("card_type", ""))
            paid_at_provider, code = fields["provider_paid_at"], "00"
            started = max(p.requested_at, p.paid_at - dt.timedelta(minutes=rng.randint(1, 12)))
            expires, verified_by = started + dt.timedelta(minutes=15), VerifiedBy.IPN
            events = [
                (EventKind.START, started, {}, "", PaymentStatus.PENDING),
                (EventKind.IPN, p.paid_at, params, PaymentStatus.PENDING, PaymentStatus.PAID),
            ]
        payments.append(
            (
                p.dossier_id, p.obligation, p.channel, provider, reference, p.amount_vnd,
                PaymentStatus.PAID, txn, bank, card, paid_at_provider, code, expires, started,
                p.paid_at, verified_by, params, p.officer_id, "",
            )
        )  # fmt: skip
        logs.append(
            (
                reference,
                [
                    (
                        reference, kind, True,
                        "created" if kind == EventKind.START else PaymentStatus.PAID,
                        "00" if kind == EventKind.IPN else "", before, after, dict(e_params), at,
                    )
                    for kind, at, e_params, before, after in events
                ],
            )
        )  # fmt: skip
    if not payments:
        return 0
    insert_rows(Payment, PAYMENT_COLUMNS, payments)
    ids = dict(
        Payment.objects.filter(dossier_id__in={row[0] for row in payments}).values_list(
            "reference", "pk"
        )
    )
    rows = [(ids[reference], *e) for reference, events in logs for e in events]
    insert_rows(PaymentEvent, EVENT_COLUMNS, rows)
    return len(payments)
