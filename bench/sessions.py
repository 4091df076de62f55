#!/usr/bin/env python
"""Cost of the password and session rules of issue 10 (docs/rules.md "Passwords, sessions,
tokens"), in one process: the time to hash a password with Argon2 (the production hasher)
against PBKDF2 (the one before it), and what `SessionLimitsMiddleware` adds to a request,
signed in (its stamps read from the session already loaded) and anonymous. Prints
microseconds per call (p50 / p99 / mean) and the database queries per call. A figure to
read, not a test.

    .venv/bin/python bench/sessions.py [--count 20000] [--hashes 10]
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
    return f"p50 {p50:9.1f}  p99 {p99:9.1f}  mean {statistics.fmean(samples):9.1f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--hashes", type=int, default=10)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="motcua-bench-sessions-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["MOTCUA_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.db import connection
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from motcua.org.sessions import SessionLimitsMiddleware, session_stamp

    print("Hashing one password (ms):")
    for hasher in ("argon2", "pbkdf2_sha256"):
        samples = []
        for _ in range(args.hashes):
            t = time.perf_counter()
            make_password("Sông-Hồng-chảy-2026", hasher=hasher)
            samples.append((time.perf_counter() - t) * 1000)
        print(f"  {hasher:14s} {_figures(samples)}")

    ok = HttpResponse("ok")
    middleware = SessionLimitsMiddleware(lambda request: ok)
    factory = RequestFactory()

    class Staff:
        is_authenticated = True
        is_staff = True
        is_superuser = False

    def signed_in():
        request = factory.get("/can-bo/")
        request.session = SessionStore()
        request.session[SESSION_KEY] = "1"
        session_stamp(request.session, Staff())
        request.session.modified = False
        request.user = Staff()
        return request

    def anonymous():
        request = factory.get("/")
        request.session = SessionStore()
        request.user = AnonymousUser()
        return request

    print(f"SessionLimitsMiddleware per request (µs, {args.count} calls):")
    for label, make in (("signed in, staff", signed_in), ("anonymous", anonymous)):
        requests = [make() for _ in range(args.count)]
        samples = []
        with CaptureQueriesContext(connection) as queries:
            for request in requests:
                t = time.perf_counter()
                middleware(request)
                samples.append((time.perf_counter() - t) * 1e6)
        per = len(queries) / args.count
        print(f"  {label:18s} {_figures(samples)}  queries/call {per:.2f}")


if __name__ == "__main__":
    main()
