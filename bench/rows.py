#!/usr/bin/env python
"""Does motcua.core.rows still pay? One transition's statements through rows and through
the ORM, in process, on SQLite and on PostgreSQL (docs/adr/0003).

The statements are those of a forward (dossier_forward) with the indicators' fact, as the
services issue them: the row lock with the dossier's to-one relations joined in, the event,
the dossier's changed columns, the handover closed and the next one opened, the fact read
and its changed columns; and, apart, the catalog's lookup of the version in force
(Procedure.version_on) and the submission's reads (components, settling agencies, the
applicant). Each is timed both ways on the same rows, in one transaction rolled back at the
end. Prints µs per statement (median of the rounds), the ratio ORM / rows, and the saving
per transition.

    .venv/bin/python bench/rows.py [--rounds 7] [--n 400] [--sqlite-only | --pg-only]

PostgreSQL: BENCH_PG (default postgres://postgres@127.0.0.1:5432/motcua_rows_bench); the
test database `test_<name>` is created and dropped. A figure to read, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/motcua_rows_bench")


class _Rollback(Exception):
    pass


def _timed(fn, n: int, rounds: int) -> float:
    """Median over `rounds` of the mean µs of `fn` over `n` calls."""
    fn()  # warm: caches of compiled statements, converters
    per = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        per.append((time.perf_counter() - t) / n * 1e6)
    return statistics.median(per)


def run(n: int, rounds: int) -> None:
    """In the process whose DATABASE_URL is set: build a world, time, print one table."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        _measure(n, rounds, connection, transaction, name)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def _measure(n, rounds, connection, transaction, name) -> None:  # noqa: PLR0915
    from django.utils import timezone

    from motcua.catalog.enums import AgencyRole
    from motcua.catalog.models import Component, ProcedureAgency
    from motcua.core import rows
    from motcua.dossiers import services as s
    from motcua.dossiers.models import Dossier, DossierEvent, Handover
    from motcua.dossiers.tests.factories import PDF, make_world
    from motcua.indicators.models import DossierFact
    from motcua.indicators.services import FACT_RELATION
    from motcua.org.models import Agency, Applicant

    joins = ("current_step", "receiving_agency", "settling_agency", "procedure", FACT_RELATION)
    figures: list[tuple[str, float, float]] = []
    try:
        with transaction.atomic():
            w = make_world()
            d = s.dossier_submit(
                actor=w.citizen,
                procedure=w.procedure,
                receiving_agency=w.a.center,
                files={w.components[0].pk: [("to-khai.pdf", PDF)]},
            )
            d = s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"])
            d = s.dossier_forward(dossier_id=d.pk, actor=w.a.staff["c:counter"])
            pk = d.pk
            step = Handover.objects.filter(dossier_id=pk).last()
            seq = [10_000]
            now = timezone.now()

            def lock_rows():
                rows.load(Dossier, pk, joins=joins, lock=True)

            def lock_orm():
                Dossier.objects.select_for_update(of=("self",)).select_related(*joins).get(pk=pk)

            def event_values():
                seq[0] += 1
                return {
                    "dossier_id": pk,
                    "seq": seq[0],
                    "action": "forward",
                    "at": now,
                    "actor_id": w.a.staff["c:counter"].pk,
                    "actor_role": "counter",
                    "actor_agency_id": w.a.center.pk,
                    "from_status": 3,
                    "to_status": 3,
                    "reason": "",
                    "data": {"step": 2},
                }

            def event_rows():
                rows.save_new(DossierEvent(**event_values()))

            def event_orm():
                DossierEvent.objects.create(**event_values())

            changed = {"version": 7, "updated_at": now, "current_step_started_at": now}

            def dossier_rows():
                rows.update(Dossier, {"id": pk}, changed)

            def dossier_orm():
                Dossier.objects.filter(pk=pk).update(**changed)

            closing = {"finished_at": now, "finished_by_id": None, "outcome": "", "note": ""}
            opening = {
                "dossier_id": pk,
                "step_id": step.step_id,
                "agency_id": step.agency_id,
                "started_at": now,
                "due_at": now + dt.timedelta(hours=8),
                "finished_at": None,
                "finished_by_id": None,
                "outcome": "",
                "note": "",
            }

            def handover_rows():
                rows.update(Handover, {"dossier_id": pk, "finished_at": None}, closing)
                rows.insert(Handover, opening)

            def handover_orm():
                Handover.objects.filter(dossier_id=pk, finished_at__isnull=True).update(**closing)
                Handover.objects.create(**opening)

            fact_changed = {"supplement_count": 0, "paused_at": None}

            def fact_rows():
                rows.load(DossierFact, pk)
                rows.update(DossierFact, {"dossier_id": pk}, fact_changed)

            def fact_orm():
                DossierFact.objects.get(dossier_id=pk)
                DossierFact.objects.filter(dossier_id=pk).update(**fact_changed)

            transition = [
                ("lock the dossier (5 joins)", lock_rows, lock_orm),
                ("append the event", event_rows, event_orm),
                ("update the dossier", dossier_rows, dossier_orm),
                ("close + open a handover", handover_rows, handover_orm),
                ("read + update the fact", fact_rows, fact_orm),
            ]
            procedure, version = w.procedure, d.procedure_version
            today = dt.date.today()
            pa = ProcedureAgency
            settling_where = "{} IN (SELECT {} FROM {} WHERE {} = %s AND {} = %s)".format(  # noqa: S608 (names, not input)
                rows.column(Agency, "pk", "t0"),
                rows.column(pa, "agency"),
                rows.table(pa),
                rows.column(pa, "procedure"),
                rows.column(pa, "role"),
            )
            owner = Applicant.objects.get(user=w.citizen).pk
            others = [
                (
                    "Procedure.version_on",
                    lambda: procedure.version_on(today),
                    lambda: (
                        procedure.versions.filter(effective_from__lte=today)
                        .exclude(effective_to__lt=today)
                        .order_by("-effective_from", "-number")
                        .first()
                    ),
                ),
                (
                    "components of the version",
                    lambda: rows.select(
                        Component,
                        f"{rows.column(Component, 'version', 't0')} = %s",
                        [version.pk],
                        tail=f"ORDER BY {rows.column(Component, 'order', 't0')}",
                    ),
                    lambda: list(Component.objects.filter(version=version).order_by("order")),
                ),
                (
                    "settling agencies",
                    lambda: rows.select(Agency, settling_where, [procedure.pk, "settling"]),
                    lambda: list(
                        Agency.objects.filter(
                            pk__in=pa.objects.filter(
                                procedure=procedure, role=AgencyRole.SETTLING
                            ).values("agency")
                        )
                    ),
                ),
                (
                    "the applicant",
                    lambda: rows.load(Applicant, owner),
                    lambda: Applicant.objects.get(pk=owner),
                ),
            ]
            for label, by_rows, by_orm in transition + others:
                figures.append((label, _timed(by_rows, n, rounds), _timed(by_orm, n, rounds)))
            raise _Rollback
    except _Rollback:
        pass
    vendor = connection.vendor
    print(f"\n{vendor} ({connection.settings_dict['NAME']}), {n} calls × {rounds} rounds")
    print(f"{'statement(s)':32} {'rows µs':>9} {'ORM µs':>9} {'ORM/rows':>9}")
    for i, (label, r, o) in enumerate(figures):
        if i == len(transition):
            print("-" * 62)
        print(f"{label:32} {r:9.0f} {o:9.0f} {o / r:9.2f}")
    tr = sum(r for _, r, _ in figures[: len(transition)])
    to = sum(o for _, _, o in figures[: len(transition)])
    print(
        f"one transition's statements: rows {tr:.0f} µs, ORM {to:.0f} µs, "
        f"ratio {to / tr:.2f}, saved {to - tr:.0f} µs per transition"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--sqlite-only", action="store_true")
    ap.add_argument("--pg-only", action="store_true")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run(args.n, args.rounds)
        return
    base = [sys.executable, __file__, "--child", "--n", str(args.n), "--rounds", str(args.rounds)]
    if not args.pg_only:
        env = {**os.environ, "MOTCUA_DEBUG": "0"}
        env.pop("DATABASE_URL", None)
        subprocess.run(base, env=env, check=True)
    if not args.sqlite_only:
        env = {**os.environ, "MOTCUA_DEBUG": "0", "DATABASE_URL": PG}
        subprocess.run(base, env=env, check=True)


if __name__ == "__main__":
    main()
