"""What the payment services share: the gateway settings, the obligation, the locks, the
log of what was received."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Sum

from motcua.core import rows
from motcua.core.errors import NotFound, ValidationFailed
from motcua.dossiers.enums import Action
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import lock_for_transition

from .. import vnpay
from ..models import (
    Payment,
    PaymentEvent,
    PaymentStatus,
)

log = logging.getLogger("motcua.payments.services")
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


@cache
def _obligation_sql(vendor: str) -> str:
    t = rows.table(DossierEvent)
    seq, dossier, action = (rows.column(DossierEvent, n) for n in ("seq", "dossier", "action"))
    return f"SELECT MAX({seq}) FROM {t} WHERE {dossier} = %s AND {action} = %s"  # noqa: S608


def current_obligation(dossier_id: int) -> int | None:
    """The seq of the request for payment that set the dossier's amount due now.

    A precompiled statement (motcua.core.rows names, docs/adr/0003): the verified IPN asks
    it under the dossier's lock on every payment."""
    with connection.cursor() as cur:
        cur.execute(_obligation_sql(connection.vendor), [dossier_id, Action.REQUEST_PAYMENT.value])
        row = cur.fetchone()
    return None if row is None or row[0] is None else int(row[0])


@cache
def _paid_sql(vendor: str) -> str:
    t = rows.table(Payment)
    dossier, obligation, status = (
        rows.column(Payment, n) for n in ("dossier", "obligation", "status")
    )
    return f"SELECT 1 FROM {t} WHERE {dossier} = %s AND {obligation} = %s AND {status} = %s LIMIT 1"  # noqa: S608


@cache
def _waits_sql(vendor: str) -> str:
    return f"SELECT ({_obligation_sql(vendor)}) = %s AND NOT EXISTS ({_paid_sql(vendor)})"


def obligation_waits(dossier_id: int, obligation: int) -> bool:
    """Whether the dossier's obligation now is `obligation` and no verified payment has
    settled it yet (`current_obligation` and `obligation_paid` in one statement: the
    verified IPN asks it under the locks)."""
    params: list[int | str] = [dossier_id, Action.REQUEST_PAYMENT.value, obligation]
    params += [dossier_id, obligation, PaymentStatus.PAID.value]
    with connection.cursor() as cur:
        cur.execute(_waits_sql(connection.vendor), params)
        row = cur.fetchone()
    return bool(row and row[0])


def obligation_paid(dossier_id: int, obligation: int) -> bool:
    """Whether a verified payment already settled the dossier's `obligation` (the partial
    unique index payment_one_paid_per_obligation is the last guard)."""
    with connection.cursor() as cur:
        cur.execute(
            _paid_sql(connection.vendor), [dossier_id, obligation, PaymentStatus.PAID.value]
        )
        return cur.fetchone() is not None


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


def _lock_dossier_for_receipt(dossier_id: int) -> Dossier:
    """The dossier row locked as its transitions lock it (FOR UPDATE of that row, whole),
    with what its receipt needs (the collecting agency, the procedure's version) in the
    same statement: the hot path of a verified payment (motcua.core.rows, docs/adr/0003).
    The settlement's transition then runs on this row (`locked=`), not locking it again."""
    return lock_for_transition(int(dossier_id), also=("procedure_version",))


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
    rows.save_new(event)  # append-only: an INSERT, never an update (PaymentEvent.save)
    return event


def _received(params: Mapping[str, Any]) -> dict[str, str]:
    """The parameters of a message from outside, as kept and checked: only the protocol's
    (vnp_*), at most 40 of them, each value at most 1000 characters (anyone may call the
    IPN URL; a forged message is logged, not allowed to fill the log). A longer value is
    kept cut, and its signature then fails, as it should."""
    known = [k for k in params if str(k) in vnpay.IPN_FIELDS]
    others = [k for k in params if str(k).startswith("vnp_") and str(k) not in vnpay.IPN_FIELDS]
    return {str(k)[:64]: str(params[k])[:1000] for k in [*known, *others][:40]}
