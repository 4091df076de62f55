"""Reads of the indicators: scorecards from the counters, the same from a full scan of the
raw dossiers (the reference implementation), and the dossiers behind each figure."""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count as DbCount
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from motcua.catalog.models import FeeItem, Field, Procedure, ProcedureVersion
from motcua.core.errors import NotFound, ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.org.models import AdministrativeUnit, Agency

from . import formulas, providers
from .formulas import FLAGS, GROUPS, INDICATORS, PROVIDED, VN, Figure, Params, score
from .models import Count, DossierFact, Grain
from .providers import Scope
from .services import dossier_rows, row_fact

# ---------------------------------------------------------------------------- periods

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4])|-H([12])|-9M)?$")


def period_parse(text: str) -> tuple[dt.date, dt.date]:
    """A named period: YYYY (year), YYYY-MM (month), YYYY-Qn (quarter), YYYY-H1 / YYYY-H2
    (6 months), YYYY-9M (first 9 months)."""
    m = _PERIOD.match(text or "")
    if not m:
        raise ValidationFailed(
            "invalid_period",
            "Kỳ phải có dạng YYYY, YYYY-MM, YYYY-Qn, YYYY-H1/H2 hoặc YYYY-9M.",
            "The period must be YYYY, YYYY-MM, YYYY-Qn, YYYY-H1/H2 or YYYY-9M.",
            field="period",
        )
    year = int(m[1])
    if m[2]:
        first, last = int(m[2]), int(m[2])
        if not 1 <= first <= 12:
            raise ValidationFailed(
                "invalid_period", "Tháng không hợp lệ.", "Invalid month.", field="period"
            )
    elif m[3]:
        first = 3 * int(m[3]) - 2
        last = first + 2
    elif m[4]:
        first = 1 if m[4] == "1" else 7
        last = first + 5
    elif text.endswith("9M"):
        first, last = 1, 9
    else:
        first, last = 1, 12
    return dt.date(year, first, 1), dt.date(year, last, _cal.monthrange(year, last)[1])


def _check_period(date_from: dt.date, date_to: dt.date) -> None:
    if date_from is None or date_to is None or date_from > date_to:
        raise ValidationFailed(
            "invalid_period",
            "Kỳ báo cáo không hợp lệ: 'từ ngày' phải trước hoặc bằng 'đến ngày'.",
            "Invalid period: 'from' must be on or before 'to'.",
            field="from",
        )


def _period_end(date_to: dt.date) -> dt.datetime:
    return dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tzinfo=VN)


def _judged_at(date_to: dt.date, as_of: dt.datetime | None, p: Params) -> dt.datetime:
    end = _period_end(date_to)
    if p.open_end == "period_end":
        return end
    return min(end, as_of or timezone.now())


# ---------------------------------------------------------------------------- scope


def _unit_agencies(unit: AdministrativeUnit) -> list[int]:
    units, frontier = {unit.pk}, [unit.pk]
    while frontier:
        frontier = list(
            AdministrativeUnit.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=units)
            .values_list("pk", flat=True)
        )
        units.update(frontier)
    return list(Agency.objects.filter(unit_id__in=units).values_list("pk", flat=True))


def scope_resolve(
    *,
    agency: Agency | str | None = None,
    procedure: Procedure | str | None = None,
    field: Field | str | None = None,
    unit: AdministrativeUnit | str | None = None,
) -> Scope:
    """Agency / procedure / field by object or code; unit by code (a province includes all
    its units). Unknown codes raise NotFound naming the parameter."""
    label: dict[str, str] = {}
    agency_ids: tuple[int, ...] | None = None
    if agency is not None:
        a = agency if isinstance(agency, Agency) else Agency.objects.filter(code=agency).first()
        if a is None:
            raise NotFound(f"cơ quan '{agency}'", f"Agency '{agency}'", field="agency")
        agency_ids, label["agency"] = (a.pk,), a.code
    if unit is not None:
        u = (
            unit
            if isinstance(unit, AdministrativeUnit)
            else AdministrativeUnit.objects.filter(code=unit).order_by("-valid_from").first()
        )
        if u is None:
            raise NotFound(f"đơn vị hành chính '{unit}'", f"Unit '{unit}'", field="unit")
        ids = _unit_agencies(u)
        agency_ids = tuple(ids) if agency_ids is None else tuple(set(ids) & set(agency_ids))
        label["unit"] = u.code
    procedure_id: int | None = None
    field_id: int | None = None
    if procedure is not None:
        pr = (
            procedure
            if isinstance(procedure, Procedure)
            else Procedure.objects.filter(code=procedure).first()
        )
        if pr is None:
            raise NotFound(f"thủ tục '{procedure}'", f"Procedure '{procedure}'", field="procedure")
        procedure_id, label["procedure"] = pr.pk, pr.code
    if field is not None:
        fl = field if isinstance(field, Field) else Field.objects.filter(code=field).first()
        if fl is None:
            raise NotFound(f"lĩnh vực '{field}'", f"Field '{field}'", field="field")
        field_id, label["field"] = fl.pk, fl.code
    return Scope(agency_ids, procedure_id, field_id, label)


# ---------------------------------------------------------------------------- scorecard


@dataclass
class Scorecard:
    date_from: dt.date
    date_to: dt.date
    scope: dict[str, str]
    figures: list[Figure]  # the indicators counted from the dossier facts and the catalog
    groups: list[dict[str, Any]]
    provided: list[Figure] = field(default_factory=list)  # the providers' (formulas.PROVIDED)
    total: dict[str, Any] = field(default_factory=dict)
    # 3.3's sync coefficient: 1.4's rate (percent) when its provider counts, else None and
    # the reason (§4.2 G3 3.3: "× sync coefficient").
    sync_coefficient: Decimal | None = None
    sync_reason_vi: str = ""

    @property
    def all_figures(self) -> list[Figure]:
        """Every indicator in the Decision's order (formulas.ORDER)."""
        by_id = {f.id: f for f in [*self.figures, *self.provided]}
        return [by_id[i] for i in formulas.ORDER if i in by_id]

    def figure(self, indicator_id: str) -> Figure:
        return next(f for f in self.all_figures if f.id == indicator_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "scope": self.scope,
            "indicators": [f.as_dict() for f in self.all_figures],
            "groups": self.groups,
            "total": self.total,
            "sync_coefficient": {
                "rate": None if self.sync_coefficient is None else str(self.sync_coefficient),
                "reason_vi": self.sync_reason_vi,
            },
        }


def figures_of(
    flags: dict[str, int],
    opened: dict[str, int],
    procs: dict[str, tuple[int, int]],
    p: Params,
    day_seconds: int,
) -> list[Figure]:
    """Every indicator's figure from the period's counters (`flags`), the open dossiers at
    the period end (`opened`: n, on_time, on_time_liked) and the procedure counts of 3.1,
    3.5a and 3.5b (`procs`: indicator id → (numerator, denominator)): the one place a
    scorecard's figures are made (indicators_compute, indicators_full_recompute and the
    reports' monthly cards all call it)."""
    counts = _combine(flags, opened, procs)
    return [score(ind, *counts[ind.id], p, day_seconds) for ind in INDICATORS.values()]


def scope_day_seconds(agency_ids: tuple[int, ...] | None) -> int:
    """2.2's working day: the agency's when the scope is one agency, else the province's."""
    single = agency_ids[0] if agency_ids is not None and len(agency_ids) == 1 else None
    return formulas.working_day_seconds(single)


def provided_figures(date_from: dt.date, date_to: dt.date, scope: Scope, p: Params) -> list[Figure]:
    """The figures of the providers' indicators (formulas.PROVIDED) for a period and scope:
    each provider asked once (providers.evaluate)."""
    return [
        formulas.score_provided(ind, providers.evaluate(ind.id, date_from, date_to, scope), p)
        for ind in PROVIDED.values()
    ]


def _scorecard(
    date_from: dt.date,
    date_to: dt.date,
    scope: Scope,
    figures: list[Figure],
    provided: list[Figure] | None = None,
) -> Scorecard:
    """Group totals against the Decision's maxima: a group's points are the sum of its
    computed indicators' points; `computed_max_points` is what those indicators can reach
    (indicators that cannot be computed are left out of both, their maximum still shown in
    `max_points`, the Decision's)."""
    provided = provided or []
    everything = [*figures, *provided]
    groups: list[dict[str, Any]] = []
    for key, (vi, en, pmax) in GROUPS.items():
        members = [f for f in everything if f.group == key]
        got = [f.points for f in members if f.points is not None]
        groups.append(
            {
                "id": key,
                "name_vi": vi,
                "name_en": en,
                "max_points": pmax,
                "computed_max_points": sum(f.max_points for f in members if f.computable),
                "points": str(sum(got, Decimal("0.00"))) if got else None,
                "not_computable": [f.id for f in members if not f.computable],
            }
        )
    points = [Decimal(g["points"]) for g in groups if g["points"] is not None]
    total = {
        "max_points": sum(g["max_points"] for g in groups),
        "computed_max_points": sum(g["computed_max_points"] for g in groups),
        "points": str(sum(points, Decimal("0.00"))) if points else None,
    }
    card = Scorecard(date_from, date_to, scope.label, figures, groups, provided, total)
    sync = next((f for f in provided if f.id == "1.4"), None)
    if sync is not None and sync.computable:
        card.sync_coefficient = sync.rate
        if sync.rate is None:
            card.sync_reason_vi = "1.4 không có hồ sơ trong kỳ"
    else:
        card.sync_reason_vi = sync.reason_vi if sync is not None else providers.NOT_REGISTERED_VI
    return card


def _catalog_procedures(scope: Scope) -> QuerySet[Procedure]:
    """The procedures the catalog indicators count (active): `computed.scope_procedures`,
    the one rule of which procedures are in a scope."""
    from .computed import scope_procedures

    return scope_procedures(scope)


def _in_force(today: dt.date) -> Q:
    return Q(effective_to__isnull=True) | Q(effective_to__gte=today)


def _offered_online() -> Exists:
    today = timezone.localdate()
    return Exists(
        ProcedureVersion.objects.filter(
            _in_force(today),
            procedure=OuterRef("pk"),
            effective_from__lte=today,
            online_level__in=["full", "partial"],
        )
    )


def _fee_bearing() -> Exists:
    """3.5's denominator: the version in force has a fee item with an amount > 0 or not yet
    known (the officer sets it at the request) — "TTHC with fee info" (§4.2 G4)."""
    today = timezone.localdate()
    return Exists(
        FeeItem.objects.filter(
            Q(amount_vnd__isnull=True) | Q(amount_vnd__gt=0),
            Q(version__effective_to__isnull=True) | Q(version__effective_to__gte=today),
            version__procedure=OuterRef("pk"),
            version__effective_from__lte=today,
        )
    )


@dataclass(frozen=True)
class FeeIntegrated:
    """3.5a's numerator rule applied to a period and scope (see `fee_integrated`)."""

    source: str  # "sync": the national sync log; "setting": MOTCUA_766_SYNCED
    ids: QuerySet[Any] | None  # procedure ids counted (values("procedure_id")); None: none
    note_vi: str


def fee_integrated(scope: Scope, date_from: dt.date, date_to: dt.date, p: Params) -> FeeIntegrated:
    """The one rule of 3.5a's numerator ("fees integrated"): which procedures have, in the
    period and scope, a received dossier whose fee data reached the national portal. Where
    the national sync is configured (its app registered a fee-sync source that answers), from
    the sync log; otherwise from MOTCUA_766_SYNCED ("received": every received dossier with
    a fee due; "none": none). The scorecard, the full recompute, the drill-down and the API
    all call this; the figure's note says which source applied."""
    synced = providers.fee_sync(date_from, date_to, scope)
    if synced is not None:
        return FeeIntegrated(
            "sync",
            synced,
            "Nguồn: nhật ký đồng bộ Cổng Dịch vụ công quốc gia (hồ sơ có dữ liệu phí, lệ phí "
            "được Cổng xác nhận).",
        )
    note = (
        f"Nguồn: cài đặt MOTCUA_766_SYNCED={p.synced} "
        "(chưa cấu hình đồng bộ Cổng Dịch vụ công quốc gia)."
    )
    if p.synced != "received":
        return FeeIntegrated("setting", None, note)
    ids = Count.objects.filter(
        scope.q(), _period_q(date_from, date_to, (Grain.DAY, Grain.MONTH)), fee_due__gt=0
    ).values("procedure_id")
    return FeeIntegrated("setting", ids, note)


def _procedure_counts(
    scope: Scope, date_from: dt.date, date_to: dt.date, p: Params
) -> dict[str, tuple[int, int]]:
    """3.1 from the catalog (procedures offered online, partly or fully, today), and 3.5a /
    3.5b: fee-bearing procedures of the catalog with, in the period, a dossier whose fee
    data reached the portal (a, `fee_integrated`) or settled by a verified online payment
    (b) — read from the procedure-keyed counters (day and month rows)."""
    base = _catalog_procedures(scope)
    fee = fee_integrated(scope, date_from, date_to, p)
    row = base.aggregate(
        n=DbCount("pk"),
        online=DbCount("pk", filter=_offered_online()),
        fee_bearing=DbCount("pk", filter=_fee_bearing()),
        **(
            {"fee_data": DbCount("pk", filter=_fee_bearing() & Q(pk__in=fee.ids))}
            if fee.ids is not None
            else {}
        ),
    )
    counted = Count.objects.filter(
        scope.q(),
        _period_q(date_from, date_to, (Grain.DAY, Grain.MONTH)),
        procedure_id__in=base.filter(_fee_bearing()).values("pk"),
    )
    seen = counted.aggregate(
        paid=DbCount("procedure_id", distinct=True, filter=Q(paid_online__gt=0)),
    )
    return {
        "3.1": (row["online"], row["n"]),
        "3.5a": (row.get("fee_data", 0), row["fee_bearing"]),
        "3.5b": (seen["paid"], row["fee_bearing"]),
    }


def note_fee_source(figures: list[Figure], fee: FeeIntegrated) -> list[Figure]:
    """3.5a's figure says which source `fee_integrated` used."""
    for f in figures:
        if f.id == "3.5a":
            f.note = fee.note_vi
    return figures


def _fee_bearing_ids(scope: Scope) -> set[int]:
    return set(_catalog_procedures(scope).filter(_fee_bearing()).values_list("pk", flat=True))


def fee_bearing_ids(agency: Agency | None = None) -> set[int]:
    """The ids of 3.5's fee-bearing procedures in an agency's scope (None: the province)."""
    return _fee_bearing_ids(scope_resolve(agency=agency))


def _grains(scope: Scope) -> tuple[str, str]:
    """The (day, month) grains that answer a scope with the fewest rows."""
    if scope.procedure_id is not None or scope.field_id is not None:
        return Grain.DAY, Grain.MONTH
    if scope.agency_ids is not None:
        return Grain.AGENCY_DAY, Grain.AGENCY_MONTH
    return Grain.PROVINCE_DAY, Grain.PROVINCE_MONTH


def _period_q(date_from: dt.date, date_to: dt.date, grains: tuple[str, str]) -> Q:
    """Count rows covering [date_from, date_to]: month rows for whole months, day rows for
    the partial months at either edge."""
    day, month = grains
    first_full = date_from if date_from.day == 1 else _next_month(date_from)
    after_last = _next_month(date_to) if date_to == _month_end(date_to) else date_to.replace(day=1)
    if first_full >= after_last:
        return Q(grain=day, day__range=(date_from, date_to))
    q = Q(grain=month, day__gte=first_full, day__lt=after_last)
    if date_from < first_full:
        q |= Q(grain=day, day__gte=date_from, day__lt=first_full)
    if after_last <= date_to:
        q |= Q(grain=day, day__gte=after_last, day__lte=date_to)
    return q


def _next_month(d: dt.date) -> dt.date:
    return (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _month_end(d: dt.date) -> dt.date:
    return _next_month(d) - dt.timedelta(days=1)


def _open_qs(scope: Scope, date_to: dt.date) -> QuerySet[DossierFact]:
    return DossierFact.objects.filter(
        scope.q(), received=True, end_at__isnull=True, received_at__lt=_period_end(date_to)
    )


def _combine(
    flags: dict[str, int], opened: dict[str, int], procs: dict[str, tuple[int, int]]
) -> dict[str, tuple[int, int]]:
    counts: dict[str, tuple[int, int]] = {}
    for ind in INDICATORS.values():
        if ind.numerator.startswith("procedures"):
            counts[ind.id] = procs[ind.id]
            continue
        num, den = flags[ind.numerator], flags[ind.denominator]
        if ind.with_open:
            num += opened["on_time_liked" if ind.numerator == "on_time_liked" else "on_time"]
            den += opened["n"]
        counts[ind.id] = (num, den)
    return counts


def indicators_compute(
    *,
    date_from: dt.date,
    date_to: dt.date,
    agency: Agency | str | None = None,
    procedure: Procedure | str | None = None,
    field: Field | str | None = None,
    unit: AdministrativeUnit | str | None = None,
    as_of: dt.datetime | None = None,
    with_provided: bool = True,
) -> Scorecard:
    """The scorecard of a period and scope from the counters (Decision 766, §4).

    `with_provided=False` leaves out the providers' indicators (formulas.PROVIDED; the
    reports' monthly cards, which read 3.1 only).

    One aggregate over the Count rows of the period (month rows for whole months), one
    over the open dossiers (indexed, the only part that depends on the period end) and one
    over the catalog (3.1). Dossiers still open are judged at min(end of period, as_of or
    now) — see formulas.Params.open_end.
    """
    _check_period(date_from, date_to)
    p = formulas.params()
    scope = scope_resolve(agency=agency, procedure=procedure, field=field, unit=unit)
    at = _judged_at(date_to, as_of, p)
    sums = Count.objects.filter(scope.q(), _period_q(date_from, date_to, _grains(scope))).aggregate(
        **{name: Sum(name) for name in FLAGS}
    )
    flags = {k: v or 0 for k, v in sums.items()}
    on_time_q = formulas.open_on_time_q(at, p)
    # Counting received_at (never null here), not the pk: the open-facts index covers
    # every column read, so the province-wide count is an index-only scan.
    opened = _open_qs(scope, date_to).aggregate(
        n=DbCount("received_at"),
        on_time=DbCount("received_at", filter=on_time_q),
        on_time_liked=DbCount("received_at", filter=on_time_q & formulas.open_liked_q()),
    )
    procs = _procedure_counts(scope, date_from, date_to, p)
    figures = figures_of(flags, opened, procs, p, scope_day_seconds(scope.agency_ids))
    note_fee_source(figures, fee_integrated(scope, date_from, date_to, p))
    provided = provided_figures(date_from, date_to, scope, p) if with_provided else []
    return _scorecard(date_from, date_to, scope, figures, provided)


def indicators_full_recompute(
    *,
    date_from: dt.date,
    date_to: dt.date,
    agency: Agency | str | None = None,
    procedure: Procedure | str | None = None,
    field: Field | str | None = None,
    unit: AdministrativeUnit | str | None = None,
    as_of: dt.datetime | None = None,
) -> Scorecard:
    """The same scorecard by scanning every raw dossier in scope (no facts, no counters):
    the reference the incremental figures are tested and benchmarked against."""
    _check_period(date_from, date_to)
    p = formulas.params()
    scope = scope_resolve(agency=agency, procedure=procedure, field=field, unit=unit)
    at = _judged_at(date_to, as_of, p)
    end = _period_end(date_to)
    flags = dict.fromkeys(FLAGS, 0)
    opened = {"n": 0, "on_time": 0, "on_time_liked": 0}
    fee_data: set[int] = set()
    paid: set[int] = set()
    qs = Dossier.objects.filter(scope.q("procedure__"))
    for row in dossier_rows(qs):
        fact = row_fact(row, p)
        if not fact.received:
            continue
        if fact.received_day is not None and date_from <= fact.received_day <= date_to:
            if fact.fee_due and p.synced == "received":
                fee_data.add(fact.procedure_id)
            if fact.paid_online:
                paid.add(fact.procedure_id)
        for flag in FLAGS.values():
            day = fact.received_day if flag.bucket == "received" else fact.end_day
            if day is not None and date_from <= day <= date_to:
                flags[flag.name] += formulas.flag_value(fact, flag)
        if fact.end_at is None and fact.received_at is not None and fact.received_at < end:
            opened["n"] += 1
            if formulas.open_on_time(fact, at, p):
                opened["on_time"] += 1
                if fact.rating != -1:
                    opened["on_time_liked"] += 1
    procs = _procedure_counts(scope, date_from, date_to, p)
    fee_bearing = _fee_bearing_ids(scope)
    # 3.5a / 3.5b from the raw dossiers (the counters' numerators are not used here); 3.5a
    # from the national sync log where the sync is configured (the log is the raw data).
    fee = fee_integrated(scope, date_from, date_to, p)
    if fee.source == "sync":
        assert fee.ids is not None
        fee_data = set(fee.ids.values_list("procedure_id", flat=True))
    procs["3.5a"] = (len(fee_data & fee_bearing), len(fee_bearing))
    procs["3.5b"] = (len(paid & fee_bearing), len(fee_bearing))
    figures = figures_of(flags, opened, procs, p, scope_day_seconds(scope.agency_ids))
    note_fee_source(figures, fee)
    provided = provided_figures(date_from, date_to, scope, p)
    return _scorecard(date_from, date_to, scope, figures, provided)


# ---------------------------------------------------------------------------- drill-down


def _indicator(indicator_id: str) -> formulas.Indicator:
    ind = formulas.ALL.get(indicator_id)
    if ind is None:
        raise NotFound(f"chỉ số '{indicator_id}'", f"Indicator '{indicator_id}'", field="id")
    return ind


def _part(part: str) -> str:
    if part not in ("numerator", "denominator"):
        raise ValidationFailed(
            "invalid_part",
            "Phần phải là 'numerator' (tử số) hoặc 'denominator' (mẫu số).",
            "part must be 'numerator' or 'denominator'.",
            field="part",
        )
    return part


def indicator_dossiers(
    indicator_id: str,
    part: str = "numerator",
    *,
    date_from: dt.date,
    date_to: dt.date,
    agency: Agency | str | None = None,
    procedure: Procedure | str | None = None,
    field: Field | str | None = None,
    unit: AdministrativeUnit | str | None = None,
    as_of: dt.datetime | None = None,
) -> QuerySet[Dossier]:
    """The dossiers behind a figure's numerator or denominator (same scope and period).

    For 2.2 both parts are the settled dossiers (the numerator is the sum of their times).
    3.1 counts procedures: see `indicator_procedures`.
    """
    ind, part = _indicator(indicator_id), _part(part)
    _check_period(date_from, date_to)
    if ind.id in PROVIDED:
        rows = provided_drill(
            ind.id,
            part,
            date_from=date_from,
            date_to=date_to,
            agency=agency,
            procedure=procedure,
            field=field,
            unit=unit,
        )
        if rows.model is not Dossier:
            raise ValidationFailed(
                "procedure_indicator",
                f"Chỉ số {ind.id} không đếm hồ sơ: xem danh sách của chỉ số.",
                f"Indicator {ind.id} does not count dossiers: list its rows instead.",
                field="id",
            )
        return rows
    if ind.numerator.startswith("procedures"):
        raise ValidationFailed(
            "procedure_indicator",
            f"Chỉ số {ind.id} đếm thủ tục, không đếm hồ sơ: xem danh sách thủ tục.",
            f"Indicator {ind.id} counts procedures, not dossiers: list the procedures instead.",
            field="id",
        )
    p = formulas.params()
    scope = scope_resolve(agency=agency, procedure=procedure, field=field, unit=unit)
    name = ind.numerator if part == "numerator" else ind.denominator
    if FLAGS[name].sums:
        name = ind.denominator
    bucket = "received_day" if FLAGS[name].bucket == "received" else "end_day"
    facts = DossierFact.objects.filter(
        scope.q(), **{f"{bucket}__range": (date_from, date_to), name: True}
    )
    ids = facts.values("dossier_id")
    if ind.with_open:
        opened = _open_qs(scope, date_to)
        if part == "numerator":
            q = formulas.open_on_time_q(_judged_at(date_to, as_of, p), p)
            if ind.numerator == "on_time_liked":
                q &= formulas.open_liked_q()
            opened = opened.filter(q)
        return Dossier.objects.filter(Q(pk__in=ids) | Q(pk__in=opened.values("dossier_id")))
    return Dossier.objects.filter(pk__in=ids)


def indicator_procedures(
    part: str = "numerator",
    *,
    indicator_id: str = "3.1",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    agency: Agency | str | None = None,
    procedure: Procedure | str | None = None,
    field: Field | str | None = None,
    unit: AdministrativeUnit | str | None = None,
) -> QuerySet[Procedure]:
    """The procedures behind a procedure count's numerator or denominator: 3.1 (offered
    online / in the catalog) or 3.5a / 3.5b (with a dossier with fee data / settled by a
    verified online payment in the period [date_from, date_to] / fee-bearing)."""
    ind, part = _indicator(indicator_id), _part(part)
    if not ind.numerator.startswith("procedures"):
        raise ValidationFailed(
            "dossier_indicator",
            f"Chỉ số {ind.id} đếm hồ sơ, không đếm thủ tục: xem danh sách hồ sơ.",
            f"Indicator {ind.id} counts dossiers, not procedures: list the dossiers instead.",
            field="id",
        )
    scope = scope_resolve(agency=agency, procedure=procedure, field=field, unit=unit)
    qs = _catalog_procedures(scope)
    if ind.id == "3.1":
        if part == "numerator":
            qs = qs.filter(_offered_online())
        return qs.order_by("code")
    qs = qs.filter(_fee_bearing())
    if part == "numerator":
        if date_from is None or date_to is None:
            raise ValidationFailed(
                "invalid_period",
                "Cần kỳ báo cáo (từ ngày, đến ngày).",
                "A period (from, to) is required.",
                field="from",
            )
        _check_period(date_from, date_to)
        if ind.id == "3.5a":
            fee = fee_integrated(scope, date_from, date_to, formulas.params())
            return (qs.filter(pk__in=fee.ids) if fee.ids is not None else qs.none()).order_by(
                "code"
            )
        counted = Count.objects.filter(
            scope.q(),
            _period_q(date_from, date_to, (Grain.DAY, Grain.MONTH)),
            paid_online__gt=0,
        )
        qs = qs.filter(pk__in=counted.values("procedure_id"))
    return qs.order_by("code")


def provided_drill(
    indicator_id: str,
    part: str = "numerator",
    *,
    date_from: dt.date,
    date_to: dt.date,
    agency: Agency | str | None = None,
    procedure: Procedure | str | None = None,
    field: Field | str | None = None,
    unit: AdministrativeUnit | str | None = None,
) -> QuerySet[Any]:
    """The rows behind a provider's figure (formulas.PROVIDED): its `drill` (numerator) or
    `drill_denominator`, for the same period and scope as the scorecard. An indicator that
    cannot be computed, or whose provider lists no rows, is refused with the reason."""
    ind, part = _indicator(indicator_id), _part(part)
    if ind.id not in PROVIDED:
        raise ValidationFailed(
            "not_provided",
            f"Chỉ số {ind.id} được tính từ số liệu hồ sơ: xem danh sách hồ sơ.",
            f"Indicator {ind.id} is counted from the dossier facts: list its dossiers.",
            field="id",
        )
    _check_period(date_from, date_to)
    scope = scope_resolve(agency=agency, procedure=procedure, field=field, unit=unit)
    out = providers.evaluate(ind.id, date_from, date_to, scope)
    if out.count is None:
        raise ValidationFailed(
            "not_computable",
            f"Chỉ số {ind.id}: {out.reason_vi}.",
            f"Indicator {ind.id}: {out.reason_en}.",
            field="id",
        )
    fn = out.count.drill if part == "numerator" else out.count.drill_denominator
    if fn is None:
        raise ValidationFailed(
            "no_drill",
            f"Nguồn số liệu của chỉ số {ind.id} không liệt kê được {_PART_VI[part]}.",
            f"The provider of indicator {ind.id} does not list its {part}.",
            field="part",
        )
    return fn()


_PART_VI = {"numerator": "tử số", "denominator": "mẫu số"}
