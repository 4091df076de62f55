"""Indicator 1.4 of Decision 766 (dossiers synchronised to the national portal), from the
outbox's delivered messages; the scorecard also takes its rate as 3.3's sync coefficient.
Registered with the indicators' provider registry (motcua.indicators.providers) in
IntegrationConfig.ready(): the indicators app never imports this one.

Rule (one-stop-reference §4.2 G1 1.4, IMPL): synced dossiers with a receipt date in the
period / dossiers received in the period (here: in the scope, by this system — the portal's
own denominator, max(national reporting system, portal), is not visible from here). A
dossier counts as synced when the national portal acknowledged a message that carried its
receipt (`NgayTiepNhan`): the portal knows it as received, whatever came later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from motcua.indicators import providers

from .models import OutboxMessage, OutboxState
from .national import DESTINATION, VN, configured

NOTE_UNAVAILABLE = (
    "chưa cấu hình đồng bộ Cổng Dịch vụ công quốc gia (MOTCUA_NATIONAL_SYNC_URL): "
    "hệ thống không có dữ liệu hồ sơ đã đồng bộ"
)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(start, dt.time(), tzinfo=VN)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=VN)
    return lo, hi


def received_in(start: dt.date, end: dt.date, scope: providers.Scope) -> QuerySet[Any]:
    from motcua.dossiers.models import Dossier

    lo, hi = _bounds(start, end)
    return Dossier.objects.filter(scope.dossier_q(), received_at__gte=lo, received_at__lt=hi)


def acknowledged_receipts() -> QuerySet[OutboxMessage]:
    """Delivered national messages that carried a receipt date."""
    return OutboxMessage.objects.filter(
        destination=DESTINATION, state=OutboxState.DELIVERED
    ).exclude(Q(payload__data__NgayTiepNhan="") | Q(payload__data__NgayTiepNhan__isnull=True))


def synced_dossiers(start: dt.date, end: dt.date, scope: providers.Scope) -> QuerySet[Any]:
    """The numerator's dossiers (the drill-down lists them)."""
    return received_in(start, end, scope).filter(
        Exists(acknowledged_receipts().filter(key=OuterRef("code")))
    )


def delay(
    start: dt.date, end: dt.date, scope: providers.Scope
) -> tuple[float | None, float | None]:
    """Average and longest delay (seconds) from a message's writing to the portal's
    acknowledgement, over the national messages of the dossiers received in the period."""
    codes = received_in(start, end, scope).values("code")
    row = (
        OutboxMessage.objects.filter(
            destination=DESTINATION, state=OutboxState.DELIVERED, key__in=codes
        )
        .annotate(took=F("delivered_at") - F("created_at"))
        .aggregate(avg=Avg("took"), longest=Max("took"))
    )
    avg, longest = row["avg"], row["longest"]
    return (
        avg.total_seconds() if avg is not None else None,
        longest.total_seconds() if longest is not None else None,
    )


def sync_rate(start: dt.date, end: dt.date, scope: providers.Scope) -> providers.Count | None:
    """The provider of 1.4: providers.Count, or None while the sync is not configured."""
    if not configured():
        return None
    denominator = received_in(start, end, scope).count()
    numerator = synced_dossiers(start, end, scope).count()
    avg, longest = delay(start, end, scope)
    note = ""
    if avg is not None and longest is not None:
        note = (
            f"Độ trễ đồng bộ trung bình {avg:.1f} giây, lâu nhất {longest:.1f} giây "
            f"(tính đến {timezone.localtime().strftime('%d/%m/%Y %H:%M')})."
        )
    return providers.Count(
        numerator=numerator,
        denominator=denominator,
        drill=lambda: synced_dossiers(start, end, scope),
        note=note,
        drill_denominator=lambda: received_in(start, end, scope),
    )


def fee_synced_dossiers(start: dt.date, end: dt.date, scope: providers.Scope) -> QuerySet[Any]:
    """Dossiers received in the period and scope whose fee data reached the national portal:
    the portal acknowledged a message for the dossier that carried a non-empty
    `DanhSachPhiLePhi` (3.5a, §4.2 G4)."""
    with_fees = (
        OutboxMessage.objects.filter(
            destination=DESTINATION, state=OutboxState.DELIVERED, key=OuterRef("code")
        )
        .exclude(payload__data__DanhSachPhiLePhi__isnull=True)
        .exclude(payload__data__DanhSachPhiLePhi=[])
    )
    return received_in(start, end, scope).filter(Exists(with_fees))


def fee_synced_procedures(
    start: dt.date, end: dt.date, scope: providers.Scope
) -> QuerySet[Any] | None:
    """3.5a's sync source: the procedure ids of `fee_synced_dossiers`; None while the sync
    is not configured (the indicators app then falls back on MOTCUA_766_SYNCED)."""
    if not configured():
        return None
    return fee_synced_dossiers(start, end, scope).values("procedure_id")


def register() -> None:
    """Register 1.4 and 3.5a's sync source with the indicators' provider registry."""
    providers.register("1.4", note_unavailable=NOTE_UNAVAILABLE)(sync_rate)
    providers.register_fee_sync(fee_synced_procedures)
