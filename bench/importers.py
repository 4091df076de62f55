#!/usr/bin/env python
"""The two importers on this machine: the catalog import of the real data and the dossier
CSV import, on a fresh SQLite database under /tmp.

    .venv/bin/python bench/importers.py [--catalog PATH] [--rows N] [--repeat R]

- catalog: `motcua catalog import PATH` into an empty catalog (55 records of
  /work/shared/data/procedures.json by default: every procedure created), then the same
  file again (every record compared with its stored version: unchanged), each in its own
  process so the figures include what an administrator waits for; and `catalog_import`
  in process (dry run), without the start of a process.
- dossiers: N CSV rows (default 3000; the 7 rows of the example file, recoded), validated
  (`--dry-run`: read, parse, plan) and then imported, in process, best of R.
Times are CPU seconds (user + system; of the child process for the command), steadier than
wall time on a shared machine. Figures to read, not a test.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "motcua" / "reports" / "fixtures" / "dossiers-example.csv"


def motcua(*args: str) -> float:
    """CPU seconds of the command's process (user + system): steadier than wall time on a
    shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-c", "from motcua.cli import main; main()", *args],
        check=True,
        capture_output=True,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def dossier_csv(n: int) -> bytes:
    rows = list(csv.DictReader(io.StringIO(EXAMPLE.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for i in range(n):
        writer.writerow(rows[i % len(rows)] | {"code": f"LEGACY-BENCH-{i:06d}"})
    return out.getvalue().encode()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--catalog", default="/work/shared/data/procedures.json")
    ap.add_argument("--rows", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-importers-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ["MOTCUA_DEBUG"] = "0"
    motcua("migrate", "--noinput", "-v", "0")

    created = motcua("catalog", "import", args.catalog)
    unchanged = min(motcua("catalog", "import", args.catalog) for _ in range(args.repeat))
    print(
        f"catalog import {args.catalog} (CPU s of the command): new {created:.2f} s, "
        f"again (unchanged) {unchanged:.2f} s"
    )

    # The dossiers on their own database: the world below brings its own catalog.
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'dossiers.sqlite3'}"
    motcua("migrate", "--noinput", "-v", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import transaction

    from motcua.catalog.importer import catalog_import
    from motcua.dossiers.tests.factories import make_world
    from motcua.reports.importer import import_dossiers

    make_world()
    records = json.loads(Path(args.catalog).read_text(encoding="utf-8"))
    runs = []
    for _ in range(args.repeat):
        t0 = time.process_time()
        catalog_import(records=records, dry_run=True)
        runs.append(time.process_time() - t0)
    print(f"catalog_import in process (dry run, every record new): {min(runs) * 1000:.0f} ms CPU")

    data = dossier_csv(args.rows)
    checks, writes = [], []
    for _ in range(args.repeat):
        t0 = time.process_time()
        result = import_dossiers(data, dry_run=True)
        checks.append(time.process_time() - t0)
        assert not result.errors, result.errors[:3]
        with transaction.atomic():
            t0 = time.process_time()
            result = import_dossiers(data, refresh=False)
            writes.append(time.process_time() - t0)
            assert result.imported == args.rows, result.errors[:3]
            transaction.set_rollback(True)
    print(
        f"dossier CSV, {args.rows} rows (CPU s): validate {min(checks):.2f} s "
        f"({min(checks) / args.rows * 1e6:.0f} µs/row), import without the indicator "
        f"refresh {min(writes):.2f} s"
    )


if __name__ == "__main__":
    main()
