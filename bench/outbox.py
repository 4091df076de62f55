#!/usr/bin/env python
"""The outbox under the lifecycle bench's load: national-portal sync messages delivered per
second and the lag from writing a message (in the transition's transaction) to the
receiver's acknowledgement, p50 / p99.

    .venv/bin/python bench/outbox.py [--clients 16] [--seconds 30] [--workers N]
                                     [--concurrency 1] [--drain-seconds 60]

bench/lifecycle.py's driver (its HTTP client, world and gunicorn) makes the transitions;
every one of them writes a national sync message (docs/integration.md). A real Celery
worker process on Redis (MOTCUA_TASKS_EAGER=0, broker BENCH_BROKER, default
redis://127.0.0.1:6379/14; a queue of its own, MOTCUA_OUTBOX_QUEUE=outbox, unless
--shared-queue) delivers them to the national portal's receiving service
(`python -m motcua.devtools.national_portal`, a process on loopback), kicked after each
commit (coalesced: no new task while one is queued and not started, the mark in Redis;
--no-coalesce queues one per commit). After the load, the bench waits until the outbox is empty (at most --drain-seconds)
and reads the figures from the outbox table:

- delivered/s during the load, and over load + drain;
- lag p50 / p99 / max (delivered_at − created_at), over all messages and over those written
  in the load's second half (the steady state);
- what the receiver accepted, dropped as repeats, refused.

Goal (issue 14): lag p99 < 5 s at 400 transitions/s. Database `motcua_bench_outbox` on
BENCH_PG (created and dropped). This is a figure to read, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import lifecycle  # noqa: E402  (bench/lifecycle.py: the driver)

lifecycle.DB = "motcua_bench_outbox"


def start_receiver():
    sys.path.insert(0, str(ROOT))
    from motcua.integration.tests.receiver import start

    return start()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    ap.add_argument("--concurrency", type=int, default=1, help="Celery worker processes")
    ap.add_argument("--drain-seconds", type=float, default=60)
    ap.add_argument(
        "--shared-queue",
        action="store_true",
        help="deliver from Celery's default queue (behind the forms) instead of a queue "
        "of its own (MOTCUA_OUTBOX_QUEUE=outbox, one more worker for the forms)",
    )
    ap.add_argument(
        "--no-coalesce",
        action="store_true",
        help="queue a delivery task after every commit (MOTCUA_OUTBOX_KICK_TTL_SECONDS=0), "
        "as before the hot-path work, instead of one until it starts",
    )
    args = ap.parse_args()

    receiver = start_receiver()
    world = lifecycle.setup_world()
    broker = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/14")
    subprocess.run(["redis-cli", "-u", broker, "flushdb"], capture_output=True, check=False)
    env = dict(
        os.environ,
        **receiver.settings(),
        MOTCUA_DEBUG="0",
        MOTCUA_CONN_MAX_AGE="600",
        MOTCUA_TASKS_EAGER="0",
        MOTCUA_BROKER_URL=broker,
        MOTCUA_OUTBOX_QUEUE="" if args.shared_queue else "outbox",
        # The "a delivery task is queued" mark, shared by the gunicorn workers (Redis).
        MOTCUA_CACHE_URL=broker,
        MOTCUA_OUTBOX_KICK_TTL_SECONDS="0" if args.no_coalesce else "10",
    )
    os.environ.update(receiver.settings())
    celery = [str(ROOT / ".venv/bin/celery"), "-A", "motcua", "worker", "--loglevel", "warning"]
    workers = [
        subprocess.Popen(
            [
                *celery,
                "-c",
                str(args.concurrency),
                *([] if args.shared_queue else ["-Q", "outbox"]),
            ],
            cwd=ROOT,
            env=env,
        )
    ]
    if not args.shared_queue:  # the forms' worker
        workers.append(subprocess.Popen([*celery, "-c", "1"], cwd=ROOT, env=env))
    port = lifecycle.free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "motcua.wsgi:application",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    from django.db import connection
    from django.db.models import F

    from motcua.integration.models import OutboxMessage

    try:
        import httpx

        for _ in range(100):
            try:
                httpx.get(f"{base}/api/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        asyncio.run(lifecycle.drive(base, world, 2, 3))  # warm-up
        OutboxMessage.objects.all().delete()
        start = time.time()
        latencies, errors, elapsed = asyncio.run(
            lifecycle.drive(base, world, args.clients, args.seconds)
        )
        end = time.time()
        deadline = time.monotonic() + args.drain_seconds
        while time.monotonic() < deadline:
            if not OutboxMessage.objects.exclude(state__in=["delivered", "dead"]).exists():
                break
            time.sleep(0.5)
        drained = time.time()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        subprocess.run(["redis-cli", "-u", broker, "flushdb"], capture_output=True, check=False)

    import datetime as dt

    t0 = dt.datetime.fromtimestamp(start, dt.UTC)
    t1 = dt.datetime.fromtimestamp(end, dt.UTC)
    half = t0 + (t1 - t0) / 2
    rows = list(
        OutboxMessage.objects.filter(state="delivered")
        .annotate(lag=F("delivered_at") - F("created_at"))
        .values_list("created_at", "delivered_at", "lag")
    )
    # Per destination: how many, the lag, and how many needed more than one attempt (a
    # retried message waits its back-off: the tail of the lag).
    per_destination = {}
    for name in OutboxMessage.objects.values_list("destination", flat=True).distinct():
        mine = OutboxMessage.objects.filter(destination=name)
        lag_d = [
            r.total_seconds()
            for r in mine.filter(state="delivered")
            .annotate(lag=F("delivered_at") - F("created_at"))
            .values_list("lag", flat=True)
        ]
        retried = mine.filter(attempts__gt=1)
        reasons = sorted({e[:80] for e in retried.values_list("last_error", flat=True) if e})
        per_destination[name] = (mine.count(), lag_d, retried.count(), reasons[:3])
    lags = [r[2].total_seconds() for r in rows]
    steady = [r[2].total_seconds() for r in rows if r[0] >= half]
    during = sum(1 for r in rows if t0 <= r[1] <= t1)
    total = OutboxMessage.objects.count()
    left = OutboxMessage.objects.exclude(state="delivered").count()
    transitions = len(latencies) - len(errors)
    stats = receiver.stats()
    receiver.stop()
    connection.close()
    print(
        f"clients {args.clients}, gunicorn {args.workers} workers, Celery {args.concurrency} "
        f"process(es), {elapsed:.1f} s load on {os.cpu_count()} cores"
    )
    print(f"transitions/s          {transitions / elapsed:.1f}   (goal 400)")
    print(f"messages written       {total}  ({left} not delivered after the drain)")
    print(f"delivered/s (load)     {during / (end - start):.1f}")
    print(
        f"delivered/s (all)      {len(rows) / (drained - start):.1f}  (drain {drained - end:.1f} s)"
    )
    print(
        f"lag p50 / p99 / max    {percentile(lags, 0.5):.2f} s / {percentile(lags, 0.99):.2f} s"
        f" / {max(lags, default=float('nan')):.2f} s   (goal p99 < 5 s)"
    )
    print(
        f"steady lag p50 / p99   {percentile(steady, 0.5):.2f} s / "
        f"{percentile(steady, 0.99):.2f} s   (messages written in the load's second half)"
    )
    print(
        f"receiver               accepted {stats['accepted']}, repeats dropped "
        f"{stats['duplicates']}, refused {stats['rejected']}"
    )
    for name, (count, lag_d, retried, reasons) in sorted(per_destination.items()):
        print(
            f"  {name:<16} {count} messages, lag p50 {percentile(lag_d, 0.5):.2f} s / p99 "
            f"{percentile(lag_d, 0.99):.2f} s; {retried} needed more than one attempt {reasons}"
        )
    if errors:
        print("first errors:", errors[:3])
    lifecycle.psql(f"DROP DATABASE IF EXISTS {lifecycle.DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
