"""Hoàn trả: money a payment took, given back. requested → recorded → reconciled, one
service per step; each one transaction locking the dossier, then the payment, then the
refund, checking the state and appending a PaymentEvent (kind "refund").

When: a paid dossier that ends without its result (refused, withdrawal requested, stopped:
the actions in `MOTCUA_REFUND_ON_ACTIONS`) has a refund requested for each of its paid
payments in the same transaction as the event, when `MOTCUA_REFUND_AUTOMATIC` is on. Which
cases the law returns phí / lệ phí in was not found (reference §1.8 and open question 2):
UNCONFIRMED, so both are settings and an officer may also request one. A `paid_unmatched`
payment (money taken after the obligation was settled, or after the dossier stopped
waiting) is refunded on an officer's request.

Recorded by officers (transfer or cash, with the voucher's reference); the gateway's refund
API (VNPay `refund`, reference §1.6) is not called: docs/payments.md "Hoàn trả".
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor
from motcua.dossiers.access import staff_roles
from motcua.dossiers.enums import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent

from ..models import (
    FINAL,
    EventKind,
    Payment,
    PaymentStatus,
    Provider,
    Refund,
    RefundMethod,
    RefundStatus,
)
from ._common import _event, _lock_dossier, log

# The dossier states after which a paid fee may be returned (refused, withdrawal
# requested, stopped).
ENDED_WITHOUT_RESULT = frozenset({Status.REFUSED, Status.WITHDRAWAL_REQUESTED, Status.STOPPED})


def refund_actions() -> frozenset[str]:
    raw = str(getattr(settings, "MOTCUA_REFUND_ON_ACTIONS", "refuse,request_withdrawal,stop") or "")
    return frozenset(a.strip() for a in raw.split(",") if a.strip())


def _officer(actor: Actor, dossier: Dossier) -> None:
    """Refunds are the collecting side's: staff of the dossier's receiving or settling
    agency (or a superuser)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    if getattr(actor, "is_superuser", False):
        return
    roles = staff_roles(actor)
    if dossier.receiving_agency_id in roles or dossier.settling_agency_id in roles:
        return
    raise PermissionDenied(
        "Chỉ cán bộ của cơ quan tiếp nhận hoặc giải quyết hồ sơ được xử lý hoàn trả.",
        "Only staff of the dossier's receiving or settling agency handle refunds.",
    )


def _lock(payment_id: int) -> tuple[Dossier, Payment]:
    dossier_id = Payment.objects.filter(pk=payment_id).values_list("dossier_id", flat=True).first()
    if dossier_id is None:
        raise NotFound("giao dịch thanh toán", "Payment", field="payment_id")
    _lock_dossier(dossier_id)
    dossier = Dossier.objects.only("id", "status", "receiving_agency_id", "settling_agency_id").get(
        pk=dossier_id
    )
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    return dossier, payment


def _create(payment: Payment, *, reason: str, actor: Actor, at: dt.datetime) -> Refund:
    refund = Refund(
        payment=payment,
        dossier_id=payment.dossier_id,
        amount_vnd=payment.amount_vnd,
        reason=reason[:500],
        requested_at=at,
        requested_by=actor if getattr(actor, "pk", None) else None,  # type: ignore[misc]
    )
    refund.save(force_insert=True)
    _event(
        payment,
        EventKind.REFUND,
        RefundStatus.REQUESTED,
        verified=True,
        params={"refund_id": refund.pk, "amount_vnd": refund.amount_vnd, "reason": refund.reason},
        from_status=payment.status,
    )
    return refund


def refund_request(*, payment_id: int, actor: Actor, reason: str) -> Refund:
    """An officer asks for the money of a payment to be returned: a paid_unmatched payment,
    or a paid payment of a dossier refused, withdrawn or stopped."""
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "reason_required",
            "Cần nêu lý do hoàn trả.",
            "The reason for the refund is required.",
            field="reason",
        )
    with transaction.atomic():
        dossier, payment = _lock(payment_id)
        _officer(actor, dossier)
        if payment.status not in FINAL:
            raise IllegalTransition(
                "payment_not_paid",
                "Giao dịch chưa thu tiền: không có gì để hoàn trả.",
                "The payment took no money: there is nothing to refund.",
                field="payment_id",
            )
        if payment.status == PaymentStatus.PAID and dossier.status not in ENDED_WITHOUT_RESULT:
            raise IllegalTransition(
                "refund_not_allowed",
                "Chỉ hoàn trả khi hồ sơ bị từ chối, rút hoặc dừng xử lý, hoặc khoản thu "
                "không khớp nghĩa vụ.",
                "A refund is only for a dossier refused, withdrawn or stopped, or for money "
                "that matched no obligation.",
                field="payment_id",
            )
        if Refund.objects.filter(payment_id=payment.pk).exists():
            raise IllegalTransition(
                "refund_exists",
                "Khoản thu này đã có đề nghị hoàn trả.",
                "This payment already has a refund.",
                field="payment_id",
            )
        return _create(payment, reason=reason, actor=actor, at=timezone.now())


def _step(refund_id: int) -> tuple[Dossier, Payment, Refund]:
    payment_id = Refund.objects.filter(pk=refund_id).values_list("payment_id", flat=True).first()
    if payment_id is None:
        raise NotFound("đề nghị hoàn trả", "Refund", field="refund_id")
    dossier, payment = _lock(payment_id)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    return dossier, payment, refund


def refund_record(
    *, refund_id: int, actor: Actor, method: str, reference: str, at: dt.datetime | None = None
) -> Refund:
    """The officer records how the money was returned (requested → recorded): transfer or
    cash, with the voucher's number or the bank transfer's reference."""
    if method not in (RefundMethod.TRANSFER, RefundMethod.CASH):
        raise ValidationFailed(
            "invalid_method",
            "Hình thức hoàn trả phải là chuyển khoản hoặc tiền mặt.",
            "The refund method must be transfer or cash.",
            field="method",
        )
    reference = nfc(reference or "").strip()
    if not reference or len(reference) > 100:
        raise ValidationFailed(
            "reference_required",
            "Cần nhập số chứng từ hoàn trả (tối đa 100 ký tự).",
            "The refund voucher or transfer reference is required (at most 100 characters).",
            field="reference",
        )
    with transaction.atomic():
        dossier, payment, refund = _step(refund_id)
        _officer(actor, dossier)
        if refund.status != RefundStatus.REQUESTED:
            raise IllegalTransition(
                "refund_not_requested",
                "Khoản hoàn trả này đã được ghi nhận.",
                "This refund was already recorded.",
                field="refund_id",
            )
        refund.status = RefundStatus.RECORDED
        refund.method = method
        refund.method_reference = reference
        refund.recorded_at = at or timezone.now()
        refund.recorded_by = actor  # type: ignore[assignment]
        refund.save(
            update_fields=["status", "method", "method_reference", "recorded_at", "recorded_by"]
        )
        _event(
            payment,
            EventKind.REFUND,
            RefundStatus.RECORDED,
            verified=True,
            params={"refund_id": refund.pk, "method": method, "reference": reference},
            from_status=payment.status,
        )
        return refund


def refund_reconcile(*, refund_id: int, actor: Actor, at: dt.datetime | None = None) -> Refund:
    """The officer (accounting) confirms the returned money is on the statement (recorded
    → reconciled)."""
    with transaction.atomic():
        dossier, payment, refund = _step(refund_id)
        _officer(actor, dossier)
        if refund.status != RefundStatus.RECORDED:
            raise IllegalTransition(
                "refund_not_recorded",
                "Chỉ đối soát khoản hoàn trả đã ghi nhận và chưa đối soát.",
                "Only a recorded, not yet reconciled refund can be reconciled.",
                field="refund_id",
            )
        refund.status = RefundStatus.RECONCILED
        refund.reconciled_at = at or timezone.now()
        refund.reconciled_by = actor  # type: ignore[assignment]
        refund.save(update_fields=["status", "reconciled_at", "reconciled_by"])
        _event(
            payment,
            EventKind.REFUND,
            RefundStatus.RECONCILED,
            verified=True,
            params={"refund_id": refund.pk},
            from_status=payment.status,
        )
        return refund


def refund_on_dossier_end(event: DossierEvent, dossier: Dossier) -> None:
    """In the transaction of a dossier event: when a paid dossier is refused, withdrawn or
    stopped (MOTCUA_REFUND_ON_ACTIONS) and MOTCUA_REFUND_AUTOMATIC is on, request a refund
    of each paid payment that has none. The dossier's row is already locked."""
    if not getattr(settings, "MOTCUA_REFUND_AUTOMATIC", True):
        return
    if event.action not in refund_actions():
        return
    if not dossier.fee_paid_vnd:
        return  # nothing was credited to this dossier: no paid payment to return
    ids = list(
        Payment.objects.filter(dossier_id=dossier.pk, status=PaymentStatus.PAID, refund=None)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        payment = Payment.objects.select_for_update().get(pk=pk)
        _create(
            payment,
            reason=f"Hồ sơ kết thúc không có kết quả ({Action(event.action).label})",
            actor=None,
            at=event.at,
        )
        log.info("payment %s: refund requested on %s", payment.reference, event.action)


def refund_via_gateway(*, refund_id: int, actor: Actor, client_ip: str = "") -> Refund:
    """Ask the gateway to return the money of an online payment (VNPay `refund`, full
    amount), verify its signed answer, and record the refund (requested → recorded, method
    `gateway`, reference = the gateway's refund transaction number). The network call
    happens outside the transaction; a refusal is logged and named in the error."""
    from .. import vnpay
    from ._common import gateway_config

    with transaction.atomic():
        dossier, payment, refund = _step(refund_id)
        _officer(actor, dossier)
        if refund.status != RefundStatus.REQUESTED:
            raise IllegalTransition(
                "refund_not_requested",
                "Khoản hoàn trả này đã được ghi nhận.",
                "This refund was already recorded.",
                field="refund_id",
            )
        if payment.provider != Provider.VNPAY or not payment.provider_txn_no:
            raise ValidationFailed(
                "not_a_gateway_payment",
                "Khoản thu này không qua cổng thanh toán: hoàn bằng chuyển khoản hoặc tiền mặt.",
                "This payment did not go through the gateway: refund by transfer or cash.",
                field="refund_id",
            )
    cfg = gateway_config()
    now = timezone.now()
    body = vnpay.refund_body(
        cfg,
        request_id=secrets.token_hex(16),
        txn_ref=payment.reference,
        amount_vnd=refund.amount_vnd,
        transaction_no=payment.provider_txn_no,
        transaction_date=payment.created_at,
        create_by=getattr(actor, "username", "") or "motcua",
        ip_addr=client_ip,
        now=now,
    )
    try:
        answer = vnpay.post_json(cfg.api_url, body)
    except (OSError, ValueError) as exc:
        raise ValidationFailed(
            "gateway_unreachable",
            "Chưa liên hệ được cổng thanh toán. Vui lòng thử lại sau.",
            "The payment gateway could not be reached. Please try again later.",
            status=503,
        ) from exc
    params = {str(k): "" if v is None else str(v) for k, v in answer.items()}
    verified = vnpay.verify_refund_response(cfg.hash_secret, answer)
    code = params.get("vnp_ResponseCode", "")
    with transaction.atomic():
        dossier, payment, refund = _step(refund_id)
        if not verified or code != "00" or refund.status != RefundStatus.REQUESTED:
            outcome = "bad_signature" if not verified else f"gateway_refused_{code}"[:32]
            _event(payment, EventKind.REFUND, outcome, verified=verified, params=params)
            log.warning("refund %s: gateway answered %s (verified %s)", refund.pk, code, verified)
            failed = ValidationFailed(
                "gateway_refund_failed",
                f"Cổng thanh toán không hoàn tiền (mã {code or '?'}).",
                f"The gateway did not refund (code {code or '?'}).",
                field="refund_id",
            )
        else:
            refund.status = RefundStatus.RECORDED
            refund.method = RefundMethod.GATEWAY
            refund.method_reference = params.get("vnp_TransactionNo", "")[:100]
            refund.recorded_at = now
            refund.recorded_by = actor  # type: ignore[assignment]
            refund.save(
                update_fields=["status", "method", "method_reference", "recorded_at", "recorded_by"]
            )
            _event(
                payment,
                EventKind.REFUND,
                RefundStatus.RECORDED,
                verified=True,
                params={"refund_id": refund.pk, "method": "gateway", **params},
                from_status=payment.status,
            )
            return refund
    raise failed
