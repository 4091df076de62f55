"""A real PostgreSQL hot standby of the test cluster, for the read-replica test.

`start_standby` copies the running cluster with `pg_basebackup -R` (which writes
`standby.signal` and `primary_conninfo`) into a temporary directory and starts it with
`pg_ctl` on a free port: a streaming replica, the same as in production (docs/deploy.md
"Read replica"), only with `trust` authentication and no fsync.

The cluster must accept replication connections from this machine: pg_hba.conf needs
`host replication all 127.0.0.1/32 trust` (the database `all` does not match them).
`.ci/pg-replication` adds it; when it is missing the test fails and says so.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

HBA_HINT = (
    "PostgreSQL refuses replication connections from this machine. Add to pg_hba.conf\n"
    "    local   replication  all                 trust\n"
    "    host    replication  all  127.0.0.1/32   trust\n"
    "and reload (SELECT pg_reload_conf()): `.ci/pg-replication` does both, as root."
)
# Settings a hot standby must have at least as high as its primary.
MATCH_PRIMARY = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class StandbyError(RuntimeError):
    """The standby could not be made or started; the message says why and what to do."""


@dataclass
class Standby:
    port: int
    dbname: str
    root: Path
    bindir: Path
    as_postgres: bool
    setup_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} dbname={self.dbname} user=postgres"

    def stop(self) -> None:
        _run(
            self,
            [str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"],
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _conninfo(settings: dict[str, Any], dbname: str | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "host": settings.get("HOST") or "127.0.0.1",
        "port": int(settings.get("PORT") or 5432),
        "user": settings.get("USER") or "postgres",
        "dbname": dbname or settings["NAME"],
    }
    if settings.get("PASSWORD"):
        info["password"] = settings["PASSWORD"]
    return info


def _bindir(server_version_num: int) -> Path:
    """The server binaries of the primary's major version (Debian keeps them off PATH)."""
    if os.environ.get("MOTCUA_PG_BINDIR"):
        return Path(os.environ["MOTCUA_PG_BINDIR"])
    debian = Path(f"/usr/lib/postgresql/{server_version_num // 10000}/bin")
    if (debian / "pg_ctl").exists():
        return debian
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise StandbyError(f"pg_ctl not found (looked in {debian} and PATH); set MOTCUA_PG_BINDIR")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run(
    standby: Standby, argv: list[str], *, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a server tool as the `postgres` user (the server refuses to run as root)."""
    if standby.as_postgres:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    done = subprocess.run(
        argv,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=str(standby.root),
        timeout=600,
    )
    if check and done.returncode != 0:
        raise StandbyError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return done


def start_standby(settings: dict[str, Any]) -> Standby:
    """Copy the cluster holding the database of `settings` (a Django settings_dict) and
    start the copy as a hot standby streaming from it. The caller stops it."""
    started = time.monotonic()
    primary = _conninfo(settings)
    with psycopg.connect(**primary, autocommit=True) as conn:
        version = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
        limits = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in MATCH_PRIMARY
        }
    as_postgres = os.geteuid() == 0
    # As root the server runs as `postgres`, which must reach the directory: not under a
    # private TMPDIR.
    root = Path(tempfile.mkdtemp(prefix="motcua-standby-", dir="/tmp" if as_postgres else None))
    if as_postgres:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    root.chmod(0o700)
    standby = Standby(
        port=_free_port(),
        dbname=primary["dbname"],
        root=root,
        bindir=_bindir(version),
        as_postgres=as_postgres,
    )
    data = root / "data"
    try:
        t = time.monotonic()
        # --checkpoint=fast: the copy starts at once instead of after a spread checkpoint.
        done = _run(
            standby,
            [
                str(standby.bindir / "pg_basebackup"),
                f"--host={primary['host']}",
                f"--port={primary['port']}",
                f"--username={primary['user']}",
                f"--pgdata={data}",
                "--write-recovery-conf",
                "--wal-method=stream",
                "--checkpoint=fast",
                "--no-sync",
                "--no-password",
            ],
            check=False,
            env={"PGPASSWORD": primary["password"]} if "password" in primary else None,
        )
        if done.returncode != 0:
            hint = HBA_HINT if "replication" in done.stderr else ""
            raise StandbyError(f"pg_basebackup failed:\n{done.stderr}\n{hint}")
        standby.timings["basebackup"] = time.monotonic() - t
        # Debian keeps postgresql.conf and pg_hba.conf under /etc: the copy has none.
        config = [
            f"port = {standby.port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{root}'",
            "hot_standby = on",
            "fsync = off",
            "shared_buffers = 32MB",
            *(f"{name} = {value}" for name, value in limits.items()),
        ]
        (data / "postgresql.conf").write_text("\n".join(config) + "\n")
        (data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n"
            "host replication all 127.0.0.1/32 trust\n"
        )
        (data / "pg_ident.conf").write_text("")
        if as_postgres:
            for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
                os.chown(data / name, pw.pw_uid, pw.pw_gid)
        t = time.monotonic()
        _run(
            standby,
            [
                str(standby.bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                f"-p {standby.port} -c hot_standby=on",
                "-l",
                str(root / "standby.log"),
                "-w",
                "-t",
                "120",
                "start",
            ],
        )
        _wait_streaming(standby)
        standby.timings["start"] = time.monotonic() - t
    except BaseException as exc:
        log = root / "standby.log"
        tail = log.read_text()[-2000:] if log.exists() else ""
        standby.stop()
        if isinstance(exc, StandbyError) and tail:
            raise StandbyError(f"{exc}\n--- standby.log ---\n{tail}") from exc
        raise
    standby.setup_seconds = time.monotonic() - started
    return standby


def _wait_streaming(standby: Standby, timeout: float = 60.0) -> None:
    """Until the copy accepts connections, is in recovery and receives WAL by streaming."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(standby.dsn(), autocommit=True, connect_timeout=2) as conn:
                in_recovery = conn.execute("SELECT pg_is_in_recovery()").fetchone()
                status = conn.execute("SELECT status FROM pg_stat_wal_receiver").fetchone()
                if in_recovery and in_recovery[0] and status and status[0] == "streaming":
                    return
                last = f"in recovery: {in_recovery}, WAL receiver: {status}"
        except psycopg.OperationalError as exc:
            last = str(exc)
        time.sleep(0.1)
    raise StandbyError(f"the standby on port {standby.port} is not streaming: {last}")


def wait_replayed(primary: Any, replica: Any, timeout: float = 30.0) -> str:
    """Wait until the replica has replayed everything the primary has written to its WAL
    so far (the replay position reaches the primary's insert position). `primary` and
    `replica` are Django connections in autocommit; returns the LSN waited for."""
    with primary.cursor() as cur:
        # WAL reaches the standby once flushed; a record that commits nothing (a table
        # lock) may sit in the WAL buffers for seconds. A transaction with an id commits
        # and flushes everything before it.
        cur.execute("SELECT pg_current_xact_id()")
        cur.execute("SELECT pg_current_wal_insert_lsn()::text")
        lsn: str = cur.fetchone()[0]
    deadline = time.monotonic() + timeout
    while True:
        with replica.cursor() as cur:
            cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cur.fetchone()[0]:
                return lsn
        if time.monotonic() > deadline:
            raise AssertionError(f"the replica has not replayed up to {lsn} in {timeout}s")
        time.sleep(0.02)
