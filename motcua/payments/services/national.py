"""The national portal's payment platform (Nền tảng thanh toán Cổng DVC quốc gia, channel
national_platform, provider dvcqg): start an attempt, take the platform's signed callback,
ask it (get bill) about an attempt. Through the adapter interface (payments.adapters); its
verified evidence goes through the same rule as the gateway's (evidence._apply), so the
dossier is settled 6 → 4 by dossiers.services.dossier_settle_payment with paid_online = 1
(rules.paid_online_for maps the channel)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from motcua.core.seclog import security_event
from motcua.core.types import Actor, actor_user
from motcua.dossiers.access import applicant_id
from motcua.dossiers.enums import PaymentChannel, Status
from motcua.dossiers.models import Dossier

from .. import dvcqg, vnpay
from ..adapters import BadSignature, NationalPlatformAdapter, Order, national_config
from ..models import FINAL, EventKind, Payment, PaymentStatus, Provider, VerifiedBy
from ._common import (
    GatewayNotConfigured,
    _event,
    _lock_dossier,
    amount_outstanding,
    current_obligation,
    log,
)
from .start import Started

# The gateway's answers (vnpay codes, from _apply) as the platform's: a known, verified,
# consistent message is acknowledged (00), also when it repeats one already applied.
_ACKNOWLEDGED = {vnpay.CONFIRM_SUCCESS[0], vnpay.ALREADY_CONFIRMED[0]}


def _adapter() -> NationalPlatformAdapter:
    cfg = national_config()
    if cfg is None:
        raise GatewayNotConfigured(
            "national_platform_not_configured",
            "Chưa cấu hình thanh toán qua Nền tảng thanh toán Cổng DVC quốc gia.",
            "Payment through the national portal's platform is not configured.",
            field="channel",
            status=503,
        )
    return NationalPlatformAdapter(cfg)


def national_configured() -> bool:
    """Whether the portal offers the national platform (its contract is configured)."""
    return national_config() is not None


def national_origin() -> str | None:
    """scheme://host[:port] the platform's checkout page (UrlThanhToan) is on, for the
    dossier page's CSP form-action (the button's answer redirects there):
    MOTCUA_DVCQG_CHECKOUT_ORIGIN, or else the init URL's origin; None when off."""
    from urllib.parse import urlsplit

    from django.conf import settings

    cfg = national_config()
    if cfg is None:
        return None
    parts = urlsplit(str(getattr(settings, "MOTCUA_DVCQG_CHECKOUT_ORIGIN", "") or cfg.init_url))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _reference() -> str:
    """MaThamChieu: 20 ASCII letters and digits, unique per attempt (OpenCPS uses ≤ 20)."""
    return "DV" + secrets.token_hex(9).upper()


def national_payment_start(
    *, dossier_id: int, actor: Actor, client_ip: str = "", at: dt.datetime | None = None
) -> Started:
    """The applicant pays the dossier's obligation through the national platform: checks
    as for the gateway (only the applicant, only in status 6, the amount outstanding), a
    new attempt, then the platform's init message (outside the transaction); returns the
    attempt and the platform's checkout URL from its verified answer."""
    adapter = _adapter()
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
        payment = Payment(
            dossier_id=dossier.pk,
            obligation=obligation,
            channel=PaymentChannel.NATIONAL_PLATFORM,
            provider=Provider.NATIONAL_PLATFORM,
            reference=_reference(),
            amount_vnd=amount,
            expires_at=now + dt.timedelta(minutes=adapter.config.expire_minutes),
            created_at=now,
            created_by=actor_user(actor),
            client_ip=client_ip[:45],
        )
        payment.save(force_insert=True)
        _event(payment, EventKind.START, "created", verified=True)
    full = (
        Dossier.objects.select_related("procedure")
        .only("code", "applicant_name", "procedure__code", "procedure__name")
        .get(pk=dossier_id)
    )
    assert payment.expires_at is not None  # noqa: S101 (set above, for mypy)
    order = Order(
        reference=payment.reference,
        amount_vnd=payment.amount_vnd,
        description=f"Nộp phí, lệ phí hồ sơ {full.code or full.pk}",
        return_url="",
        client_ip=client_ip,
        created_at=payment.created_at,
        expires_at=payment.expires_at,
        dossier_code=full.code or str(full.pk),
        procedure_code=full.procedure.code,
        procedure_name=full.procedure.name,
        payer_name=full.applicant_name,
    )
    try:
        url = adapter.create_payment_url(order)
    except (OSError, ValueError) as exc:  # unreachable, refused, or a bad answer
        log.warning("payment %s: the national platform's init failed: %s", payment.reference, exc)
        _fail_start(payment.pk, str(exc))
        raise ValidationFailed(
            "gateway_unreachable",
            "Chưa khởi tạo được giao dịch trên Nền tảng thanh toán quốc gia. Vui lòng thử lại.",
            "The national payment platform did not accept the payment. Please try again.",
            status=503,
        ) from exc
    return Started(payment, url)


def _fail_start(payment_id: int, why: str) -> None:
    payment = Payment.objects.get(pk=payment_id)
    with transaction.atomic():
        _lock_dossier(payment.dossier_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status == PaymentStatus.PENDING:
            payment.status = PaymentStatus.FAILED
            payment.save(update_fields=["status"])
            _event(
                payment,
                EventKind.START,
                "init_failed",
                verified=False,
                params={"error": why[:500]},
                from_status=PaymentStatus.PENDING,
            )


def _received(msg: Mapping[str, Any]) -> dict[str, str]:
    """The callback's protocol fields only, each at most 1000 characters (anyone may
    call the URL)."""
    return {k: str(msg[k])[:1000] for k in dvcqg.CALLBACK_FIELDS if k in msg}


def national_callback(msg: Mapping[str, Any]) -> dict[str, str]:
    """The platform's callback (…/dpnhankqthanhtoanhs): verify MaXacThuc, find the
    attempt by MaThamChieu only (never by MaHoSo, as OpenCPS falls back to), check the
    amount, record the outcome once; every message is logged. Returns the signed answer."""
    from .evidence import _apply

    data = _received(msg)
    reference = data.get("MaThamChieu", "")[:100]
    cfg = national_config()
    if cfg is None:
        log.warning("national platform callback received but it is not configured")
        return {"MaLoi": dvcqg.REPLY_ERROR[0], "MoTaLoi": dvcqg.REPLY_ERROR[1]}
    adapter = NationalPlatformAdapter(cfg)
    try:
        notice = adapter.verify_notification(data)
    except BadSignature:
        payment = Payment.objects.filter(reference=reference).first() if reference else None
        _event(
            payment,
            EventKind.IPN,
            "bad_signature",
            verified=False,
            params=data,
            reference=reference,
            answer=dvcqg.REPLY_ERROR[0],
        )
        log.warning("payment %s: national platform callback with a bad MaXacThuc", reference)
        security_event(
            "payment_bad_signature",
            level=logging.WARNING,
            provider=Provider.NATIONAL_PLATFORM.value,
            reference=reference[:100],
        )
        return dvcqg.reply(cfg, dvcqg.REPLY_ERROR, data)
    except vnpay.ProtocolError as exc:
        _event(
            None,
            EventKind.IPN,
            "malformed",
            verified=True,
            params=data,
            reference=reference,
            answer=dvcqg.REPLY_ERROR[0],
        )
        log.warning("payment %s: malformed national platform callback: %s", reference, exc)
        return dvcqg.reply(cfg, dvcqg.REPLY_ERROR, data)
    found = Payment.objects.filter(reference=notice.txn_ref).values_list("provider", flat=True)
    if found.first() not in (None, Provider.NATIONAL_PLATFORM):
        return dvcqg.reply(cfg, dvcqg.REPLY_ERROR, data)  # not one of this provider's
    code, _message = _apply(notice.txn_ref, notice, VerifiedBy.IPN, EventKind.IPN, data)
    answer = dvcqg.REPLY_OK if code in _ACKNOWLEDGED else dvcqg.REPLY_ERROR
    return dvcqg.reply(cfg, answer, data)


def national_query(*, payment_id: int, client_ip: str = "") -> Payment:
    """Ask the platform (get bill) what became of an attempt and apply its verified
    answer as a callback would be; an attempt it does not know whose time is over
    expires."""
    from .evidence import _apply, _expire_if_over

    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise NotFound("giao dịch thanh toán", "Payment", field="payment_id")
    if payment.status in FINAL or payment.provider != Provider.NATIONAL_PLATFORM:
        return payment
    adapter = _adapter()
    now = timezone.now()
    try:
        notice = adapter.query(
            reference=payment.reference, created_at=payment.created_at, client_ip=client_ip
        )
    except BadSignature:
        _event(payment, EventKind.QUERY, "bad_signature", verified=False)
        log.warning("payment %s: get-bill answer with a bad MaXacThuc", payment.reference)
        return payment
    except vnpay.ProtocolError as exc:
        _event(payment, EventKind.QUERY, "error", verified=False, params={"error": str(exc)})
        return payment
    except (OSError, ValueError) as exc:
        log.warning("payment %s: get bill failed: %s", payment.reference, exc)
        raise ValidationFailed(
            "gateway_unreachable",
            "Chưa liên hệ được Nền tảng thanh toán quốc gia. Vui lòng thử lại sau.",
            "The national payment platform could not be reached. Please try again later.",
            status=503,
        ) from exc
    params = {"MaThamChieu": payment.reference, "MaLoi": notice.response_code if notice else "01"}
    if notice is None:
        _expire_if_over(payment.pk, now, params)
    elif notice.txn_ref != payment.reference:
        _event(payment, EventKind.QUERY, "wrong_order", verified=True, params=params)
    else:
        _apply(payment.reference, notice, VerifiedBy.QUERY, EventKind.QUERY, params)
    payment.refresh_from_db()
    return payment


def national_return(reference: str, *, actor: Actor, client_ip: str = "") -> Payment | None:
    """The applicant's browser came back from the platform's checkout page
    (?MaThamChieu=…). The platform's return carries no signature we know of, so the
    reference only says which attempt to show, and only to its applicant; the outcome is
    what the server knows: the verified callback, or else the platform's verified get-bill
    answer asked now."""
    reference = (reference or "")[:100]
    payment = (
        Payment.objects.select_related("dossier")
        .filter(reference=reference, provider=Provider.NATIONAL_PLATFORM)
        .first()
        if reference
        else None
    )
    owner = applicant_id(actor)
    if payment is None or owner is None or owner != payment.dossier.owner_id:
        _event(
            None,
            EventKind.RETURN,
            "ignored",
            verified=False,
            params={"MaThamChieu": reference},
            reference=reference,
        )
        return None
    _event(payment, EventKind.RETURN, "shown", verified=False, params={"MaThamChieu": reference})
    if payment.status == PaymentStatus.PENDING and national_config() is not None:
        try:
            return national_query(payment_id=payment.pk, client_ip=client_ip)
        except ValidationFailed:
            return payment
    return payment
