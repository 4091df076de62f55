#!/usr/bin/env python
"""Decision 766 indicators at scale, on PostgreSQL: dashboard and `motcua indicators`
latency against a full recomputation over the same dossiers.

    .venv/bin/python bench/indicators.py [--quick] [--sizes 100000,1000000] [--repeat 40]
                                         [--no-full]

For each size it creates the database `motcua_bench_ind` on BENCH_PG (default
postgres://postgres@127.0.0.1:5432), builds a province (1 provincial center, 20
departments, 60 communes, 300 procedures in 30 fields), bulk-loads N dossiers spread over
the last 365 days (COPY), runs `indicators_rebuild()`, then times, p50/p99 over --repeat
calls:
  - indicators_compute for a year / province, a quarter / agency, a month / procedure;
    the share of the provider indicators (issue 14: group 1, 3.2, 4.4, 4.5);
  - the dashboard: GET /api/indicators?period=… through Django's test client;
  - `motcua indicators --period … --format json` (call_command in process);
  - an event reflected: a dossier row changed + its fact refreshed, committed, then read;
and, once per size, indicators_full_recompute (a scan of every raw dossier) for the year /
province, printing the ratio. Default size 1,000,000; --quick = 10,000. Figures to read,
not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "motcua_bench_ind")  # several benches at once: one each


def psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(["psql", f"{PG}/{db}", "-qc", sql], check=True, capture_output=True)


def setup_django() -> None:
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ["MOTCUA_DEBUG"] = "0"
    os.environ.setdefault("MOTCUA_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")  # Client()
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def reset_tables() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "TRUNCATE indicators_count, indicators_dossierfact, dossiers_dossier "
            "RESTART IDENTITY CASCADE"
        )


# ---------------------------------------------------------------------------- the province


def build_province(rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model

    from motcua.catalog.enums import AgencyRole, Level, OnlineLevel
    from motcua.catalog.models import Field, Procedure, ProcedureAgency, ProcedureVersion
    from motcua.org.enums import AgencyKind, Role, UnitKind
    from motcua.org.models import AdministrativeUnit, Agency, StaffRole

    if Agency.objects.exists():
        return _load_province()
    province = AdministrativeUnit.objects.create(code="24", name="Bắc Ninh", kind=UnitKind.PROVINCE)
    center = Agency.objects.create(
        code="000.00.00.H24",
        name="Trung tâm PVHCC tỉnh",
        kind=AgencyKind.PROVINCIAL_CENTER,
        unit=province,
    )
    departments = [
        Agency.objects.create(
            code=f"000.00.{i:02d}.H24",
            name=f"Sở {i}",
            kind=AgencyKind.DEPARTMENT,
            unit=province,
        )
        for i in range(1, 21)
    ]
    communes = []
    for i in range(60):
        unit = AdministrativeUnit.objects.create(
            code=f"07{i:03d}", name=f"Xã {i}", kind=UnitKind.COMMUNE, parent=province
        )
        c = Agency.objects.create(
            code=f"000.{i:02d}.31.H24",
            name=f"Trung tâm PVHCC xã {i}",
            kind=AgencyKind.COMMUNE_CENTER,
            unit=unit,
        )
        s = Agency.objects.create(
            code=f"000.{i:02d}.32.H24",
            name=f"UBND xã {i}",
            kind=AgencyKind.COMMUNE_COMMITTEE,
            unit=unit,
        )
        communes.append((c, s))
    fields = [Field.objects.create(code=f"F{i:02d}", name=f"Lĩnh vực {i}") for i in range(30)]
    procedures = []
    for i in range(300):
        commune = i < 200
        proc = Procedure.objects.create(
            code=f"1.{i:06d}",
            name=f"Thủ tục {i}",
            field=fields[i % 30],
            level=Level.COMMUNE if commune else Level.PROVINCE,
        )
        version = ProcedureVersion.objects.create(
            procedure=proc,
            number=1,
            effective_from=dt.date(2020, 1, 1),
            name=proc.name,
            channels=[1, 2, 3],
            online_level=rng.choice([OnlineLevel.FULL, OnlineLevel.PARTIAL, OnlineLevel.NONE]),
            eligible_full_online=rng.random() < 0.6,
            paper_result_required=rng.random() < 0.8,
        )
        department = departments[i % 20]
        if not commune:
            ProcedureAgency.objects.create(
                procedure=proc, agency=department, role=AgencyRole.SETTLING
            )
        procedures.append(
            {
                "id": proc.pk,
                "version": version.pk,
                "commune": commune,
                "department": department.pk,
                "limit_days": rng.choice([1, 3, 5, 7, 10, 15]),
                "fee": rng.choice([0, 0, 8000, 50000, 100000]),
                "paper": version.paper_result_required,
            }
        )
    monitor = get_user_model().objects.create_user(username="monitor", password="x")
    StaffRole.objects.create(user=monitor, agency=center, role=Role.MONITOR)
    return _load_province()


def _load_province() -> dict:
    from motcua.catalog.models import ProcedureVersion
    from motcua.org.enums import AgencyKind
    from motcua.org.models import Agency

    center = Agency.objects.get(kind=AgencyKind.PROVINCIAL_CENTER)
    communes = list(
        zip(
            Agency.objects.filter(kind=AgencyKind.COMMUNE_CENTER).order_by("code"),
            Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).order_by("code"),
            strict=True,
        )
    )
    departments = list(Agency.objects.filter(kind=AgencyKind.DEPARTMENT).order_by("code"))
    rng = random.Random(7)
    procedures = []
    for i, v in enumerate(ProcedureVersion.objects.select_related("procedure").order_by("pk")):
        procedures.append(
            {
                "id": v.procedure_id,
                "code": v.procedure.code,
                "name": v.name,
                "version": v.pk,
                "commune": v.procedure.level == "xa",
                "department": departments[i % 20].pk,
                "limit_days": rng.choice([1, 3, 5, 7, 10, 15]),
                "fee": rng.choice([0, 0, 8000, 50000, 100000]),
                "paper": v.paper_result_required,
            }
        )
    return {"center": center, "communes": communes, "procedures": procedures}


# ---------------------------------------------------------------------------- dossiers


def load_dossiers(world: dict, n: int, now: dt.datetime, rng: random.Random) -> float:
    """COPY n dossiers received over the 365 days before `now`; returns seconds taken."""
    from django.db import connection

    from motcua.dossiers.models import Dossier, search_key_for

    cols = [f.column for f in Dossier._meta.concrete_fields if f.column != "id"]
    # Columns added since this loader was written take the field's default.
    defaults = {f.column: f.get_default() for f in Dossier._meta.concrete_fields}
    start = now - dt.timedelta(days=365)
    procs = world["procedures"]
    weights = [3 if p["commune"] else 1 for p in procs]
    hour = dt.timedelta(hours=1)
    t0 = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY dossiers_dossier ({', '.join(cols)}) FROM STDIN") as cp,
    ):
        for i in range(n):
            p = rng.choices(procs, weights)[0]
            if p["commune"]:
                recv, settl = rng.choice(world["communes"])
                recv, settl = recv.pk, settl.pk
            else:
                recv, settl = world["center"].pk, p["department"]
            submitted = start + dt.timedelta(seconds=rng.randrange(365 * 86400))
            submitted = submitted.replace(hour=rng.randrange(1, 10))  # 08–17 local (UTC+7)
            channel = rng.choices([2, 1, 3], [60, 35, 5])[0]
            age = (now - submitted).total_seconds() / 86400
            row = {
                "code": None,
                "secret": "BENCH123",
                "procedure_id": p["id"],
                "procedure_version_id": p["version"],
                "channel": channel,
                "version": 5,
                "rule_set": "2025",
                "owner_id": None,
                "applicant_name": "Nguyễn Văn A",
                "search_key": search_key_for("Nguyễn Văn A", p["code"], p["name"]),
                "applicant_id_number": "",
                "applicant_phone": "",
                "applicant_email": "",
                "applicant_address": "",
                "request_summary": "",
                "receiving_agency_id": recv,
                "settling_agency_id": settl,
                "submitted_at": submitted,
                "received_at": None,
                "due_at": None,
                "original_due_at": None,
                "finished_at": None,
                "returned_at": None,
                "stopped_at": None,
                "paused_at": None,
                "paused_seconds": 0,
                "supplement_count": 0,
                "apology_count": 0,
                "current_step_id": None,
                "current_step_started_at": None,
                "current_step_due_at": None,
                "fee_due_vnd": 0,
                "fee_paid_vnd": 0,
                "paid_online": 0,
                "paper_result_required": p["paper"],
                "electronic_result": False,
                "digitized": False,
                "reused": False,
                "rating": None,
                "result_note": "",
                "refusal_reason": "",
                "created_at": submitted,
                "updated_at": submitted,
            }
            r = rng.random()
            if r < 0.01:
                row.update(status=3, finished_at=submitted + hour, refusal_reason="Sai")
            elif r < 0.015 and age < 5:
                row.update(status=1)
            else:
                received = submitted + dt.timedelta(minutes=rng.randrange(5, 600))
                limit = p["limit_days"]
                due = received + dt.timedelta(days=limit * 1.4)
                row.update(
                    code=f"B{i:09d}",
                    received_at=received,
                    due_at=due,
                    original_due_at=due,
                    fee_due_vnd=p["fee"],
                    digitized=rng.random() < 0.85,
                    reused=rng.random() < 0.3,
                )
                s = rng.random()
                if s < 0.08:
                    row["supplement_count"] = 1
                elif s < 0.09:
                    row["supplement_count"] = 2
                if row["supplement_count"]:
                    row["paused_seconds"] = rng.randrange(3600, 5 * 27000)
                    row["due_at"] = due + dt.timedelta(seconds=row["paused_seconds"] * 3.2)
                took = dt.timedelta(days=limit * 1.4 * rng.random() * 1.25)
                finished = received + took
                if finished > now or rng.random() < 0.003:  # still open
                    row["status"] = rng.choice([2, 4, 4, 4, 5, 6])
                    if row["status"] == 5:
                        row["paused_at"] = received + took / 3
                elif rng.random() < 0.01:
                    row.update(status=8, stopped_at=finished)
                else:
                    row.update(status=10, finished_at=finished, returned_at=finished + hour)
                    if p["fee"] and (channel == 2 and rng.random() < 0.7):
                        row.update(paid_online=rng.choice([1, 2]), fee_paid_vnd=p["fee"])
                    row["electronic_result"] = rng.random() < 0.5
                    if rng.random() < 0.2:
                        row["rating"] = rng.choices([1, 0, -1], [90, 7, 3])[0]
            cp.write_row([row[c] if c in row else defaults[c] for c in cols])
    with connection.cursor() as c:
        c.execute("ANALYZE dossiers_dossier")
    return time.perf_counter() - t0


# ---------------------------------------------------------------------------- timing


def timed(fn, repeat: int) -> tuple[float, float, object]:
    out = fn()  # warm
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(round(0.99 * (len(samples) - 1))))]
    return statistics.median(samples), p99, out


def rows_read(kw: dict) -> tuple[int, int]:
    """How many counter rows and open-dossier facts a scorecard reads: the cost drivers."""
    from motcua.indicators.models import Count
    from motcua.indicators.selectors import _grains, _open_qs, _period_q, scope_resolve

    scope = scope_resolve(agency=kw.get("agency"), procedure=kw.get("procedure"))
    period = _period_q(kw["date_from"], kw["date_to"], _grains(scope))
    rows = Count.objects.filter(scope.q(), period)
    return rows.count(), _open_qs(scope, kw["date_to"]).count()


def bench_size(n: int, repeat: int, full: bool, rng: random.Random) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from motcua.dossiers.models import Dossier
    from motcua.indicators.models import Count, DossierFact
    from motcua.indicators.selectors import indicators_compute, indicators_full_recompute
    from motcua.indicators.services import facts_refresh, indicators_rebuild

    reset_tables()
    world = build_province(rng)
    now = timezone.now()
    load_s = load_dossiers(world, n, now, rng)
    t = time.perf_counter()
    indicators_rebuild()
    with connection.cursor() as c:  # steady state: autovacuum has run (index-only scans)
        c.execute("VACUUM ANALYZE indicators_count")
        c.execute("VACUUM ANALYZE indicators_dossierfact")
    rebuild_s = time.perf_counter() - t
    today = timezone.localdate()
    year = (today - dt.timedelta(days=364), today)
    q_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarter = (q_start, today)
    month = (today.replace(day=1), today)
    agency = world["communes"][3][1].code
    procedure = world["procedures"][5]["code"]
    counts = Count.objects.count()
    opened = DossierFact.objects.filter(received=True, end_at__isnull=True).count()
    print(
        f"\n== {n:,} dossiers: COPY {load_s:.1f} s, rebuild {rebuild_s:.1f} s, "
        f"{counts:,} counter rows, {opened:,} open dossiers; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    cases = {
        "year / province": {"date_from": year[0], "date_to": year[1]},
        "quarter / agency": {"date_from": quarter[0], "date_to": quarter[1], "agency": agency},
        "month / procedure": {"date_from": month[0], "date_to": month[1], "procedure": procedure},
    }
    result = {"n": n, "cases": {}}
    for name, kw in cases.items():
        p50, p99, _ = timed(lambda kw=kw: indicators_compute(**kw), repeat)
        result["cases"][name] = (p50, p99)
        rows, opened = rows_read(kw)
        print(
            f"  indicators_compute  {name:<18} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms"
            f"   reads {rows:,} counter rows + {opened:,} open facts"
        )
    # Issue 14: the providers' indicators (group 1, 3.2, 4.4, 4.5: motcua.indicators.computed)
    # are part of indicators_compute above; here their share, and the counters alone.
    from motcua.indicators import formulas
    from motcua.indicators.selectors import provided_figures, scope_resolve

    for name, kw in cases.items():
        scope_kw = {k: v for k, v in kw.items() if k in ("agency", "procedure")}
        scope = scope_resolve(**scope_kw)
        p50, p99, _ = timed(
            lambda kw=kw, scope=scope: provided_figures(
                kw["date_from"], kw["date_to"], scope, formulas.params()
            ),
            repeat,
        )
        c50, c99, _ = timed(lambda kw=kw: indicators_compute(**kw, with_provided=False), repeat)
        print(
            f"  {name:<18} providers p50 {p50:7.1f} ms   p99 {p99:7.1f} ms; "
            f"counters alone p50 {c50:7.1f} ms   p99 {c99:7.1f} ms"
        )
    client = Client()
    period = f"{today.year}"
    p50, p99, resp = timed(lambda: client.get("/api/indicators", {"period": period}), repeat)
    assert resp.status_code == 200, resp.content[:300]
    result["dashboard"] = (p50, p99)
    print(f"  GET /api/indicators?period={period:<6}      p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")

    def command():
        call_command("indicators", "--period", period, "--format", "json", stdout=io.StringIO())

    p50, p99, _ = timed(command, repeat)
    result["command"] = (p50, p99)
    print(f"  motcua indicators --period {period} json  p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")

    victim = Dossier.objects.filter(status=4).values_list("pk", flat=True).first()

    def event():
        with transaction.atomic():
            Dossier.objects.filter(pk=victim).update(reused=True)
            facts_refresh([victim])
        card = indicators_compute(date_from=year[0], date_to=year[1])
        with transaction.atomic():
            Dossier.objects.filter(pk=victim).update(reused=False)
            facts_refresh([victim])
        return card

    if victim:
        p50, p99, _ = timed(event, max(5, repeat // 4))
        print(f"  event → figure (write, refresh, read)   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")
    if full:
        at = timezone.now()
        t = time.perf_counter()
        ref = indicators_full_recompute(date_from=year[0], date_to=year[1], as_of=at)
        full_ms = (time.perf_counter() - t) * 1000
        inc = indicators_compute(date_from=year[0], date_to=year[1], as_of=at)
        same = ref.as_dict() == inc.as_dict()
        p50 = result["cases"]["year / province"][0]
        result["full_ms"] = full_ms
        print(
            f"  full recomputation year / province    {full_ms:9.0f} ms   "
            f"= {full_ms / p50:,.0f} × the incremental p50 (same figures: {same})"
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 dossiers")
    parser.add_argument("--sizes", default=None, help="comma-separated sizes, e.g. 100000,1000000")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--no-full", action="store_true", help="skip the full recomputation")
    parser.add_argument(
        "--full-max", type=int, default=10**9, help="skip the full recomputation above this size"
    )
    args = parser.parse_args()
    if args.sizes:
        sizes = [int(x) for x in args.sizes.split(",")]
    else:
        sizes = [10_000 if args.quick else 1_000_000]
    setup_django()
    rng = random.Random(2026)
    results = [
        bench_size(n, args.repeat, not args.no_full and n <= args.full_max, rng) for n in sizes
    ]
    if len(results) > 1:
        print("\nGrowth of p99 (ms):")
        names = list(results[0]["cases"]) + ["dashboard", "command"]
        print(f"  {'':<20}" + "".join(f"{r['n']:>14,}" for r in results))
        for name in names:
            row = [r["cases"][name][1] if name in r["cases"] else r[name][1] for r in results]
            print(f"  {name:<20}" + "".join(f"{v:>14.1f}" for v in row))
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
