"""The provider's evidence: the IPN, the query, the browser's return; only verified
evidence changes a payment and settles the dossier."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.core import rows
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.types import Actor
from motcua.dossiers.access import applicant_id
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_settle_payment

from .. import vnpay
from ..models import (
    FINAL,
    EventKind,
    FrozenPayment,
    Payment,
    PaymentStatus,
    Provider,
    VerifiedBy,
)
from ._common import (
    GatewayNotConfigured,
    _event,
    _lock_dossier,
    _lock_dossier_for_receipt,
    _received,
    gateway_config,
    log,
    obligation_waits,
)
from .receipts import issue_receipt

# ----------------------------------------------------------------- evidence, verified


def _apply(
    reference: str,
    notice: vnpay.Notice,
    verified_by: str,
    kind: str,
    params: Mapping[str, Any],
) -> tuple[str, str]:
    """Apply the provider's verified `notice` about the attempt `reference`: one
    transaction, the dossier's lock then the payment's, the state check, the event.
    Returns the IPN answer (RspCode, Message).

    The hot path of every verified IPN runs on motcua.core.rows' precompiled statements
    (docs/adr/0003): the look-up, both locks, the paid payment's update and the log."""
    found = rows.load(Payment, reference, by="reference") if reference else None
    if found is None:
        _event(
            None,
            kind,
            "unknown_order",
            verified=True,
            params=params,
            reference=reference,
            answer=vnpay.ORDER_NOT_FOUND[0],
        )
        log.warning("payment %s: verified %s for an unknown order", reference, kind)
        return vnpay.ORDER_NOT_FOUND
    with transaction.atomic():
        # The dossier whole (its receipt needs it), then the payment: always in this order.
        dossier = _lock_dossier_for_receipt(found.dossier_id)
        payment = rows.load(Payment, found.pk, lock=True)
        if payment is None:  # a payment is never deleted; a stale reference is unknown
            return vnpay.ORDER_NOT_FOUND
        before = payment.status
        if notice.amount_vnd != payment.amount_vnd:
            _event(
                payment,
                kind,
                "wrong_amount",
                verified=True,
                params=params,
                answer=vnpay.INVALID_AMOUNT[0],
                from_status=before,
            )
            log.warning(
                "payment %s: %s says %s đồng, the order is %s",
                reference,
                kind,
                notice.amount_vnd,
                payment.amount_vnd,
            )
            return vnpay.INVALID_AMOUNT
        if payment.status in FINAL:
            _event(
                payment,
                kind,
                "duplicate",
                verified=True,
                params=params,
                answer=vnpay.ALREADY_CONFIRMED[0],
                from_status=before,
            )
            return vnpay.ALREADY_CONFIRMED
        if notice.paid:
            _record_paid(dossier, payment, notice, verified_by, params)
            _event(
                payment,
                kind,
                payment.status,
                verified=True,
                params=params,
                answer=vnpay.CONFIRM_SUCCESS[0],
                from_status=before,
            )
            return vnpay.CONFIRM_SUCCESS
        if notice.transaction_status == vnpay.STATUS_PENDING:
            _event(
                payment,
                kind,
                "still_pending",
                verified=True,
                params=params,
                answer=vnpay.CONFIRM_SUCCESS[0],
                from_status=before,
            )
            return vnpay.CONFIRM_SUCCESS
        if payment.status != PaymentStatus.PENDING:
            _event(
                payment,
                kind,
                "duplicate",
                verified=True,
                params=params,
                answer=vnpay.ALREADY_CONFIRMED[0],
                from_status=before,
            )
            return vnpay.ALREADY_CONFIRMED
        payment.status = PaymentStatus.CANCELLED if notice.cancelled else PaymentStatus.FAILED
        payment.response_code = notice.response_code[:8]
        payment.provider_txn_no = notice.transaction_no[:64]
        payment.bank_code = notice.bank_code[:32]
        payment.card_type = notice.card_type[:32]
        payment.save(
            update_fields=["status", "response_code", "provider_txn_no", "bank_code", "card_type"]
        )
        _event(
            payment,
            kind,
            payment.status,
            verified=True,
            params=params,
            answer=vnpay.CONFIRM_SUCCESS[0],
            from_status=before,
        )
        return vnpay.CONFIRM_SUCCESS


def _record_paid(
    dossier: Dossier,
    payment: Payment,
    notice: vnpay.Notice,
    verified_by: str,
    params: Mapping[str, Any],
) -> None:
    """The money was taken: the payment becomes paid and settles the dossier's obligation
    if the dossier still waits for it; otherwise it is kept as paid_unmatched for an
    officer (a refund, reference §1.8) and the dossier is left alone."""
    now = timezone.now()
    before = payment.status
    waits = dossier.status == Status.FINANCIAL_OBLIGATION and obligation_waits(
        dossier.pk, payment.obligation
    )
    changed = {
        "status": PaymentStatus.PAID if waits else PaymentStatus.PAID_UNMATCHED,
        "provider_txn_no": notice.transaction_no[:64],
        "bank_code": notice.bank_code[:32],
        "card_type": notice.card_type[:32],
        "provider_paid_at": notice.pay_date,
        "response_code": notice.response_code[:8],
        "verified_by": verified_by,
        "verified_params": dict(params),
        "paid_at": now,
    }
    # The columns that change, on the locked row, only while it is still not final (the
    # FrozenPayment rule of Payment.save, here in the statement's WHERE).
    if rows.update(Payment, {"id": payment.pk, "status": before}, changed) != 1:
        raise FrozenPayment("Thanh toán đã ghi nhận không được sửa (a paid payment is final).")
    for name, value in changed.items():
        setattr(payment, name, value)
    payment._stored_status = payment.status
    # Money was taken: its receipt, numbered in this transaction (the PDF after commit).
    issue_receipt(payment, dossier=dossier)
    if waits:
        dossier_settle_payment(
            dossier_id=dossier.pk,
            amount_vnd=payment.amount_vnd,
            channel=payment.channel,
            reference=payment.reference,
            payment_id=payment.pk,
            verified_by=verified_by,
            at=now,
            locked=dossier,
        )
    else:
        log.warning(
            "payment %s: paid but dossier %s no longer waits for obligation %s: to refund",
            payment.reference,
            dossier.pk,
            payment.obligation,
        )


def payment_ipn(params: Mapping[str, Any]) -> dict[str, str]:
    """The gateway's server-to-server notification: verify the signature, find the order,
    check the amount; then record the outcome (and settle the dossier) once. Returns the
    answer the protocol expects ({"RspCode", "Message"}); every message is logged as a
    PaymentEvent, verified or not."""
    data = _received(params)
    reference = data.get("vnp_TxnRef", "")[:100]
    try:
        cfg = gateway_config()
    except GatewayNotConfigured:
        log.warning("payment IPN received but no gateway is configured")
        return vnpay.ipn_answer(vnpay.UNKNOWN_ERROR)
    if not vnpay.verify(cfg.hash_secret, data):
        payment = Payment.objects.filter(reference=reference).first() if reference else None
        _event(
            payment,
            EventKind.IPN,
            "bad_signature",
            verified=False,
            params=data,
            reference=reference,
            answer=vnpay.INVALID_SIGNATURE[0],
        )
        log.warning("payment %s: IPN with an invalid signature", reference or "?")
        return vnpay.ipn_answer(vnpay.INVALID_SIGNATURE)
    try:
        notice = vnpay.read_notice(cfg, data)
    except vnpay.ProtocolError as exc:
        _event(
            None,
            EventKind.IPN,
            "malformed",
            verified=True,
            params=data,
            reference=reference,
            answer=vnpay.UNKNOWN_ERROR[0],
        )
        log.warning("payment %s: malformed IPN: %s", reference or "?", exc)
        return vnpay.ipn_answer(vnpay.UNKNOWN_ERROR)
    return vnpay.ipn_answer(_apply(notice.txn_ref, notice, VerifiedBy.IPN, EventKind.IPN, data))


def payment_query(*, payment_id: int, client_ip: str = "") -> Payment:
    """Ask the gateway (querydr) what became of an attempt, verify its signed answer, and
    apply it as an IPN would be: this resolves an IPN that never came. An attempt the
    gateway does not know and whose time is over becomes expired. Network I/O happens
    outside the transaction; the answer is applied under the locks."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise NotFound("giao dịch thanh toán", "Payment", field="payment_id")
    if payment.provider == Provider.NATIONAL_PLATFORM and payment.status not in FINAL:
        from .national import national_query  # the national platform's adapter

        return national_query(payment_id=payment.pk, client_ip=client_ip)
    if payment.status in FINAL or payment.provider != Provider.VNPAY:
        return payment
    cfg = gateway_config()
    now = timezone.now()
    body = vnpay.query_body(
        cfg,
        request_id=secrets.token_hex(16),
        txn_ref=payment.reference,
        transaction_date=payment.created_at,
        ip_addr=client_ip,
        now=now,
    )
    try:
        answer = vnpay.post_json(cfg.api_url, body)
    except (OSError, ValueError) as exc:
        log.warning("payment %s: querydr failed: %s", payment.reference, exc)
        raise ValidationFailed(
            "gateway_unreachable",
            "Chưa liên hệ được cổng thanh toán. Vui lòng thử lại sau.",
            "The payment gateway could not be reached. Please try again later.",
            status=503,
        ) from exc
    params = {str(k): "" if v is None else str(v) for k, v in answer.items()}
    if not vnpay.verify_query_response(cfg.hash_secret, answer):
        _event(payment, EventKind.QUERY, "bad_signature", verified=False, params=params)
        log.warning("payment %s: querydr answer with an invalid signature", payment.reference)
        return payment
    try:
        notice = vnpay.query_notice(cfg, answer)
    except vnpay.ProtocolError as exc:
        _event(payment, EventKind.QUERY, "error", verified=True, params=params)
        log.warning("payment %s: querydr: %s", payment.reference, exc)
        return payment
    if notice is None or notice.transaction_status == vnpay.STATUS_PENDING:
        _expire_if_over(payment.pk, now, params)
    elif notice.txn_ref != payment.reference:
        _event(payment, EventKind.QUERY, "wrong_order", verified=True, params=params)
    else:
        _apply(payment.reference, notice, VerifiedBy.QUERY, EventKind.QUERY, params)
    payment.refresh_from_db()
    return payment


def _expire_if_over(payment_id: int, now: dt.datetime, params: Mapping[str, Any]) -> None:
    payment = Payment.objects.get(pk=payment_id)
    with transaction.atomic():
        _lock_dossier(payment.dossier_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        before = payment.status
        if (
            payment.status == PaymentStatus.PENDING
            and payment.expires_at
            and payment.expires_at < now
        ):
            payment.status = PaymentStatus.EXPIRED
            payment.save(update_fields=["status"])
            _event(
                payment,
                EventKind.EXPIRE,
                "expired",
                verified=True,
                params=params,
                from_status=before,
            )
        else:
            _event(
                payment,
                EventKind.QUERY,
                "not_paid_yet",
                verified=True,
                params=params,
                from_status=before,
            )


def payment_return(
    params: Mapping[str, Any], *, actor: Actor, client_ip: str = ""
) -> Payment | None:
    """The applicant's browser came back from the gateway. Its parameters are never
    trusted: they only say which attempt to show (and only if signed, and only to its
    applicant). If the server has not heard the outcome yet, a verified query asks."""
    data = _received(params)
    reference = data.get("vnp_TxnRef", "")[:100]
    try:
        cfg = gateway_config()
    except GatewayNotConfigured:
        return None
    verified = vnpay.verify(cfg.hash_secret, data)
    payment = Payment.objects.select_related("dossier").filter(reference=reference).first()
    if payment is None or not verified:
        _event(
            payment,
            EventKind.RETURN,
            "ignored",
            verified=verified,
            params=data,
            reference=reference,
        )
        return None
    owner = applicant_id(actor)
    if owner is None or owner != payment.dossier.owner_id:
        return None
    _event(payment, EventKind.RETURN, "shown", verified=True, params=data)
    if payment.status == PaymentStatus.PENDING and cfg.api_url:
        try:
            return payment_query(payment_id=payment.pk, client_ip=client_ip)
        except ValidationFailed:
            return payment
    return payment


def payments_query_pending(*, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Query every pending attempt older than `older_than` (an IPN or the national
    platform's callback may never come), each through its provider (payment_query routes);
    the periodic task and `motcua payments` call it. Returns how many were queried."""
    cutoff = timezone.now() - older_than
    rows = list(
        Payment.objects.filter(
            status=PaymentStatus.PENDING,
            provider__in=(Provider.VNPAY, Provider.NATIONAL_PLATFORM),
            created_at__lt=cutoff,
        ).values_list("pk", "provider")
    )
    down: set[str] = set()
    for pk, provider in rows:
        if provider in down:
            continue
        try:
            payment_query(payment_id=pk)
        except ValidationFailed:
            down.add(provider)  # unreachable or not configured: the rest next time
    return len(rows)
