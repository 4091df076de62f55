#!/usr/bin/env python
"""What the hash chains cost (docs/adr/0010).

1. Per transition: µs of `dossiers.chain.event_hash` on a typical event (a receive with
   its book number, and a submission with its files and cases), and of
   `core.audit.entry_hash` on a typical audit entry: the CPU a transition or an audited
   change adds (no SQL statement is added: the hash rides on the INSERT of the event and
   the UPDATE of the dossier's row that the transition issues anyway).
2. With `--db URL` (a database loaded with `motcua demo`): `motcua audit verify`'s walk
   (events/s), and the migration that chains existing events (dossiers 0011: migrated
   back to 0010 and forward again, timed), then the walk again.

    .venv/bin/python bench/chain.py [--n 50000] [--db postgres://…/chain_bench]

A figure to read, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _us(fn, n: int, rounds: int = 5) -> float:
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        out.append((time.perf_counter() - started) / n * 1e6)
    return statistics.median(out)


def micro(n: int) -> None:
    from motcua.core.audit import entry_hash
    from motcua.core.models import AuditEntry
    from motcua.dossiers.chain import event_hash

    at = dt.datetime(2026, 3, 4, 2, 10, 0, 123456, tzinfo=dt.UTC)
    prev = "a" * 64
    receive = {
        "seq": 2, "action": "receive", "at": at, "actor": 12, "actor_role": "counter",
        "actor_agency": 3, "from_status": 1, "to_status": 2, "reason": "",
        "data": {"number": 1234, "book": "2026", "due_at": "2026-03-11T10:00:00+07:00"},
    }  # fmt: skip
    submit = {
        **receive, "seq": 1, "action": "submit", "actor_role": "applicant", "from_status": None,
        "to_status": 1,
        "data": {"files": 3, "code": "000.A.01.H24-260304-0001", "cases": [1, 4],
                 "principal": {"name": "Nguyễn Văn Ủy Quyền", "id_number": "027190000001"}},
    }  # fmt: skip
    entry = AuditEntry(
        at=at, actor_id=4, actor_label="qtv.tinh", action="changed", operation="agency_change",
        object_type="org.agency", object_id="17", object_label="Sở Tư pháp tỉnh Bắc Ninh",
        before={"name": "Sở Tư pháp", "valid_to": None, "parent": 1},
        after={"name": "Sở Tư pháp tỉnh Bắc Ninh", "valid_to": "2026-12-31", "parent": 1},
        reason="Quyết định 12/QĐ-UBND", request_id="9f1c2a",
    )  # fmt: skip
    print(f"event_hash (receive): {_us(lambda: event_hash(prev, **receive), n):.1f} µs")
    print(f"event_hash (submit):  {_us(lambda: event_hash(prev, **submit), n):.1f} µs")
    print(f"entry_hash (audit):   {_us(lambda: entry_hash(prev, entry), n):.1f} µs")


def on_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    from motcua.dossiers.chain import dossiers_verify
    from motcua.dossiers.models import DossierEvent

    events = DossierEvent.objects.count()
    print(f"{connection.vendor}: {events} events")
    started = time.perf_counter()
    result = dossiers_verify()
    seconds = time.perf_counter() - started
    print(
        f"verify: {result.dossiers} dossiers, {result.events} events in {seconds:.1f} s "
        f"({result.events / seconds:,.0f} events/s), broken={result.broken}"
    )
    call_command("migrate", "dossiers", "0010", verbosity=0)
    started = time.perf_counter()
    call_command("migrate", "dossiers", "0011", verbosity=0)
    seconds = time.perf_counter() - started
    print(f"migration dossiers 0011 (chain existing events): {seconds:.1f} s "
          f"({events / seconds:,.0f} events/s)")  # fmt: skip
    result = dossiers_verify()
    print(f"verify after the migration: broken={result.broken}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--db", help="DATABASE_URL of a database loaded with `motcua demo`")
    args = parser.parse_args()
    if args.db:
        os.environ["DATABASE_URL"] = args.db
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    micro(args.n)
    if args.db:
        on_database()


if __name__ == "__main__":
    main()
