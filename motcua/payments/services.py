"""Writes on payments: the only code that changes a Payment.

Every write is one transaction that locks the dossier row, then the payment row (always in
that order), checks the state, changes it and appends a PaymentEvent. A payment becomes
paid only from the provider's verified evidence: a signed IPN (`payment_ipn`) or a signed
query answer (`payment_query`); the browser's return (`payment_return`) only shows what
the server knows and may trigger a query. When the evidence says paid and the dossier waits
for this obligation, the dossier moves 6 → 4 in the same transaction through
motcua.dossiers.services.dossier_settle_payment (the one rule for every channel).

Duplicates and races: the row locks serialize every message about one dossier; the second
of two identical IPNs finds the payment paid and answers 02; the database's partial unique
index (one paid payment per obligation) is the last guard.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from motcua.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from motcua.core.types import Actor, actor_user
from motcua.dossiers.access import applicant_id
from motcua.dossiers.enums import COUNTER_CHANNELS, PAYMENT_PROVIDER, Action, PaymentChannel, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_settle_payment

from . import vnpay
from .models import (
    FINAL,
    SETTLEABLE,
    EventKind,
    Payment,
    PaymentEvent,
    PaymentStatus,
    Provider,
    VerifiedBy,
)

log = logging.getLogger(__name__)
# An attempt is re-used only while the applicant still has this long to pay on it.
REUSE_MARGIN = dt.timedelta(minutes=2)


class GatewayNotConfigured(ValidationFailed):
    pass


def gateway_config() -> vnpay.Config:
    """The gateway contract from the settings (MOTCUA_VNPAY_*), read on each use."""
    cfg = vnpay.Config(
        tmn_code=str(getattr(settings, "MOTCUA_VNPAY_TMN_CODE", "") or ""),
        hash_secret=str(getattr(settings, "MOTCUA_VNPAY_HASH_SECRET", "") or ""),
        pay_url=str(getattr(settings, "MOTCUA_VNPAY_PAY_URL", "") or ""),
        api_url=str(getattr(settings, "MOTCUA_VNPAY_API_URL", "") or ""),
        expire_minutes=int(getattr(settings, "MOTCUA_VNPAY_EXPIRE_MINUTES", 15) or 15),
    )
    if not (cfg.tmn_code and cfg.hash_secret and cfg.pay_url):
        raise GatewayNotConfigured(
            "gateway_not_configured",
            "Thanh toán trực tuyến chưa được cấu hình. Vui lòng nộp phí tại bộ phận một cửa.",
            "Online payment is not configured. Please pay at the counter.",
            field="channel",
            status=503,
        )
    return cfg


def gateway_origin() -> str | None:
    """scheme://host[:port] of the gateway's checkout page (for the pages' CSP), or None."""
    from urllib.parse import urlsplit

    url = str(getattr(settings, "MOTCUA_VNPAY_PAY_URL", "") or "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


# ------------------------------------------------------------------------ obligations


def current_obligation(dossier_id: int) -> int | None:
    """The seq of the request for payment that set the dossier's amount due now."""
    seq: int | None = (
        DossierEvent.objects.filter(dossier_id=dossier_id, action=Action.REQUEST_PAYMENT)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return seq


def amount_outstanding(dossier: Dossier, obligation: int) -> int:
    """What is still due on `obligation`: the amount due less what verified payments of it
    already took (money is integer đồng)."""
    paid = (
        Payment.objects.filter(
            dossier_id=dossier.pk, obligation=obligation, status=PaymentStatus.PAID
        ).aggregate(total=Sum("amount_vnd"))["total"]
        or 0
    )
    return max(int(dossier.fee_due_vnd) - int(paid), 0)


def _lock_dossier(dossier_id: int) -> Dossier:
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .only("id", "code", "status", "fee_due_vnd", "owner_id", "version")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        raise NotFound("hồ sơ", "Dossier", field="dossier_id")
    return dossier


def _event(
    payment: Payment | None,
    kind: str,
    outcome: str,
    *,
    verified: bool,
    params: Mapping[str, Any] | None = None,
    answer: str = "",
    from_status: str = "",
    reference: str = "",
) -> PaymentEvent:
    event = PaymentEvent(
        payment=payment,
        reference=(reference or (payment.reference if payment else ""))[:100],
        kind=kind,
        verified=verified,
        outcome=outcome,
        answer=answer,
        from_status=from_status,
        to_status=payment.status if payment else "",
        params=dict(params or {}),
    )
    event.save(force_insert=True)
    return event


def _received(params: Mapping[str, Any]) -> dict[str, str]:
    """The parameters of a message from outside, as kept and checked: only the protocol's
    (vnp_*), at most 40 of them, each value at most 1000 characters (anyone may call the
    IPN URL; a forged message is logged, not allowed to fill the log). A longer value is
    kept cut, and its signature then fails, as it should."""
    known = [k for k in params if str(k) in vnpay.IPN_FIELDS]
    others = [k for k in params if str(k).startswith("vnp_") and str(k) not in vnpay.IPN_FIELDS]
    return {str(k)[:64]: str(params[k])[:1000] for k in [*known, *others][:40]}


# ------------------------------------------------------------------------------ start


@dataclass(frozen=True)
class Started:
    payment: Payment
    redirect_url: str


def _new_reference(dossier: Dossier, obligation: int) -> str:
    """A printable ASCII merchant reference (vnp_TxnRef), unique per attempt: the dossier's
    code, the obligation and a random tail (unique even across a database reset, since the
    gateway remembers every reference it saw)."""
    code = "".join(c for c in (dossier.code or f"HS{dossier.pk}") if c.isascii() and c.isalnum())
    return f"{code[:60]}-{obligation}-{secrets.token_hex(5).upper()}"


def payment_start(
    *,
    dossier_id: int,
    actor: Actor,
    return_url: str,
    client_ip: str = "",
    channel: str = PaymentChannel.GATEWAY,
    at: dt.datetime | None = None,
) -> Started:
    """Start (or resume) the applicant's online payment of the dossier's obligation: only
    the dossier's applicant, only while it waits for the payment (status 6). The amount is
    the amount due less what was already paid on it. A pending attempt that still has time
    is re-used; otherwise a new one with a new merchant reference. Returns the attempt and
    the signed URL of the gateway's checkout page."""
    if channel != PaymentChannel.GATEWAY:
        raise ValidationFailed(
            "channel_unavailable",
            "Kênh thanh toán này chưa được hỗ trợ.",
            "This payment channel is not available yet.",
            field="channel",
        )
    cfg = gateway_config()
    now = at or timezone.now()
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        owner = applicant_id(actor)
        if owner is None or owner != dossier.owner_id:
            raise PermissionDenied(
                "Chỉ người nộp hồ sơ được thanh toán trực tuyến cho hồ sơ này.",
                "Only the dossier's applicant may pay for it online.",
            )
        if dossier.status != Status.FINANCIAL_OBLIGATION:
            raise IllegalTransition(
                "not_waiting_for_payment",
                "Hồ sơ không ở trạng thái chờ thực hiện nghĩa vụ tài chính.",
                "The dossier is not waiting for a payment.",
                field="status",
            )
        obligation = current_obligation(dossier.pk)
        amount = amount_outstanding(dossier, obligation) if obligation is not None else 0
        if obligation is None or amount <= 0:
            raise IllegalTransition(
                "nothing_to_pay",
                "Hồ sơ không còn khoản nào phải nộp.",
                "Nothing is left to pay on this dossier.",
                field="amount_vnd",
            )
        live = (
            Payment.objects.select_for_update()
            .filter(
                dossier_id=dossier.pk,
                obligation=obligation,
                channel=channel,
                status=PaymentStatus.PENDING,
                amount_vnd=amount,
                expires_at__gt=now + REUSE_MARGIN,
            )
            .order_by("-created_at")
            .first()
        )
        if live is not None:
            payment = live
            _event(payment, EventKind.START, "reused", verified=True, from_status=payment.status)
        else:
            payment = Payment(
                dossier_id=dossier.pk,
                obligation=obligation,
                channel=channel,
                provider=Provider.VNPAY,
                reference=_new_reference(dossier, obligation),
                amount_vnd=amount,
                expires_at=now + dt.timedelta(minutes=cfg.expire_minutes),
                created_at=now,
                created_by=actor_user(actor),
                client_ip=client_ip[:45],
            )
            payment.save(force_insert=True)
            _event(payment, EventKind.START, "created", verified=True)
    assert payment.expires_at is not None  # noqa: S101 (set above, for mypy)
    params = vnpay.payment_params(
        cfg,
        txn_ref=payment.reference,
        amount_vnd=payment.amount_vnd,
        order_info=f"Nop phi le phi ho so {dossier.code or dossier.pk}",
        return_url=return_url,
        ip_addr=client_ip,
        created_at=payment.created_at,
        expires_at=payment.expires_at,
    )
    return Started(payment, vnpay.payment_url(cfg, params))


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
    Returns the IPN answer (RspCode, Message)."""
    found = Payment.objects.filter(reference=reference).values_list("pk", "dossier_id").first()
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
    payment_id, dossier_id = found
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
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
    payment.provider_txn_no = notice.transaction_no[:64]
    payment.bank_code = notice.bank_code[:32]
    payment.card_type = notice.card_type[:32]
    payment.provider_paid_at = notice.pay_date
    payment.response_code = notice.response_code[:8]
    payment.verified_by = verified_by
    payment.verified_params = dict(params)
    payment.paid_at = now
    waits = (
        dossier.status == Status.FINANCIAL_OBLIGATION
        and current_obligation(dossier.pk) == payment.obligation
        and not Payment.objects.filter(
            dossier_id=dossier.pk, obligation=payment.obligation, status=PaymentStatus.PAID
        ).exists()
    )
    payment.status = PaymentStatus.PAID if waits else PaymentStatus.PAID_UNMATCHED
    payment.save()
    if waits:
        dossier_settle_payment(
            dossier_id=dossier.pk,
            amount_vnd=payment.amount_vnd,
            channel=payment.channel,
            reference=payment.reference,
            payment_id=payment.pk,
            verified_by=verified_by,
            at=now,
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
    """Query every pending attempt older than `older_than` (an IPN may never come); the
    periodic task and `motcua payments` call it. Returns how many were queried."""
    cutoff = timezone.now() - older_than
    ids = list(
        Payment.objects.filter(
            status=PaymentStatus.PENDING, provider=Provider.VNPAY, created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        try:
            payment_query(payment_id=pk)
        except ValidationFailed:
            break  # the gateway is unreachable: try the rest next time
    return len(ids)


# --------------------------------------------------------------- counter, by the officer


def counter_payment(event: DossierEvent, dossier: Dossier) -> None:
    """A counter payment the officer recorded (cash or POS, with its receipt): kept as a
    Payment in the same transaction, so every channel's money is in one table."""
    if event.action != Action.CONFIRM_PAYMENT or event.actor_role == PAYMENT_PROVIDER:
        return
    data = event.data or {}
    channel = data.get("channel")
    if channel not in COUNTER_CHANNELS:
        return
    obligation = current_obligation(dossier.pk) or 0
    payment = Payment(
        dossier_id=dossier.pk,
        obligation=obligation,
        channel=channel,
        provider=Provider.COUNTER,
        reference=f"QUAY-{dossier.pk}-{event.seq}",
        amount_vnd=int(data["amount_vnd"]),
        status=PaymentStatus.PAID,
        provider_txn_no=str(data.get("receipt_number", ""))[:64],
        created_at=event.at,
        paid_at=event.at,
        verified_by=VerifiedBy.OFFICER,
        verified_params={"receipt_number": data.get("receipt_number", ""), "event_seq": event.seq},
        created_by=event.actor,
    )
    payment.save(force_insert=True)
    _event(
        payment,
        EventKind.OFFICER,
        PaymentStatus.PAID,
        verified=True,
        params=payment.verified_params,
    )


__all__ = [
    "SETTLEABLE",
    "Started",
    "amount_outstanding",
    "counter_payment",
    "current_obligation",
    "gateway_config",
    "gateway_origin",
    "payment_ipn",
    "payment_query",
    "payment_return",
    "payment_start",
    "payments_query_pending",
]
