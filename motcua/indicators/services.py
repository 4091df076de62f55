"""Writes of the indicators: keep one fact per dossier and the day/month counters.

`on_dossier_event` is registered with motcua.dossiers.hooks.in_transaction: it runs in the
transaction of every dossier service, after the event is appended, while the dossier row
is locked. It recomputes the dossier's fact from the row (O(1)), and when the fact changed
it subtracts the old fact's contribution from the counters and adds the new one — one
multi-row upsert with increments over the touched (grain, day, agency, agency, procedure)
keys, in key order so that two transactions never wait on each other in opposite orders.

Bulk writers that bypass the services (the demo's history, `motcua import-dossiers`) call
`facts_refresh(dossier_ids)` inside their transaction, or `indicators_rebuild()` after.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from django.db import connection, models, transaction

from motcua.core import rows
from motcua.dossiers.models import Dossier

from . import formulas
from .formulas import FACT_FIELDS, FLAGS, Fact, Params, fact_of, flag_value
from .models import Count, DossierFact, Grain

if TYPE_CHECKING:
    from motcua.dossiers.models import DossierEvent
    from motcua.workcalendar.engine import WorkingCalendar

COUNT_KEY = ("grain", "day", "receiving_agency_id", "settling_agency_id", "procedure_id")
# (day, receiving, settling, procedure, field): a day row of one scope key
DayKey: TypeAlias = tuple[dt.date, int, int, int, int]
# (grain, day, receiving, settling, procedure, field): a Count row
Key: TypeAlias = tuple[str, dt.date, int, int, int, int]


def _calendar(agency_id: int) -> WorkingCalendar:
    from motcua.workcalendar.selectors import get_calendar

    return get_calendar(agency_id)


# ---------------------------------------------------------------------------- contributions


_RECEIVED_FLAGS = [f for f in FLAGS.values() if f.bucket == "received"]
_ENDED_FLAGS = [f for f in FLAGS.values() if f.bucket == "ended"]
DAY, MONTH = Grain.DAY.value, Grain.MONTH.value
PROVINCE_DAY, PROVINCE_MONTH = Grain.PROVINCE_DAY.value, Grain.PROVINCE_MONTH.value
AGENCY_DAY, AGENCY_MONTH = Grain.AGENCY_DAY.value, Grain.AGENCY_MONTH.value


def day_contributions(fact: Fact | None) -> dict[DayKey, dict[str, int]]:
    """What one fact adds to the day rows of its scope key: (day, receiving, settling,
    procedure, field) → {flag: value}, each flag on its bucket day."""
    out: dict[DayKey, dict[str, int]] = {}
    if fact is None or not fact.received:
        return out
    scope = (fact.receiving_agency_id, fact.settling_agency_id, fact.procedure_id, fact.field_id)
    for day, flags in ((fact.received_day, _RECEIVED_FLAGS), (fact.end_day, _ENDED_FLAGS)):
        if day is None:
            continue  # not ended yet: no flag of that bucket is set
        values = {f.name: v for f in flags if (v := flag_value(fact, f))}
        if values:
            counters = out.setdefault((day, *scope), {})
            for name, v in values.items():
                counters[name] = counters.get(name, 0) + v
    return out


def expand(day_rows: dict[DayKey, dict[str, int]]) -> dict[Key, dict[str, int]]:
    """Day rows → the six grains: day and month of the scope key, of the two agencies, and
    of the settling agency (province)."""
    out: dict[Key, dict[str, int]] = {}
    for (day, recv, settl, proc, field), counters in day_rows.items():
        month = day.replace(day=1)
        for key in (
            (DAY, day, recv, settl, proc, field),
            (MONTH, month, recv, settl, proc, field),
            (AGENCY_DAY, day, recv, settl, 0, 0),
            (AGENCY_MONTH, month, recv, settl, 0, 0),
            (PROVINCE_DAY, day, 0, settl, 0, 0),
            (PROVINCE_MONTH, month, 0, settl, 0, 0),
        ):
            row = out.get(key)
            if row is None:
                out[key] = dict(counters)
            else:
                for name, v in counters.items():
                    row[name] = row.get(name, 0) + v
    return out


def contributions(fact: Fact | None) -> dict[Key, dict[str, int]]:
    """What one fact adds to the counters, in every grain."""
    return expand(day_contributions(fact))


def _add_delta(acc: dict[DayKey, dict[str, int]], old: Fact | None, new: Fact | None) -> None:
    for sign, fact in ((-1, old), (1, new)):
        for key, counters in day_contributions(fact).items():
            row = acc.setdefault(key, {})
            for name, value in counters.items():
                row[name] = row.get(name, 0) + sign * value


def _expand_nonzero(acc: dict[DayKey, dict[str, int]]) -> dict[Key, dict[str, int]]:
    days = {k: {n: v for n, v in c.items() if v} for k, c in acc.items()}
    return expand({k: c for k, c in days.items() if c})


def _delta(old: Fact | None, new: Fact | None) -> dict[Key, dict[str, int]]:
    acc: dict[DayKey, dict[str, int]] = {}
    _add_delta(acc, old, new)
    return _expand_nonzero(acc)


def _upsert_sql(rows_count: int, present: tuple[str, ...], vendor: str) -> str:
    if rows_count <= 64:  # a transition's few rows: build once; bulk statements: each time
        return _upsert_sql_small(rows_count, present, vendor)
    return _build_upsert_sql(rows_count, present, vendor)


@lru_cache(maxsize=256)
def _upsert_sql_small(rows_count: int, present: tuple[str, ...], vendor: str) -> str:
    return _build_upsert_sql(rows_count, present, vendor)


def _build_upsert_sql(rows_count: int, present: tuple[str, ...], vendor: str) -> str:
    """The upsert of `rows_count` rows moving the counters in `present` (the others are 0
    in every row, written as literals so that a transition binds a few dozen parameters,
    not a few hundred)."""
    q = connection.ops.quote_name
    table = q(Count._meta.db_table)
    names = list(FLAGS)
    cols = ", ".join(q(c) for c in (*COUNT_KEY, "field_id", *names))
    row = (
        "("
        + ", ".join(["%s"] * (len(COUNT_KEY) + 1) + ["%s" if n in present else "0" for n in names])
        + ")"
    )
    sets = ", ".join(f"{q(n)} = {table}.{q(n)} + excluded.{q(n)}" for n in present)
    conflict = ", ".join(q(c) for c in COUNT_KEY)
    return (
        f"INSERT INTO {table} ({cols}) VALUES {', '.join([row] * rows_count)} "  # noqa: S608
        f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    )


def _upsert(delta: dict[Key, dict[str, int]]) -> None:
    """One INSERT … ON CONFLICT DO UPDATE SET c = c + excluded.c for all touched keys (in
    key order), on PostgreSQL and SQLite alike."""
    if not delta:
        return
    touched = set().union(*(c for c in delta.values()))
    present = tuple(n for n in FLAGS if n in touched)
    keys = sorted(delta, key=lambda k: (k[0], k[1], k[2], k[3], k[4]))
    with connection.cursor() as cursor:
        # ≤ 1000 rows (≤ 21 000 parameters) a statement: under PostgreSQL's and SQLite's limits.
        for start in range(0, len(keys), 1000):
            part = keys[start : start + 1000]
            values: list[Any] = [
                v for k in part for v in (*k, *(delta[k].get(n, 0) for n in present))
            ]
            cursor.execute(_upsert_sql(len(part), present, connection.vendor), values)


# ---------------------------------------------------------------------------- facts


def _fact_from_row(row: DossierFact) -> Fact:
    return Fact(**{name: getattr(row, name) for name in FACT_FIELDS})


def _fact_values(fact: Fact) -> dict[str, Any]:
    return {name: getattr(fact, name) for name in FACT_FIELDS}


def _procedure_keys(dossier: Dossier) -> tuple[int, bool]:
    """(field id, eligible for fully-online) of the dossier's procedure and version."""
    from motcua.catalog.models import ProcedureVersion

    cache = dossier._state.fields_cache
    field_id = cache["procedure"].field_id if "procedure" in cache else None
    if field_id is None:
        field_id = dossier.procedure.field_id
    if "procedure_version" in cache:
        eligible = cache["procedure_version"].eligible_full_online
    else:
        eligible = (
            ProcedureVersion.objects.filter(pk=dossier.procedure_version_id)
            .values_list("eligible_full_online", flat=True)
            .get()
        )
    return field_id, eligible


def fact_refresh(dossier: Dossier, p: Params | None = None) -> bool:
    """Recompute one dossier's fact from its row and move the counters by the difference.

    The caller holds the dossier row (a service's select_for_update, or a bulk writer's own
    transaction). Returns whether anything changed. Runs in every transition, so the fact
    is read and written with precompiled statements (motcua.core.rows).
    """
    p = p or formulas.params()
    rel = _fact_rel()
    # The services load the fact with their row lock (hooks.load_with_lock); others read it.
    row: DossierFact | None = (
        rel.get_cached_value(dossier)
        if rel.is_cached(dossier)
        else rows.load(DossierFact, dossier.pk)
    )
    if row is not None:
        field_id, eligible = row.field_id, row.eligible_full_online
        if row.procedure_id != dossier.procedure_id:
            field_id, eligible = _procedure_keys(dossier)
    else:
        field_id, eligible = _procedure_keys(dossier)
    new = fact_of(
        dossier,
        field_id=field_id,
        eligible_full_online=eligible,
        calendar=_calendar,
        p=p,
        paid_verified=_paid_verified(dossier, row),
    )
    old = _fact_from_row(row) if row is not None else None
    if old == new:
        return False
    _upsert(_delta(old, new))
    values = _fact_values(new)
    if row is None:
        rows.insert(DossierFact, values)
    else:
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        rows.update(DossierFact, {"dossier_id": dossier.pk}, changed)
    # What is stored now, for a second event of the same service (intake then receive).
    rel.set_cached_value(dossier, DossierFact(**values))
    return True


def _paid_verified(dossier: Dossier, row: DossierFact | None) -> bool:
    """Whether a verified payment proves the dossier's DuocThanhToanTrucTuyen. Asked once:
    when the stored fact already counts it paid online, the proof stands (a paid Payment is
    final; only motcua.payments' settlement writes paid_online 1 or 2 on the live path)."""
    if dossier.paid_online not in (1, 2):
        return False
    if row is not None and row.paid_online:
        return True
    return formulas.proves_paid_online(dossier, formulas.verified_paid_online([dossier.pk]))


FACT_RELATION = "indicator_fact"


def _fact_rel() -> Any:  # the reverse one-to-one (OneToOneRel) to DossierFact
    return Dossier._meta.get_field(FACT_RELATION)


def on_dossier_event(event: DossierEvent, dossier: Dossier) -> None:
    """motcua.dossiers.hooks in-transaction listener."""
    fact_refresh(dossier)


def facts_refresh(dossier_ids: Iterable[int]) -> int:
    """Bring the facts and counters of these dossiers up to date with their rows (for bulk
    writers that bypass the services). Locks the dossiers in id order and works by pages of
    500: one read of the dossiers, one of their facts, one upsert of the counters, one
    replacement of the changed facts. Returns the number of facts that changed."""
    ids = sorted(set(dossier_ids))
    p = formulas.params()
    changed = 0
    with transaction.atomic():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            dossiers = (
                Dossier.objects.select_for_update(of=("self",))
                .select_related("procedure", "procedure_version")
                .filter(pk__in=chunk)
                .order_by("pk")
            )
            rows = {r.pk: r for r in DossierFact.objects.filter(pk__in=chunk)}
            acc: dict[DayKey, dict[str, int]] = {}
            fresh: list[Fact] = []
            loaded = list(dossiers)
            proved = formulas.verified_paid_online(
                [d.pk for d in loaded if d.paid_online in (1, 2)]
            )
            for d in loaded:
                new = fact_of(
                    d,
                    field_id=d.procedure.field_id,
                    eligible_full_online=d.procedure_version.eligible_full_online,
                    calendar=_calendar,
                    p=p,
                    paid_verified=formulas.proves_paid_online(d, proved),
                )
                row = rows.get(d.pk)
                old = _fact_from_row(row) if row is not None else None
                if old != new:
                    _add_delta(acc, old, new)
                    fresh.append(new)
            if not fresh:
                continue
            changed += len(fresh)
            _upsert(_expand_nonzero(acc))
            DossierFact.objects.filter(pk__in=[f.dossier_id for f in fresh]).delete()
            DossierFact.objects.bulk_create([DossierFact(**_fact_values(f)) for f in fresh])
    return changed


# ---------------------------------------------------------------------------- rebuild


class DossierRow(NamedTuple):
    pk: int
    receiving_agency_id: int
    settling_agency_id: int
    procedure_id: int
    field_id: int
    eligible_full_online: bool
    status: int
    channel: int
    received_at: object
    due_at: object
    original_due_at: object
    finished_at: object
    returned_at: object
    stopped_at: object
    paused_at: object
    paused_seconds: int
    supplement_count: int
    apology_count: int
    rating: int | None
    fee_due_vnd: int
    paid_online: int
    paper_result_required: bool
    electronic_result: bool
    digitized: bool
    reused: bool
    # Not a column: whether a verified payment proves paid_online (formulas).
    paid_verified: bool = False


_ROW_COLUMNS = [
    "pk",
    "receiving_agency_id",
    "settling_agency_id",
    "procedure_id",
    "procedure__field_id",
    "procedure_version__eligible_full_online",
    *DossierRow._fields[6:-1],
]
_PAID_ONLINE = DossierRow._fields.index("paid_online")


def dossier_pages(
    qs: models.QuerySet[Dossier] | None = None, batch: int = 5000
) -> Iterator[list[DossierRow]]:
    """Raw dossier rows in id order, by keyset pages (constant memory)."""
    qs = Dossier.objects.all() if qs is None else qs
    last = 0
    while True:
        page = list(qs.filter(pk__gt=last).order_by("pk").values_list(*_ROW_COLUMNS)[:batch])
        if not page:
            return
        proved = formulas.verified_paid_online([v[0] for v in page if v[_PAID_ONLINE] in (1, 2)])
        yield [
            DossierRow._make((*values, (values[0], values[_PAID_ONLINE]) in proved))
            for values in page
        ]
        last = page[-1][0]


def dossier_rows(
    qs: models.QuerySet[Dossier] | None = None, batch: int = 5000
) -> Iterator[DossierRow]:
    for page in dossier_pages(qs, batch):
        yield from page


def row_fact(row: DossierRow, p: Params) -> Fact:
    return fact_of(
        row,
        field_id=row.field_id,
        eligible_full_online=row.eligible_full_online,
        calendar=_calendar,
        p=p,
        paid_verified=row.paid_verified,
    )


def _bulk_insert(
    model: type[models.Model], columns: list[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """COPY on PostgreSQL (the rebuild of millions of rows), executemany elsewhere."""
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    cols = ", ".join(q(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 2000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def indicators_rebuild(*, batch: int = 5000) -> dict[str, int]:
    """Recompute every fact and counter from the raw dossiers, in one transaction.

    For the demo (its history is bulk-inserted without events), historical imports, and
    after changing a setting that shapes the facts. Returns {"dossiers", "counts"}.
    """
    p = formulas.params()
    totals: dict[DayKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    n = 0
    names = list(FLAGS)
    with transaction.atomic():
        Count.objects.all()._raw_delete(Count.objects.db)
        DossierFact.objects.all()._raw_delete(DossierFact.objects.db)
        # Page by page: the connection cannot read dossiers while a COPY is open.
        for page in dossier_pages(batch=batch):
            facts = []
            for row in page:
                fact = row_fact(row, p)
                for key, counters in day_contributions(fact).items():
                    t = totals[key]
                    for name, value in counters.items():
                        t[name] += value
                facts.append(tuple(getattr(fact, name) for name in FACT_FIELDS))
            n += len(facts)
            _bulk_insert(DossierFact, list(FACT_FIELDS), facts)
        rows = expand(totals)
        _bulk_insert(
            Count,
            [*COUNT_KEY, "field_id", *names],
            [(*k, *(c.get(name, 0) for name in names)) for k, c in rows.items()],
        )
    return {"dossiers": n, "counts": len(rows)}
