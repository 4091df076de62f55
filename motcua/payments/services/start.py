"""Starting (or resuming) the applicant's online payment."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from motcua.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from motcua.core.types import Actor, actor_user
from motcua.dossiers.access import applicant_id
from motcua.dossiers.enums import PaymentChannel, Status
from motcua.dossiers.models import Dossier

from .. import vnpay
from ..models import (
    EventKind,
    Payment,
    PaymentStatus,
    Provider,
)
from ._common import (
    REUSE_MARGIN,
    _event,
    _lock_dossier,
    amount_outstanding,
    current_obligation,
    gateway_config,
)

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
