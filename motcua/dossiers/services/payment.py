"""The financial obligation: the agency asks for the fees (2/4 → 6), the payment is
confirmed (6 → 4). Money is an integer number of đồng."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.core.errors import ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor

from .. import deadlines, rules
from ..enums import APPLICANT, Action, PaidOnline
from ..models import Dossier
from ._base import transition
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


def dossier_confirm_payment(
    *,
    dossier_id: int,
    actor: Actor,
    amount_vnd: int,
    paid_online: int = PaidOnline.NO,
    reference: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Record that the obligation was paid (6 → 4). `paid_online` is DuocThanhToanTrucTuyen:
    0 at the counter, 1 on the national portal, 2 on the province's payment portal. A pause
    opened by the request ends: the appointment and the step deadline move by it."""
    if paid_online not in (0, 1, 2):
        raise ValidationFailed(
            "invalid_paid_online",
            "Hình thức thanh toán phải là 0, 1 hoặc 2.",
            "paid_online must be 0, 1 or 2.",
            field="paid_online",
        )
    with transition(Action.CONFIRM_PAYMENT, dossier_id, actor, at, expected_version) as step:
        dossier = step.dossier
        if not isinstance(amount_vnd, int) or amount_vnd < dossier.fee_due_vnd:
            raise ValidationFailed(
                "amount_too_small",
                f"Số tiền nộp phải bằng số phải nộp ({dossier.fee_due_vnd:,} đồng).".replace(
                    ",", "."
                ),
                f"The amount paid must equal the amount due ({dossier.fee_due_vnd} VND).",
                field="amount_vnd",
            )
        if step.acting.role == APPLICANT and paid_online == PaidOnline.NO:
            raise ValidationFailed(
                "invalid_paid_online",
                "Thanh toán của người nộp trên cổng là thanh toán trực tuyến (1 hoặc 2).",
                "An applicant's payment on the portal is online (1 or 2).",
                field="paid_online",
            )
        dossier.fee_paid_vnd = amount_vnd
        dossier.paid_online = paid_online
        step.data = {
            "amount_vnd": amount_vnd,
            "paid_online": paid_online,
            "reference": nfc(reference) or "",
            **_end_open_pause(dossier, step.at),
        }
    return step.dossier
