#!/usr/bin/env python
"""Time to render one receipt PDF (Mẫu 01 with its QR), the figure of the forms issue.

Builds a throw-away SQLite database with the test province, receives N dossiers through the
services (without running the after-commit listeners), then renders each receipt with
`document_render` (queries included, as the listener and the page do) and prints p50 / p99 /
mean milliseconds per receipt, plus the PDF-only part (the template's render() on data
already loaded). Target: < 100 ms per receipt. A figure to read, not a test.

Then, as issue 12 asks of this bench, the signing of results (bench/signing.py: PAdES-B-LT
with a timestamp from the local TSA; target p50 < 50 ms per signature) and the OCR of the
shipped scanned sample (bench/ocr.py: pages per minute), each in its own process so their
figures are their own; `--forms-only` skips them.

    .venv/bin/python bench/forms.py [--count 200] [--sign-count 50] [--forms-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(tmp: str, count: int) -> list:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["MOTCUA_MEDIA_ROOT"] = f"{tmp}/media"
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ["MOTCUA_DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from motcua.dossiers import services as ds
    from motcua.dossiers.tests.factories import PDF, make_world, vn

    world = make_world()
    t0 = vn(2026, 3, 4, 8, 0)
    dossiers = []
    for i in range(count):
        at = t0 + dt.timedelta(minutes=2 * i)
        d = ds.dossier_submit(
            actor=world.citizen,
            procedure=world.procedure,
            receiving_agency=world.a.center,
            files={world.components[0].pk: [("to-khai.pdf", PDF)]},
            at=at,
        )
        dossiers.append(
            ds.dossier_receive(dossier_id=d.pk, actor=world.a.staff["c:counter"], at=at)
        )
    return dossiers


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sign-count", type=int, default=50)
    parser.add_argument("--forms-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dossiers = setup(tmp, args.count)
        from motcua.documents import selectors, services
        from motcua.documents.rendering.base import TEMPLATES

        events = {d.pk: d.events.get(action="receive") for d in dossiers}
        # One warm-up: imports, font files in the page cache.
        services.document_render(dossier=dossiers[0], kind="receipt", event=events[dossiers[0].pk])

        full, cpu, pdf_only, sizes = [], [], [], []
        for d in dossiers:
            start, start_cpu = time.perf_counter(), time.process_time()
            content = services.document_render(dossier=d, kind="receipt", event=events[d.pk])
            full.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            sizes.append(len(content))
            loaded = selectors.dossier_for_render(d.pk)
            list(loaded.procedure_version.components.all())
            template = TEMPLATES["mau-01"](loaded, events[d.pk])
            start = time.perf_counter()
            template.render()
            pdf_only.append((time.perf_counter() - start) * 1000)

    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(template.render)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        profile.dump_stats(os.environ.get("BENCH_PROFILE_OUT", os.devnull))
    print(
        f"receipts rendered: {len(full)} (Mẫu 01 with QR, A5, {statistics.mean(sizes) / 1024:.1f} KiB each)"
    )
    rows = (
        ("document_render (wall)", full),
        ("document_render (CPU) ", cpu),
        ("PDF only (wall)       ", pdf_only),
    )
    for label, values in rows:
        print(
            f"{label}  p50 {pct(values, 50):6.1f} ms   p99 {pct(values, 99):6.1f} ms"
            f"   mean {statistics.mean(values):6.1f} ms   min {min(values):6.1f} ms"
        )
    if len(full) >= 40:
        print(
            f"first 20 mean {statistics.mean(full[:20]):.1f} ms, "
            f"last 20 mean {statistics.mean(full[-20:]):.1f} ms"
        )
    verdict = "OK" if pct(full, 50) < 100 else "ABOVE TARGET"
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"target < 100 ms per receipt (p50, wall): {verdict}   load average: {load}")
    if args.forms_only:
        return
    import subprocess

    bench = Path(__file__).resolve().parent
    for script, extra in (("signing.py", ["--count", str(args.sign_count)]), ("ocr.py", [])):
        print(f"\n--- bench/{script} ---", flush=True)
        subprocess.run([sys.executable, str(bench / script), *extra], check=True)


if __name__ == "__main__":
    main()
