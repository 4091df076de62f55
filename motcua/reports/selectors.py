"""Reads behind the leaders' dashboard, the public transparency pages and the open data.

Every figure comes from the indicators app (`indicators_compute`, Decision 766) or from
Biểu 06; nothing here computes an indicator itself. Open data and public pages carry only
aggregates: counts, rates and points per agency and month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from motcua.dossiers.access import is_province_monitor, staff_roles, visible_dossiers
from motcua.dossiers.enums import Status
from motcua.indicators.formulas import GROUPS, INDICATORS
from motcua.indicators.models import DossierFact
from motcua.indicators.selectors import indicators_compute
from motcua.org.enums import AgencyKind, Role
from motcua.org.models import Agency

VN = dt.timezone(dt.timedelta(hours=7))
# The indicators drawn on the trend chart (rates in percent).
TREND_IDS = ("2.1", "3.3", "4.1", "4.2", "5.4")
OPEN_STATUSES = (
    Status.RECEIVED,
    Status.PROCESSING,
    Status.FINANCIAL_OBLIGATION,
    Status.WITHDRAWAL_REQUESTED,
)
PROVINCE_KINDS = (AgencyKind.PROVINCIAL_CENTER, AgencyKind.PROVINCIAL_COMMITTEE)
CACHE_SECONDS = 600


def today() -> dt.date:
    return timezone.localdate()


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def next_month(d: dt.date) -> dt.date:
    return (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def month_end(d: dt.date) -> dt.date:
    return next_month(d) - dt.timedelta(days=1)


def months_back(last: dt.date, count: int) -> list[dt.date]:
    """First days of the `count` months ending with the month of `last`, oldest first."""
    months = [month_start(last)]
    while len(months) < count:
        months.insert(0, month_start(months[0] - dt.timedelta(days=1)))
    return months


# ---------------------------------------------------------------------------- access


@dataclass
class Viewer:
    """What a dashboard user may see: the whole province, or some agencies."""

    province: bool
    agencies: list[Agency] = field(default_factory=list)

    def allows(self, agency: Agency | None) -> bool:
        if self.province:
            return True
        return agency is not None and agency.pk in {a.pk for a in self.agencies}


def dashboard_viewer(user) -> Viewer | None:
    """Superusers and the monitors / leaders of the provincial centre or committee see the
    province; monitors and leaders of other agencies see their agencies; others nothing."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser or is_province_monitor(user):
        return Viewer(province=True)
    ids = [a for a, roles in staff_roles(user).items() if roles & {Role.MONITOR, Role.LEADER}]
    if not ids:
        return None
    agencies = list(Agency.objects.filter(pk__in=ids).order_by("name"))
    if any(a.kind in PROVINCE_KINDS for a in agencies):
        return Viewer(province=True, agencies=agencies)
    return Viewer(province=False, agencies=agencies)


# ---------------------------------------------------------------------------- dashboard


def total_points(card) -> Decimal | None:
    got = [Decimal(g["points"]) for g in card.groups if g["points"] is not None]
    return sum(got, Decimal("0.00")) if got else None


def scorecard_rows(card) -> list[dict]:
    """One row per indicator with its group, for the scorecard table."""
    rows = []
    for f in card.figures:
        group = GROUPS.get(f.group, (f.group, f.group, 0))
        rows.append(
            {
                "figure": f,
                "group_vi": group[0],
                "group_en": group[1],
                "met": None
                if f.rate is None or f.target is None or f.unit != "percent"
                else f.rate >= f.target,
            }
        )
    return rows


def trend(months: list[dt.date], agency: Agency | None) -> list[dict]:
    """{month, figures: {id: rate or None}} for each month (one scorecard per month)."""
    out = []
    for m in months:
        card = indicators_compute(date_from=m, date_to=month_end(m), agency=agency)
        out.append(
            {
                "month": m,
                "rates": {f.id: f.rate for f in card.figures if f.id in TREND_IDS},
                "received": card.figure("4.2").denominator,
                "points": total_points(card),
            }
        )
    return out


def agencies_with_dossiers() -> list[Agency]:
    """Agencies that received or settled at least one received dossier."""
    facts = DossierFact.objects.filter(received=True)
    ids = set(facts.values_list("settling_agency_id", flat=True).distinct()) | set(
        facts.values_list("receiving_agency_id", flat=True).distinct()
    )
    return list(Agency.objects.filter(pk__in=ids).order_by("code"))


def ranking(date_from: dt.date, date_to: dt.date) -> list[dict]:
    """Settling agencies ranked by their total points over the period (ties by 2.1)."""
    facts = DossierFact.objects.filter(received=True)
    ids = facts.values_list("settling_agency_id", flat=True).distinct()
    rows = []
    for agency in Agency.objects.filter(pk__in=ids):
        card = indicators_compute(date_from=date_from, date_to=date_to, agency=agency)
        on_time = card.figure("2.1")
        if not on_time.denominator:
            continue
        rows.append(
            {
                "agency": agency,
                "points": total_points(card) or Decimal("0.00"),
                "on_time": on_time.rate,
                "dossiers": on_time.denominator,
            }
        )
    rows.sort(key=lambda r: (-r["points"], -(r["on_time"] or 0), r["agency"].name))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    return rows


def overdue(user, agency: Agency | None, limit: int = 100, now: dt.datetime | None = None):
    """Open dossiers past their appointment now (waiting for a supplement: asked after it)."""
    now = now or timezone.now()
    qs = visible_dossiers(user).filter(
        Q(status__in=OPEN_STATUSES, due_at__lt=now)
        | Q(status=Status.SUPPLEMENT_REQUESTED, paused_at__gt=F("due_at"))
    )
    if agency is not None:
        qs = qs.filter(Q(settling_agency=agency) | Q(receiving_agency=agency))
    qs = qs.select_related("procedure", "settling_agency").order_by("due_at", "pk")
    rows = []
    for d in qs[:limit]:
        rows.append({"dossier": d, "days": (now - d.due_at).days})
    return rows, qs.count()


# ---------------------------------------------------------------------------- open data


def open_data_rows(first: dt.date, last: dt.date) -> list[dict]:
    """Per agency and month: every indicator's numerator, denominator, rate and points.

    Aggregates only (no dossier, no person). An agency's figures cover the dossiers it
    received or settled, so rows of a centre and of a committee overlap: do not add them.
    Cached for CACHE_SECONDS: the figures move with every transition, not every request.
    """
    months = []
    m = month_start(first)
    while m <= last:
        months.append(m)
        m = next_month(m)
    key = f"motcua:reports:opendata:{months[0]:%Y%m}:{months[-1]:%Y%m}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = []
    for agency in agencies_with_dossiers():
        for m in months:
            card = indicators_compute(date_from=m, date_to=month_end(m), agency=agency)
            rows.append(
                {
                    "agency_code": agency.code,
                    "agency_name": agency.name,
                    "month": f"{m:%Y-%m}",
                    "points": None if total_points(card) is None else str(total_points(card)),
                    "indicators": {
                        f.id: {
                            "numerator": f.numerator,
                            "denominator": f.denominator,
                            "rate": None if f.rate is None else str(f.rate),
                            "unit": f.unit,
                            "points": None if f.points is None else str(f.points),
                        }
                        for f in card.figures
                    },
                }
            )
    cache.set(key, rows, CACHE_SECONDS)
    return rows


def open_data_columns() -> list[str]:
    cols = ["agency_code", "agency_name", "month", "points"]
    for ind in INDICATORS:
        slug = ind.replace(".", "_")
        cols += [f"i{slug}_numerator", f"i{slug}_denominator", f"i{slug}_rate", f"i{slug}_points"]
    return cols


def open_data_flat(row: dict) -> list:
    out = [row["agency_code"], row["agency_name"], row["month"], row["points"] or ""]
    for ind in INDICATORS:
        v = row["indicators"][ind]
        out += [v["numerator"], v["denominator"], v["rate"] or "", v["points"] or ""]
    return out


def coverage() -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of receipt in the data (temporal coverage of the datasets)."""
    days = DossierFact.objects.filter(received=True).values_list("received_day", flat=True)
    first = days.order_by("received_day").first()
    last = days.order_by("-received_day").first()
    return first, last


def publisher_name() -> str:
    name = getattr(settings, "MOTCUA_PROVINCE_NAME", "")
    if name:
        return name
    committee = Agency.objects.filter(kind=AgencyKind.PROVINCIAL_COMMITTEE).order_by("pk").first()
    return committee.name if committee else "motcua"
