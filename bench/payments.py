#!/usr/bin/env python
"""Verified IPNs per second on PostgreSQL, and double credits under duplicate senders.

The server is gunicorn with the repository's gunicorn.conf.py (one sync worker per core
plus one) on a free port; the IPNs are HTTP GETs to /thanh-toan/vnpay/ipn/ signed as the
gateway signs them (the simulator's own signing code, motcua.payments.simulator). Each
verified "paid" IPN checks the signature, locks the dossier and the payment, records the
payment and moves the dossier 6 → 4 with its event, in one transaction.

    .venv/bin/python bench/payments.py [--ipns 1000] [--clients 16] [--duplicated 60]
                                       [--senders 16] [--in-process 200]

Phase 0: `--in-process` dossiers paid one by one in this process through Django's test
client (the whole request: middleware, view, service, commit): CPU ms per IPN
(time.process_time, which a busy machine disturbs far less than wall time) and the SQL
statements of one IPN. Phase 1: `--ipns` dossiers waiting for payment, one IPN each, sent by `--clients`
concurrent clients: IPNs per second, p50 / p99 latency. Phase 2: `--duplicated` dossiers,
each IPN sent by `--senders` clients at the same moment (a barrier): the count of credits
(confirm_payment events) must equal the number of dossiers, 0 double credits.

It creates (and drops) the database `motcua_bench_payments` on the PostgreSQL given by
BENCH_PG (default postgres://postgres@127.0.0.1:5432). Goal on the 2-core machine:
≥ 300 verified IPNs/s, 0 double credits. A figure to read, not a test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "motcua_bench_payments"
TMN = "BENCHTMN"
SECRET = secrets.token_hex(32)


def psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(["psql", f"{PG}/{db}", "-qc", sql], check=True, capture_output=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def setup(count: int) -> list[tuple[int, str]]:
    """Fresh database, a small province, `count` dossiers waiting for 8.000 đồng, each with
    a pending attempt: [(dossier id, merchant reference)]."""
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    os.environ.update(
        DATABASE_URL=f"{PG}/{DB}",
        DJANGO_SETTINGS_MODULE="motcua.settings",
        MOTCUA_DEBUG="0",
        # Forms (PDFs) are queued for Celery as in production; none runs here.
        MOTCUA_TASKS_EAGER="0",
        # nothing reaches a shared Redis; with a host name kombu does not warn on each worker
        MOTCUA_BROKER_URL="memory://localhost/",
        MOTCUA_VNPAY_TMN_CODE=TMN,
        MOTCUA_VNPAY_HASH_SECRET=SECRET,
        MOTCUA_VNPAY_PAY_URL="http://127.0.0.1:9/paymentv2/vpcpay.html",
        # The security log goes to a file, as in production, not among the figures.
        MOTCUA_SECURITY_LOG=str(Path(tempfile.mkdtemp(prefix="bench-payments-")) / "security.log"),
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from motcua.dossiers.enums import Status
    from motcua.dossiers.tests.conftest import advance
    from motcua.dossiers.tests.factories import make_world
    from motcua.payments.services import payment_start

    world = make_world(limit_days=5)
    out = []
    for _ in range(count):
        d = advance(world, Status.FINANCIAL_OBLIGATION)
        started = payment_start(dossier_id=d.pk, actor=world.citizen, return_url="http://x/")
        out.append((d.pk, started.payment.reference))
    return out


def ipn_query(reference: str) -> str:
    from motcua.payments.simulator import _hmac, _signed_string

    params = {
        "vnp_Amount": "800000",
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Nop phi",
        "vnp_PayDate": time.strftime("%Y%m%d%H%M%S"),
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": TMN,
        "vnp_TransactionNo": str(secrets.randbelow(10**8)),
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": reference,
    }
    params["vnp_SecureHash"] = _hmac(SECRET, _signed_string(params))
    return "/thanh-toan/vnpay/ipn/?" + urllib.parse.urlencode(params)


def send(port: int, path: str) -> tuple[float, str]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    body = conn.getresponse().read()
    conn.close()
    return time.perf_counter() - started, json.loads(body)["RspCode"]


def cpu_seconds(server_pid: int) -> dict[str, dict[int, float]]:
    """CPU seconds so far of each gunicorn worker and of each PostgreSQL backend of the
    bench's database (not the other databases of a shared server)."""
    import psutil

    def cpu(pid: int) -> float | None:
        try:
            return float(sum(psutil.Process(pid).cpu_times()[:2]))
        except psutil.Error:
            return None

    out = subprocess.run(
        [
            "psql",
            f"{PG}/postgres",
            "-Atc",
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{DB}'",  # noqa: S608 (a constant)
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    workers = [c.pid for c in psutil.Process(server_pid).children()]
    split: dict[str, dict[int, float]] = {"server": {}, "postgres": {}}
    for kind, pids in (("server", workers), ("postgres", [int(p) for p in out])):
        for pid in pids:
            value = cpu(pid)
            if value is not None:
                split[kind][pid] = value
    return split


def phase_throughput(port: int, refs: list[str], clients: int, server_pid: int) -> None:
    paths = [ipn_query(r) for r in refs]
    lock = threading.Lock()
    latencies: list[float] = []
    codes: dict[str, int] = {}

    def worker(mine: list[str]) -> None:
        for p in mine:
            seconds, code = send(port, p)
            with lock:
                latencies.append(seconds)
                codes[code] = codes.get(code, 0) + 1

    threads = [threading.Thread(target=worker, args=(paths[i::clients],)) for i in range(clients)]
    cpu0 = cpu_seconds(server_pid)
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    cpu1 = cpu_seconds(server_pid)
    per = {
        kind: sum(v - cpu0[kind].get(pid, 0.0) for pid, v in cpu1[kind].items()) / len(paths)
        for kind in cpu1
    }
    latencies.sort()
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    load = os.getloadavg()[0]
    print(
        f"phase 1: {len(paths)} verified paid IPNs, {clients} concurrent clients, load {load:.1f}"
    )  # noqa: T201
    print(
        f"  {len(paths) / elapsed:.0f} IPNs/s; p50 {statistics.median(latencies) * 1000:.1f} ms, "  # noqa: T201
        f"p99 {p99 * 1000:.1f} ms; answers {codes}"
    )
    print(  # noqa: T201
        f"  CPU ms per IPN: gunicorn workers {per['server'] * 1000:.2f}, "
        f"PostgreSQL backends {per['postgres'] * 1000:.2f}"
    )


def phase_in_process(refs: list[str]) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    paths = [ipn_query(r) for r in refs]
    warm, probe, timed = paths[:10], paths[10], paths[11:]
    for p in warm:
        client.get(p)
    with CaptureQueriesContext(connection) as ctx:
        code = client.get(probe).json()["RspCode"]
    statements = len(ctx.captured_queries)  # now: the next request clears the log
    codes: dict[str, int] = {code: 1}
    t0 = time.process_time()
    for p in timed:
        code = client.get(p).json()["RspCode"]
        codes[code] = codes.get(code, 0) + 1
    cpu = (time.process_time() - t0) / max(len(timed), 1)
    print(f"phase 0: {len(timed)} verified paid IPNs in process, one at a time")  # noqa: T201
    print(  # noqa: T201
        f"  {cpu * 1000:.2f} ms CPU per IPN (process_time), "
        f"{statements} statements per IPN; answers {codes}"
    )


def phase_duplicates(port: int, items: list[tuple[int, str]], senders: int) -> None:
    codes: dict[str, int] = {}
    lock = threading.Lock()
    for _dossier, ref in items:
        path = ipn_query(ref)
        barrier = threading.Barrier(senders)

        def worker(path: str = path, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            _s, code = send(port, path)
            with lock:
                codes[code] = codes.get(code, 0) + 1

        threads = [threading.Thread(target=worker) for _ in range(senders)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    from django.db.models import Count

    from motcua.dossiers.models import DossierEvent
    from motcua.payments.models import Payment

    ids = [d for d, _ in items]
    per = dict(
        DossierEvent.objects.filter(dossier_id__in=ids, action="confirm_payment")
        .values_list("dossier_id")
        .annotate(n=Count("pk"))
    )
    credits = sum(per.values())
    doubles = sum(1 for n in per.values() if n > 1)
    paid = Payment.objects.filter(dossier_id__in=ids, status="paid").count()
    print(f"phase 2: {len(items)} dossiers, each IPN sent by {senders} senders at once")  # noqa: T201
    print(
        f"  credits {credits} for {len(items)} dossiers; double credits {doubles}; "  # noqa: T201
        f"paid payments {paid}; answers {codes}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ipns", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--duplicated", type=int, default=60)
    ap.add_argument("--senders", type=int, default=16)
    ap.add_argument("--in-process", type=int, default=200)
    args = ap.parse_args()
    t0 = time.perf_counter()
    warmup = 30
    inproc = args.in_process + 11 if args.in_process else 0
    items = setup(warmup + inproc + args.ipns + args.duplicated)
    print(f"setup: {len(items)} dossiers waiting for payment in {time.perf_counter() - t0:.0f} s")  # noqa: T201
    warm, items = items[:warmup], items[warmup:]
    if inproc:
        phase_in_process([r for _, r in items[:inproc]])
        items = items[inproc:]
        from django.db import connections

        connections.close_all()
    port = free_port()
    env = {**os.environ}
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "motcua.wsgi:application",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        # Warm-up: every worker imports the URLconf, connects and prepares its statements,
        # on dossiers of its own (an unknown order would be logged as the warning it is).
        for _, ref in warm:
            send(port, ipn_query(ref))
        phase_throughput(port, [r for _, r in items[: args.ipns]], args.clients, server.pid)
        phase_duplicates(port, items[args.ipns :], args.senders)
    finally:
        server.terminate()
        server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
