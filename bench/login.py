#!/usr/bin/env python
"""Login throttling (django-axes): what it refuses and what it costs. A figure to read,
not a test.

1. The probe's attack, repeated through real requests in process: 30 wrong passwords then
   the right one, on the portal login, the admin login and POST /api/auth/token; prints
   each one's answer to the right password and how many log lines the failures wrote.
2. The cost axes adds to one login (POST /api/auth/token with the right password and a
   recovery code as the staff account's second factor, and with a wrong password), axes on vs off (AXES_ENABLED): microseconds per login (p50 / mean)
   and database queries per login. Passwords are hashed with MD5 here so that the hash
   (hundreds of ms with PBKDF2/Argon2) does not hide the figure.
3. The cost on a request that is not a login (AxesMiddleware only): GET `/tra-cuu/`,
   axes on vs off.

    .venv/bin/python bench/login.py [--count 300]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=300)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="motcua-bench-login-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["MOTCUA_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    # The test client's host: outside pytest nothing adds it, and every request was a 400.
    os.environ.setdefault("MOTCUA_ALLOWED_HOSTS", "testserver")
    os.environ["MOTCUA_SECURITY_LOG"] = f"{tmp}/security.log"  # written, not printed
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 401s and 429s
    logging.getLogger("axes").handlers.clear()
    logging.getLogger("axes").propagate = False  # counted below, not printed
    counter = _Count()
    logging.getLogger("axes").addHandler(counter)
    canbo = get_user_model().objects.create_user(
        "canbo", password="dung-mat-khau", is_staff=True, is_superuser=True
    )
    # A staff account gives its second factor with the token request (motcua.org.otp): an
    # enrolled authenticator, and enough one-time recovery codes for every login below.
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=canbo, name="bench", confirmed=True)
    codes = StaticDevice.objects.create(user=canbo, name="bench", confirmed=True)
    StaticToken.objects.bulk_create(
        StaticToken(device=codes, token=f"r{n:07d}") for n in range(4 * args.count + 100)
    )
    handed = iter(range(4 * args.count + 100))

    def otp() -> str:
        return f"r{next(handed):07d}"

    print("1. 30 wrong passwords, then the right one")
    entries = (
        ("portal /dang-nhap/", "/dang-nhap/", False),
        ("admin /admin/login/", "/admin/login/", False),
        ("api /api/auth/token", "/api/auth/token", True),
    )
    for label, path, as_json in entries:
        AccessAttempt.objects.all().delete()
        counter.lines.clear()
        client = Client()

        def post(password: str, path: str = path, as_json: bool = as_json, client=client):
            data = {"username": "canbo", "password": password}
            if as_json:
                data["otp"] = otp()
                return client.post(path, data, content_type="application/json")
            return client.post(path, data)

        statuses = [post(f"sai-{i}").status_code for i in range(30)]
        right = post("dung-mat-khau").status_code
        failures = sum("login failure by" in line for line in counter.lines)
        print(
            f"   {label:22s} wrong: {statuses.count(429)} of 30 answered 429 "
            f"(locked after {settings.AXES_FAILURE_LIMIT}); right password: {right} "
            f"({'LOGGED IN' if right in (201, 302) else 'refused'}); log lines: {failures} failures, "
            f"{sum('Locking out' in line for line in counter.lines)} lockouts"
        )
    AccessAttempt.objects.all().delete()

    print(f"2. cost per login (POST /api/auth/token, {args.count} each, MD5 hashes)")
    client = Client()
    for enabled in (False, True):
        for label, password in (("right", "dung-mat-khau"), ("wrong", "sai")):
            with override_settings(AXES_ENABLED=enabled, AXES_FAILURE_LIMIT=10**9):
                times = []
                with CaptureQueriesContext(connection) as queries:
                    for _ in range(args.count):
                        t = time.perf_counter()
                        client.post(
                            "/api/auth/token",
                            {"username": "canbo", "password": password, "otp": otp()},
                            content_type="application/json",
                        )
                        times.append((time.perf_counter() - t) * 1e6)
                AccessAttempt.objects.all().delete()
            times.sort()
            print(
                f"   axes {'on ' if enabled else 'off'} {label:5s} p50 "
                f"{times[len(times) // 2]:8.1f} µs  mean {statistics.fmean(times):8.1f} µs  "
                f"queries/login {len(queries) / args.count:.1f}"
            )

    print(f"3. a request that is not a login (GET /tra-cuu/, {args.count} each)")
    for enabled in (False, True):
        with override_settings(AXES_ENABLED=enabled):
            times = []
            for _ in range(args.count):
                t = time.perf_counter()
                client.get("/tra-cuu/")
                times.append((time.perf_counter() - t) * 1e6)
        times.sort()
        print(
            f"   axes {'on ' if enabled else 'off'} p50 {times[len(times) // 2]:8.1f} µs  "
            f"mean {statistics.fmean(times):8.1f} µs"
        )


if __name__ == "__main__":
    main()
