#!/usr/bin/env python
"""Full dossier lifecycles through the HTTP API on PostgreSQL, with concurrent clients.

Each lifecycle is six transitions: submit (multipart, one PDF) → receive → forward (counter
step → specialist) → forward (specialist → leader) → approve (result ready) → return.
Prints transitions per second, p50/p99 latency per request, peak RSS per gunicorn worker,
and pgbench's TPC-B figure on the same machine with the ratio.

    .venv/bin/python bench/lifecycle.py [--clients 16] [--seconds 30] [--workers N]
                                        [--threads 1] [--worker-class sync]
                                        [--no-pgbench] [--eager] [--worker]

The server is gunicorn with the repository's gunicorn.conf.py (one single-threaded worker
per core plus one, sync, unless the options say otherwise); forms are queued for Celery
(none runs unless --worker), as in production. The client is a minimal asyncio HTTP/1.1
client (class Http) so that the client's own CPU stays small on the machine measured.

It creates (and drops) the databases `motcua_bench` and `motcua_pgbench` on the PostgreSQL
given by BENCH_PG (default postgres://postgres@127.0.0.1:5432). Target on a 2-core machine:
≥ 400 transitions/s, p99 < 100 ms. This is a figure to read, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "motcua_bench"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(["psql", f"{PG}/{db}", "-qc", sql], check=True, capture_output=True)


def setup_world() -> dict:
    """Fresh database, migrations, a small province, tokens for each actor."""
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ["MOTCUA_DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from motcua.api.auth import token_create
    from motcua.dossiers.tests.factories import make_world

    w = make_world(limit_days=5)
    st = w.a.staff
    tokens = {
        name: token_create(user=user, name="bench")[1]
        for name, user in {
            "citizen": w.citizen,
            "counter": st["c:counter"],
            "specialist": st["s:specialist"],
            "leader": st["s:leader"],
        }.items()
    }
    return {
        "tokens": tokens,
        "procedure": w.procedure.code,
        "agency": w.a.center.code,
        "component": w.components[0].pk,
    }


def cpu_split(master_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the gunicorn workers, PostgreSQL, this client and the rest
    of the machine (the other processes), to show where a transition's CPU goes."""
    import psutil

    server = sum(
        sum(c.cpu_times()[:2]) for c in psutil.Process(master_pid).children() if c.is_running()
    )
    pg = 0.0
    for proc in psutil.process_iter(["name", "username"]):
        try:
            if proc.info["username"] == "postgres":
                pg += sum(proc.cpu_times()[:2])
        except psutil.Error:
            continue
    me = sum(psutil.Process().cpu_times()[:2])
    total = sum(psutil.cpu_times()[:3])  # user, nice, system of all cores
    return {"server": server, "postgres": pg, "client": me, "machine": total}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RssSampler(threading.Thread):
    """Peak resident memory of each gunicorn worker, sampled every 100 ms."""

    def __init__(self, master_pid: int) -> None:
        super().__init__(daemon=True)
        self.master = master_pid
        self.peak: dict[int, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        master = psutil.Process(self.master)
        while not self.stop.is_set():
            for child in master.children():
                try:
                    rss = child.memory_info().rss
                except psutil.Error:
                    continue
                self.peak[child.pid] = max(self.peak.get(child.pid, 0), rss)
            time.sleep(0.1)


class Http:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams.

    httpx costs about 1 ms of CPU per request, which on a 2-core machine is CPU taken from
    the server being measured; this client writes the request bytes and reads the
    Content-Length body, nothing more (the server answers every request with a length)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def post(self, path: str, headers: dict, body: bytes, content_type: str):
        import json

        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n{head}"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            self.writer.close()
            self.reader = self.writer = None
        return status, (json.loads(data) if data[:1] == b"{" else data)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
    boundary = "motcuabench7d3f"
    out = b""
    for k, v in fields.items():
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        ).encode()
    for k, (name, content, ctype) in files.items():
        out += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"'
                f"\r\nContent-Type: {ctype}\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


async def client_loop(base: str, world: dict, deadline: float, latencies: list, errors: list):
    host, port = base.removeprefix("http://").split(":")
    http = Http(host, int(port))
    h = {k: {"Authorization": f"Bearer {v}"} for k, v in world["tokens"].items()}
    submit_body, submit_type = multipart(
        {"procedure": world["procedure"], "receiving_agency": world["agency"]},
        {f"component_{world['component']}": ("don.pdf", PDF, "application/pdf")},
    )

    async def call(actor, path, body=b"{}", ctype="application/json"):
        t = time.perf_counter()
        status, data = await http.post(path, h[actor], body, ctype)
        latencies.append(time.perf_counter() - t)
        if status >= 300:
            errors.append((path, status, str(data)[:200]))
            return None
        return data

    while time.perf_counter() < deadline:
        d = await call("citizen", "/api/dossiers", submit_body, submit_type)
        if d is None:
            continue
        i = d["id"]
        for actor, action in (
            ("counter", "receive"),
            ("counter", "forward"),
            ("specialist", "forward"),
            ("leader", "approve"),
            ("counter", "return"),
        ):
            if await call(actor, f"/api/dossiers/{i}/{action}") is None:
                break


async def drive(base: str, world: dict, clients: int, seconds: float):
    latencies: list[float] = []
    errors: list = []
    deadline = time.perf_counter() + seconds
    t0 = time.perf_counter()
    await asyncio.gather(
        *(client_loop(base, world, deadline, latencies, errors) for _ in range(clients))
    )
    return latencies, errors, time.perf_counter() - t0


def pgbench_tps(clients: int, seconds: int) -> float | None:
    db = "motcua_pgbench"
    try:
        psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        psql(f"CREATE DATABASE {db}")
        url = f"{PG}/{db}"
        subprocess.run(["pgbench", "-i", "-q", "-s", "10", url], check=True, capture_output=True)
        out = subprocess.run(
            ["pgbench", "-c", str(clients), "-j", "2", "-T", str(seconds), url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        m = re.search(r"tps = ([\d.]+)", out)
        return float(m.group(1)) if m else None
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"pgbench unavailable: {exc}")
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=30)
    # The defaults of gunicorn.conf.py: one single-threaded worker per core, plus one.
    ap.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-pgbench", action="store_true")
    ap.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    ap.add_argument(
        "--eager",
        action="store_true",
        help="render forms in the request (demo mode) instead of queueing them for Celery",
    )
    ap.add_argument(
        "--worker",
        action="store_true",
        help="also run a Celery worker on this machine (it renders the receipts)",
    )
    args = ap.parse_args()

    world = setup_world()
    port = free_port()
    broker = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/15")
    # Messages left by an interrupted run name events of a dropped database.
    subprocess.run(["redis-cli", "-u", broker, "flushdb"], capture_output=True, check=False)
    env = dict(
        os.environ,
        MOTCUA_DEBUG="0",
        MOTCUA_CONN_MAX_AGE="600",
        MOTCUA_TASKS_EAGER="1" if args.eager else "0",
        MOTCUA_BROKER_URL=broker,
    )
    worker = None
    if args.worker and not args.eager:
        worker = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "motcua",
                "worker",
                "-c",
                "1",
                "--loglevel",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
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
            "--threads",
            str(args.threads),
            "--worker-class",
            args.worker_class,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(100):
            try:
                httpx.get(f"{base}/api/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        asyncio.run(drive(base, world, 2, 3))  # warm-up
        sampler = RssSampler(server.pid)
        sampler.start()
        cpu0 = cpu_split(server.pid)
        latencies, errors, elapsed = asyncio.run(drive(base, world, args.clients, args.seconds))
        cpu1 = cpu_split(server.pid)
        sampler.stop.set()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        # Forms queued for a worker that did not run them: drop them with the database.
        subprocess.run(["redis-cli", "-u", broker, "flushdb"], capture_output=True, check=False)

    n = len(latencies)
    ok = n - len(errors)
    lat = sorted(latencies)
    p50 = statistics.median(lat) * 1000 if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan")
    rate = ok / elapsed
    peak = max(sampler.peak.values(), default=0) / 2**20
    print(
        f"clients {args.clients}, gunicorn {args.workers} {args.worker_class} workers × {args.threads} threads, "
        f"{elapsed:.1f} s on {os.cpu_count()} cores"
    )
    print(f"transitions ok       {ok} ({len(errors)} errors)")
    print(f"transitions/s        {rate:.1f}   (target ≥ 400)")
    print(f"latency p50 / p99    {p50:.1f} ms / {p99:.1f} ms   (target p99 < 100 ms)")
    print(f"peak RSS per worker  {peak:.1f} MiB")
    if ok:
        split = ", ".join(f"{k} {(cpu1[k] - cpu0[k]) * 1000 / ok:.2f}" for k in cpu0)
        print(f"CPU ms / transition  {split}")
    if errors:
        print("first errors:", errors[:3])
    if not args.no_pgbench:
        tps = pgbench_tps(args.clients, 20)
        if tps:
            print(
                f"pgbench TPC-B tps    {tps:.1f}   ratio transitions/s ÷ TPC-B tps = {rate / tps:.3f}"
            )
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
