"""The financial obligation: the agency asks for the fees (2/4 → 6), the payment settles
it (6 → 4): recorded by the counter officer for cash and POS (`dossier_confirm_payment`),
or by motcua.payments from the provider's verified evidence for every online channel
(`dossier_settle_payment`); both through the one rule `_settle`. Money is an integer
number of đồng."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.core.errors import ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor

from .. import deadlines, rules
from ..access import Acting
from ..enums import COUNTER_CHANNELS, PAYMENT_PROVIDER, Action, PaymentChannel
from ..models import Dossier
from ._base import Transition, transition
from ._clock import _end_open_pause, _open_pause

PAYMENT_PAUSE_REASON = deadlines.PAYMENT_PAUSE_REASON


def _assessed(dossier: Dossier) -> int:
    """The total of the assessment kept at submission (else the fee due as recorded)."""
    kept = dossier.fee_assessment
    return int(kept["total_vnd"]) if kept is not None else dossier.fee_due_vnd


def dossier_request_payment(
    *,
    dossier_id: int,
    actor: Actor,
    amount_vnd: int | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Ask the applicant to fulfil the financial obligation (2/4 → 6). The amount defaults
    to the assessment kept at submission (catalog.fees.quote); when it has an item of
    unknown amount the officer gives the amount. Money is an integer number of đồng.

    When the procedure's payment pauses the clock (rules.payment_pauses_clock: the version's
    choice, else MOTCUA_PAYMENT_PAUSES_CLOCK, default land procedures), the clock pauses as
    for a supplement request until the payment is confirmed.
    """
    if amount_vnd is not None and (not isinstance(amount_vnd, int) or amount_vnd <= 0):
        raise ValidationFailed(
            "invalid_amount",
            "Số tiền phải là số nguyên dương (đồng).",
            "The amount must be a positive whole number of đồng.",
            field="amount_vnd",
        )
    with transition(Action.REQUEST_PAYMENT, dossier_id, actor, at, expected_version) as step:
        dossier = step.dossier
        kept = dossier.fee_assessment
        if amount_vnd is None and kept is not None and kept.get("has_unknown"):
            raise ValidationFailed(
                "amount_required",
                "Có khoản phí, lệ phí chưa xác định số tiền: cần nhập số tiền phải nộp.",
                "A fee has no known amount: give the amount due.",
                field="amount_vnd",
            )
        amount = amount_vnd if amount_vnd is not None else _assessed(dossier)
        if amount <= 0:
            raise ValidationFailed(
                "invalid_amount",
                "Thủ tục không có khoản phí: cần nhập số tiền.",
                "The procedure has no fee: give the amount.",
                field="amount_vnd",
            )
        dossier.fee_due_vnd = amount
        data: dict[str, Any] = {"amount_vnd": amount}
        if rules.dossier_payment_pauses_clock(dossier):
            _open_pause(dossier, step.at, PAYMENT_PAUSE_REASON, [])
            data["paused"] = True
        step.reason, step.data = nfc(reason) or "", data
    return step.dossier


def _settle(
    step: Transition, amount_vnd: int, channel: str, reference: str, proof: dict[str, Any]
) -> None:
    """The one rule every channel goes through: the amount must be a whole number of đồng
    covering what is due (rules.settlement_refusal); DuocThanhToanTrucTuyen comes from the channel that took the money
    (rules.paid_online_for); the pause the request opened ends."""
    dossier = step.dossier
    refusal = rules.settlement_refusal(amount_vnd, dossier.fee_due_vnd)
    if refusal is not None:
        raise refusal
    paid_online = rules.paid_online_for(channel)
    dossier.fee_paid_vnd = amount_vnd
    dossier.paid_online = paid_online
    step.data = {
        "amount_vnd": amount_vnd,
        "paid_online": paid_online,
        "channel": str(channel),
        "reference": reference,
        **proof,
        **_end_open_pause(dossier, step.at),
    }


def dossier_confirm_payment(
    *,
    dossier_id: int,
    actor: Actor,
    amount_vnd: int,
    receipt_number: str,
    channel: str = PaymentChannel.COUNTER_CASH,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The counter officer records a payment taken at the counter, in cash or by POS
    (6 → 4), with the number of the receipt given (TT 74/2022: cash is form 4). Online
    channels are recorded only from the provider's evidence (`dossier_settle_payment`,
    called by motcua.payments); the applicant never marks a dossier paid."""
    if channel not in COUNTER_CHANNELS:
        raise ValidationFailed(
            "invalid_channel",
            "Tại quầy chỉ ghi nhận thanh toán tiền mặt hoặc thẻ (POS).",
            "At the counter only cash or card (POS) payments are recorded.",
            field="channel",
        )
    receipt = nfc(receipt_number or "").strip()
    if not receipt:
        raise ValidationFailed(
            "receipt_number_required",
            "Cần nhập số biên lai thu phí, lệ phí.",
            "The receipt number is required.",
            field="receipt_number",
        )
    if len(receipt) > 100:
        raise ValidationFailed(
            "receipt_number_too_long",
            "Số biên lai dài quá 100 ký tự.",
            "The receipt number is longer than 100 characters.",
            field="receipt_number",
        )
    with transition(Action.CONFIRM_PAYMENT, dossier_id, actor, at, expected_version) as step:
        _settle(step, amount_vnd, channel, receipt, {"receipt_number": receipt})
    return step.dossier


def dossier_settle_payment(
    *,
    dossier_id: int,
    amount_vnd: int,
    channel: str,
    reference: str,
    payment_id: int,
    verified_by: str,
    at: dt.datetime | None = None,
    locked: Dossier | None = None,
) -> Dossier:
    """The dossier's obligation settled by a payment its provider proved (6 → 4): called by
    motcua.payments only, inside its own transaction, after verifying the provider's signed
    notification or query answer for the payment `payment_id`. No user acts; the event's
    actor role is PAYMENT_PROVIDER and its data says which payment and which evidence.
    `locked`: the dossier as `lock_for_transition` gave it in the caller's transaction."""
    if channel in COUNTER_CHANNELS:
        raise ValidationFailed(
            "invalid_channel",
            "Thanh toán tại quầy do cán bộ ghi nhận kèm số biên lai.",
            "Counter payments are recorded by the officer with the receipt number.",
            field="channel",
        )
    system = Acting(PAYMENT_PROVIDER, None)
    with transition(
        Action.CONFIRM_PAYMENT, dossier_id, None, at, None, system=system, locked=locked
    ) as step:
        proof = {"payment_id": payment_id, "verified_by": verified_by}
        _settle(step, amount_vnd, channel, nfc(reference) or "", proof)
    return step.dossier
