"""Reads behind the leaders' dashboard, the public transparency pages and the open data.

Every figure comes from the indicators app (`indicators_compute`, Decision 766) or from
Biểu 06; nothing here computes an indicator itself. Open data and public pages carry only
aggregates: counts, rates and points per agency and month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Count as DbCount
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from motcua.core.text import collation_key, sorted_vi
from motcua.core.types import Actor
from motcua.dossiers import deadlines
from motcua.dossiers.access import is_province_monitor, staff_roles, visible_dossiers
from motcua.indicators.formulas import GROUPS, INDICATORS, PROVIDED, Figure
from motcua.indicators.models import DossierFact
from motcua.indicators.selectors import (
    Scorecard,
    indicator_dossiers,
    indicator_procedures,
    indicators_compute,
    provided_drill,
)
from motcua.org.enums import AgencyKind, Role
from motcua.org.models import Agency

VN = dt.timezone(dt.timedelta(hours=7))
# The indicators drawn on the trend chart (rates in percent).
TREND_IDS = ("2.1", "3.3", "4.1", "4.2", "5.4")
# Short names for the chart legend (the table under the chart gives the full names).
TREND_SHORT = {
    "2.1": "Trước hạn, đúng hạn",
    "3.3": "Trực tuyến",
    "4.1": "Kết quả điện tử",
    "4.2": "Số hóa",
    "5.4": "Hài lòng",
}
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


def dashboard_viewer(user: Actor) -> Viewer | None:
    """Superusers and the monitors / leaders of the provincial centre or committee see the
    province; monitors and leaders of other agencies see their agencies; others nothing."""
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    if user.is_superuser or is_province_monitor(user):
        return Viewer(province=True)
    ids = [a for a, roles in staff_roles(user).items() if roles & {Role.MONITOR, Role.LEADER}]
    if not ids:
        return None
    agencies = sorted_vi(Agency.objects.filter(pk__in=ids), key=lambda a: a.name)
    if any(a.kind in PROVINCE_KINDS for a in agencies):
        return Viewer(province=True, agencies=agencies)
    return Viewer(province=False, agencies=agencies)


# ---------------------------------------------------------------------------- dashboard


def total_points(card: Scorecard) -> Decimal | None:
    got = [Decimal(g["points"]) for g in card.groups if g["points"] is not None]
    return sum(got, Decimal("0.00")) if got else None


def scorecard_rows(card: Scorecard) -> list[dict[str, Any]]:
    """One row per indicator (the Decision's order) with its group, for the scorecard table.
    Only indicators with a threshold target (§4.2: 3.1, 3.3, 3.5a, 3.5b, 4.2, 4.3, 5.4 by
    default) show a target and whether it is met; the others score linearly. An indicator
    that cannot be computed shows its reason instead of a figure."""
    from motcua.indicators.formulas import params

    targets = params().targets
    rows: list[dict[str, Any]] = []
    for f in card.all_figures:
        group = GROUPS.get(f.group, (f.group, f.group, 0))
        target = targets.get(f.id) if f.unit == "percent" and f.computable else None
        rows.append(
            {
                "figure": f,
                "group_vi": group[0],
                "group_en": group[1],
                "target": target,
                "met": None if f.rate is None or target is None else f.rate >= target,
            }
        )
    return rows


def indicator_rows(
    indicator_id: str, part: str, date_from: dt.date, date_to: dt.date, agency: Agency | None
) -> QuerySet[Any]:
    """The rows behind a figure: a provider's (indicators.selectors.provided_drill), the
    procedures of 3.1 / 3.5a / 3.5b, or the dossiers of the others — the same functions the
    figure and the API use."""
    kw: dict[str, Any] = {"date_from": date_from, "date_to": date_to, "agency": agency}
    if indicator_id in PROVIDED:
        return provided_drill(indicator_id, part, **kw)
    if INDICATORS[indicator_id].numerator.startswith("procedures"):
        return indicator_procedures(part, indicator_id=indicator_id, **kw)
    return indicator_dossiers(indicator_id, part, **kw)


def trend(months: list[dt.date], agency: Agency | None) -> list[dict[str, Any]]:
    """{month, rates: {id: rate or None}, received, points} for each whole month."""
    cards = monthly_cards([agency], months)
    out: list[dict[str, Any]] = []
    for m in months:
        figures = {f.id: f for f in cards[(_pk(agency), m)]}
        points = [f.points for f in figures.values() if f.points is not None]
        out.append(
            {
                "month": m,
                "rates": {i: figures[i].rate for i in TREND_IDS},
                "received": figures["4.2"].denominator,
                "points": sum(points, Decimal("0.00")) if points else None,
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


def ranking(date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    """Settling agencies ranked by their total points over the period (ties by 2.1);
    cached for CACHE_SECONDS."""
    key = f"motcua:reports:ranking:{date_from:%Y%m%d}:{date_to:%Y%m%d}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    facts = DossierFact.objects.filter(received=True)
    ids = facts.values_list("settling_agency_id", flat=True).distinct()
    rows: list[dict[str, Any]] = []
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
    rows.sort(key=lambda r: (-r["points"], -(r["on_time"] or 0), collation_key(r["agency"].name)))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    cache.set(key, rows, CACHE_SECONDS)
    return rows


def overdue(
    user: Actor, agency: Agency | None, limit: int = 100, now: dt.datetime | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Open dossiers overdue now (motcua.dossiers.deadlines: the same verdict as the inbox,
    the dossier page, Biểu 06 and the indicators); `days` past the judged appointment, the
    clock stopped at the start of a pause still open."""
    now = now or timezone.now()
    rules = deadlines.Rules.current()
    qs = visible_dossiers(user).filter(deadlines.overdue_q(now, rules))
    if agency is not None:
        qs = qs.filter(Q(settling_agency=agency) | Q(receiving_agency=agency))
    qs = qs.select_related("procedure", "settling_agency").order_by("due_at", "pk")
    rows: list[dict[str, Any]] = []
    for d in qs[:limit]:
        due = deadlines.judged_due(d, rules)
        clock = now if d.paused_at is None else min(now, d.paused_at)
        days = max(0, (clock - due).days) if due is not None else 0  # overdue: due is set
        rows.append({"dossier": d, "days": days, "judged_due": due})
    return rows, qs.count()


# ---------------------------------------------------------------------------- open data


def open_data_rows(first: dt.date, last: dt.date) -> list[dict[str, Any]]:
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
    agencies = agencies_with_dossiers()
    cards = monthly_cards(agencies, months)
    rows: list[dict[str, Any]] = []
    for agency in agencies:
        for m in months:
            figures = cards[(agency.pk, m)]
            points = [f.points for f in figures if f.points is not None]
            rows.append(
                {
                    "agency_code": agency.code,
                    "agency_name": agency.name,
                    "month": f"{m:%Y-%m}",
                    "points": str(sum(points, Decimal("0.00"))) if points else None,
                    "indicators": {
                        f.id: {
                            "numerator": f.numerator,
                            "denominator": f.denominator,
                            "rate": None if f.rate is None else str(f.rate),
                            "unit": f.unit,
                            "points": None if f.points is None else str(f.points),
                        }
                        for f in figures
                    },
                }
            )
    cache.set(key, rows, CACHE_SECONDS)
    return rows


def monthly_cards(
    agencies: Sequence[Agency | None], months: list[dt.date]
) -> dict[tuple[int | None, dt.date], list[Figure]]:
    """{(agency id, month): [Figure]} for whole months, equal to
    `indicators_compute(date_from=month, date_to=month end, agency=agency).figures`
    (a test holds them equal), but with one grouped query over the month counters and one
    per month over the open dossiers instead of several per agency and month. `None` in
    `agencies` is the whole province (key (None, month)).

    Indicator 3.1 is not bound to the period (the catalog today): it is taken from one
    `indicators_compute` per agency; so are the fee-bearing procedures of 3.5a / 3.5b.
    """
    from motcua.indicators import formulas
    from motcua.indicators.formulas import FLAGS
    from motcua.indicators.models import Count, Grain
    from motcua.indicators.selectors import (
        fee_bearing_ids,
        fee_integrated,
        figures_of,
        note_fee_source,
        scope_day_seconds,
        scope_resolve,
    )

    p = formulas.params()
    wanted = {a.pk for a in agencies if a is not None}
    province = None in agencies
    zero = dict.fromkeys(FLAGS, 0)
    flags: dict[tuple[int | None, dt.date], dict[str, int]] = {}

    Counters = dict[tuple[int | None, dt.date], dict[str, int]]

    def add(target: Counters, key: tuple[int | None, dt.date], values: Mapping[str, int]) -> None:
        acc = target.setdefault(key, dict.fromkeys(values, 0))
        for k, v in values.items():
            acc[k] += v or 0

    def spread(
        target: Counters, receiving: int, settling: int, month: dt.date, values: Mapping[str, int]
    ) -> None:
        # A dossier is in the scope of its receiving and of its settling agency, once each.
        for agency_id in {receiving, settling}:
            if agency_id in wanted:
                add(target, (agency_id, month), values)
        if province:
            add(target, (None, month), values)

    sums: Iterable[Mapping[str, Any]] = (
        Count.objects.filter(grain=Grain.MONTH, day__in=months)
        .values("day", "receiving_agency_id", "settling_agency_id")
        .annotate(**{name: Sum(name) for name in FLAGS})
    )
    for row in sums:
        values = {name: row[name] for name in FLAGS}
        spread(flags, row["receiving_agency_id"], row["settling_agency_id"], row["day"], values)

    opened: Counters = {}
    now = timezone.now()
    for m in months:
        end = dt.datetime.combine(next_month(m), dt.time(), tzinfo=formulas.VN)
        at = end if p.open_end == "period_end" else min(end, now)
        on_time_q = formulas.open_on_time_q(at, p)
        counts: Iterable[Mapping[str, Any]] = (
            DossierFact.objects.filter(received=True, end_at__isnull=True, received_at__lt=end)
            .values("receiving_agency_id", "settling_agency_id")
            .annotate(
                n=DbCount("pk"),
                on_time=DbCount("pk", filter=on_time_q),
                on_time_liked=DbCount("pk", filter=on_time_q & formulas.open_liked_q()),
            )
        )
        for row in counts:
            values = {k: row[k] for k in ("n", "on_time", "on_time_liked")}
            spread(opened, row["receiving_agency_id"], row["settling_agency_id"], m, values)

    catalog: dict[int | None, tuple[int, int]] = {}
    fee_bearing: dict[int | None, set[int]] = {}
    for agency in agencies:
        card = indicators_compute(
            date_from=months[0], date_to=month_end(months[-1]), agency=agency, with_provided=False
        )
        f = card.figure("3.1")
        catalog[_pk(agency)] = (f.numerator or 0, f.denominator or 0)
        fee_bearing[_pk(agency)] = fee_bearing_ids(agency)

    # 3.5a / 3.5b: the fee-bearing procedures of each agency's catalog with, in the month, a
    # dossier with fee data (a) or one settled by a verified online payment (b) — one
    # grouped read of the procedure-keyed month counters.
    procs: dict[tuple[int | None, dt.date], tuple[set[int], set[int]]] = {}
    touched = (
        Count.objects.filter(grain=Grain.MONTH, day__in=months)
        .filter(Q(fee_due__gt=0) | Q(paid_online__gt=0))
        .values_list("day", "receiving_agency_id", "settling_agency_id", "procedure_id")
        .annotate(fee_due=Sum("fee_due"), paid_online=Sum("paid_online"))
    )
    for m, receiving, settling, proc, fee_due, paid_online in touched:
        keys = [a for a in {receiving, settling} if a in wanted] + ([None] if province else [])
        for pk in keys:
            if proc not in fee_bearing[pk]:
                continue
            with_fee, paid = procs.setdefault((pk, m), (set(), set()))
            if fee_due and p.synced == "received":
                with_fee.add(proc)
            if paid_online:
                paid.add(proc)

    cards: dict[tuple[int | None, dt.date], list[Figure]] = {}
    no_open = {"n": 0, "on_time": 0, "on_time_liked": 0}
    for agency in agencies:
        pk = _pk(agency)
        day_seconds = scope_day_seconds(None if agency is None else (agency.pk,))
        n_fee_bearing = len(fee_bearing[pk])
        scope = scope_resolve(agency=agency)
        for m in months:
            with_fee, paid = procs.get((pk, m), (set(), set()))
            # 3.5a's one rule: where the national sync is configured its log decides (one
            # query per agency and month); otherwise the counters read above.
            fee = fee_integrated(scope, m, month_end(m), p)
            if fee.source == "sync" and fee.ids is not None:
                with_fee = fee_bearing[pk] & set(fee.ids.values_list("procedure_id", flat=True))
            of_procedures = {
                "3.1": catalog[pk],
                "3.5a": (len(with_fee), n_fee_bearing),
                "3.5b": (len(paid), n_fee_bearing),
            }
            cards[(pk, m)] = figures_of(
                flags.get((pk, m), zero),
                opened.get((pk, m), no_open),
                of_procedures,
                p,
                day_seconds,
            )
            note_fee_source(cards[(pk, m)], fee)
    return cards


def _pk(agency: Agency | None) -> int | None:
    return None if agency is None else agency.pk


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
