#!/usr/bin/env python
"""Cost of the security log (motcua.core.seclog, issue 10) in one process: what a staff
member's read of a dossier adds (`dossiers.accesslog.staff_read`: one JSON line written to
MOTCUA_SECURITY_LOG through the WatchedFileHandler the settings configure), what the same
call costs when the line is dropped by the level (MOTCUA_SECURITY_LOG_LEVEL=WARNING), and
what `SecurityLogMiddleware` adds to every request that is not a 403. Prints microseconds
per call (p50 / p99 / mean) and the database queries per call. A figure to read, not a test.

    .venv/bin/python bench/seclog.py [--count 20000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _figures(samples: list[float]) -> str:
    samples = sorted(samples)
    p50 = samples[len(samples) // 2]
    p99 = samples[int(len(samples) * 0.99)]
    return f"p50 {p50:7.1f}  p99 {p99:7.1f}  mean {statistics.fmean(samples):7.1f}"


def _time(call, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        t = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t) * 1e6)
    return samples


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="motcua-bench-seclog-")
    log_path = Path(tmp) / "security.jsonl"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["MOTCUA_VAR_DIR"] = tmp
    os.environ["MOTCUA_SECURITY_LOG"] = str(log_path)
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    from django.contrib.auth.models import User
    from django.db import connection
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import resolve

    from motcua.core.requestid import current_request_id
    from motcua.core.seclog import SecurityLogMiddleware
    from motcua.dossiers.accesslog import staff_read
    from motcua.dossiers.models import Dossier
    from motcua.org import selectors as org_selectors

    officer = User(pk=7, username="canbo.tiepnhan")
    setattr(officer, org_selectors._APPLICANT_MEMO, None)  # known by the access check before
    dossier = Dossier(pk=123456, code="G22.99-260304-0001", owner_id=42)
    request = RequestFactory().get("/can-bo/ho-so/123456/", REMOTE_ADDR="10.1.2.3")
    request.user = officer
    request.resolver_match = resolve("/can-bo/ho-so/123456/")
    current_request_id.set("b1f3c0de")

    def read() -> None:
        staff_read(request, dossier, what="dossier")

    for _ in range(500):
        read()  # warm-up (the file is opened, the code paths cached)
    with CaptureQueriesContext(connection) as queries:
        read()
    print(f"staff_read, one JSON line to a file, {args.count} calls (µs per call):")
    print(f"  written          {_figures(_time(read, args.count))}  queries {len(queries)}")
    size = log_path.stat().st_size
    lines = sum(1 for _ in log_path.open("rb"))
    print(f"  line size        {size / lines:.0f} bytes ({lines} lines, {size / 1e6:.1f} MB)")
    logger = logging.getLogger("motcua.security")
    logger.setLevel(logging.WARNING)
    print(f"  level WARNING    {_figures(_time(read, args.count))}  (dropped)")
    logger.setLevel(logging.INFO)

    ok = HttpResponse("ok")
    middleware = SecurityLogMiddleware(lambda r: ok)
    bare = _time(lambda: ok, args.count)
    wrapped = _time(lambda: middleware(request), args.count)
    print("SecurityLogMiddleware on a 200 answer (µs per request):")
    print(f"  without          {_figures(bare)}")
    print(f"  with             {_figures(wrapped)}")


if __name__ == "__main__":
    main()
