#!/usr/bin/env python
"""Cost of authenticating an API request whose token this process already checked: the
hot path of every API call. Per process (no MOTCUA_CACHE_URL) it is a dictionary lookup;
with a shared cache (Redis) it adds one round trip reading the token's versions, which make
a revocation in one server process reach all of them at once (motcua/api/auth.py). Prints
microseconds per call (p50 / p99 / mean) for both, and the database queries per call
(0 expected). A figure to read, not a test.

    .venv/bin/python bench/auth.py [--count 5000] [--redis redis://127.0.0.1:6379/11]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="motcua-bench-auth-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["MOTCUA_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext, override_settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from motcua.api.auth import TokenAuth, TokenCache, token_create
    from motcua.dossiers.tests.factories import make_world

    world = make_world()
    _t, plaintext = token_create(user=world.citizen)
    request = RequestFactory().get("/api/dossiers/mine", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    prefix = f"motcua-bench-{uuid.uuid4().hex[:8]}"
    shared = {
        "MOTCUA_CACHE_URL": args.redis,
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": args.redis,
                "KEY_PREFIX": prefix,
            }
        },
    }
    for label, overrides in (("per process", {}), ("shared (Redis)", shared)):
        with override_settings(**overrides):
            auth = TokenAuth(cache=TokenCache())
            auth(request)  # first sight: the database
            times = []
            with CaptureQueriesContext(connection) as queries:
                for _ in range(args.count):
                    t = time.perf_counter()
                    auth(request)
                    times.append((time.perf_counter() - t) * 1e6)
            times.sort()
            print(
                f"{label:15s} p50 {times[len(times) // 2]:7.1f} µs  "
                f"p99 {times[int(len(times) * 0.99)]:7.1f} µs  "
                f"mean {statistics.fmean(times):7.1f} µs  "
                f"queries/call {len(queries) / args.count:.2f}"
            )


if __name__ == "__main__":
    main()
