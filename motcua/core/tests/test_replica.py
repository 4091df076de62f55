"""Reads from a real PostgreSQL streaming replica (docs/deploy.md "Read replica").

A fixture copies the test cluster with `pg_basebackup -R` once the test database
exists and starts the copy as a hot standby on a free port (`standby.py`); for this module
the standby is the database alias "replica", as MOTCUA_REPLICA_URL makes it in production,
and `motcua.core.db.ReplicaRouter` routes between the two. The tests show:

(a) which queries go where: a report, the dashboard and the public catalogue read on the
    replica (`pg_is_in_recovery()` is true there) — only the session and the user, read
    before the scope opens, come from the primary; a registration (a write) and the page
    that follows it run on the primary only; inside a scope, a write or an open
    transaction sends the reads that follow to the primary (read-your-writes);
(b) a report does not wait in the primary's lock queue (see that test's docstring for
    what exactly is and is not proven);
(c) what is written on the primary reaches the replica (its replay position reaches the
    primary's WAL position).

PostgreSQL only; on PostgreSQL a cluster that refuses replication connections makes the
fixture FAIL with the pg_hba.conf lines to add (`.ci/pg-replication` adds them).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.core.db import REPLICA, ReplicaRouter, read_alias, replica_reads
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.conftest import advance
from motcua.dossiers.tests.factories import make_world
from motcua.org.enums import AgencyKind, Role
from motcua.org.models import Agency, StaffRole
from motcua.org.tests.otp import otp_login
from motcua.reports.bieu06 import bieu06

from .standby import Standby, StandbyError, start_standby, wait_replayed

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a streaming replica needs PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
]

REPORT = "/bao-cao/bieu-06/?from=2026-03-01&to=2026-03-31"
router = ReplicaRouter()


@pytest.fixture(scope="module")
def standby(django_db_setup, django_db_blocker) -> Iterator[Standby]:
    """A hot standby of the test cluster, taken after the test database was created and
    migrated, so it holds them. Started once (only this module uses it) and stopped and
    deleted as soon as the module is done: left running, it would replay every byte of WAL
    the rest of the suite writes."""
    with django_db_blocker.unblock():
        settings = dict(connections["default"].settings_dict)
    refused = ""
    try:
        server = start_standby(settings)
    except StandbyError as exc:
        refused = str(exc)
    if refused:  # a failure, not a skip: CI must run this test (.ci/pg-replication)
        pytest.fail(f"could not start a streaming replica of the test cluster:\n{refused}", False)
    print(
        f"\nstandby on port {server.port}: ready in {server.setup_seconds:.2f}s "
        + ", ".join(f"{k} {v:.2f}s" for k, v in server.timings.items())
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def replica(standby: Standby) -> Iterator[Standby]:
    """The standby as the alias "replica" while this module runs (module scope: it must
    exist before the test's database fixture checks `databases`). A test mirror of
    "default", so the test case never flushes it (a standby is read-only)."""
    alias = copy.deepcopy(connections["default"].settings_dict)
    alias.update(HOST="127.0.0.1", PORT=str(standby.port), NAME=standby.dbname)
    alias["TEST"] = {**alias["TEST"], "MIRROR": "default"}
    configured = connections.settings.get(REPLICA)  # MOTCUA_REPLICA_URL, if set
    connections.settings[REPLICA] = alias
    yield standby
    connections[REPLICA].close()
    del connections[REPLICA]
    if configured is None:
        del connections.settings[REPLICA]
    else:
        connections.settings[REPLICA] = configured


def in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery()")
        return bool(cur.fetchone()[0])


def replayed() -> str:
    return wait_replayed(connections["default"], connections[REPLICA])


def province_monitor(world):
    center = Agency.objects.create(
        code="000.00.01.H24",
        name="Trung tâm PVHCC tỉnh",
        kind=AgencyKind.PROVINCIAL_CENTER,
        unit=world.a.center.unit.parent,
    )
    user = world.a.staff["c:monitor"]
    StaffRole.objects.create(user=user, agency=center, role=Role.MONITOR)
    return user


def both() -> tuple[CaptureQueriesContext, CaptureQueriesContext]:
    return CaptureQueriesContext(connections["default"]), CaptureQueriesContext(
        connections[REPLICA]
    )


def tables(queries: CaptureQueriesContext) -> set[str]:
    return {t for q in queries for t in re.findall(r'FROM "(\w+)"', q["sql"])}


@pytest.fixture
def world(replica):
    w = make_world()
    advance(w, Status.RETURNED)
    advance(w, Status.PROCESSING)
    return w


SIGNED_IN_OFFICER = {"django_session", "auth_user", "org_staffrole", "otp_totp_totpdevice"}


def test_report_dashboard_and_catalogue_read_on_the_replica(world):
    """(a) The pages in a `reads_from_replica` scope: every query but the session's and
    the user's runs on the replica, and the figures are the primary's."""
    monitor = province_monitor(world)
    expected = bieu06(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)).total.values
    assert expected["received"] == 2
    client = Client()
    otp_login(client, monitor)  # a write: the session, on the primary
    replayed()

    primary, standby = both()
    with primary, standby:
        r = client.get(REPORT)
    assert r.status_code == 200
    assert r.context["report"].total.values == expected
    assert "dossiers_dossier" in tables(standby)
    # Who is asking stays on the primary: the session, the user, and for an officer the
    # second factor's rule (a staff role in force, the verified device: org/otp.py).
    assert tables(primary) == SIGNED_IN_OFFICER
    assert len(primary) == len(SIGNED_IN_OFFICER)

    primary, standby = both()
    with primary, standby:
        r = client.get("/bao-cao/?from=2026-03-01&to=2026-03-31")
    assert r.status_code == 200
    assert len(standby) > 0
    assert tables(primary) == SIGNED_IN_OFFICER

    primary, standby = both()
    with primary, standby:
        r = Client().get("/thu-tuc/")
    assert r.status_code == 200
    assert world.procedure.code in r.content.decode()
    assert "catalog_procedure" in tables(standby)
    assert len(primary) == 0  # anonymous: not even a session

    # The other public pages, the open data and the public API: the replica alone.
    code = world.procedure.code
    settling = world.a.settling.code
    for url in (
        "/",
        f"/thu-tuc/{code}/",
        f"/cong-khai/{settling}/",
        "/open-data/indicators.json?from=2026-03&to=2026-03",
        "/open-data/catalog.jsonld",
        "/api/indicators?period=2026-03",
    ):
        primary, standby = both()
        with primary, standby:
            r = Client().get(url)
        assert r.status_code == 200, url
        assert len(standby) > 0, url
        assert len(primary) == 0, (url, [q["sql"] for q in primary])


def test_a_write_and_the_page_after_it_run_on_the_primary(world):
    """(a) A registration writes the account and the session; the page it leads to, the
    citizen's own dossiers, must see them: nothing of either request reads the replica."""
    client = Client()
    primary, standby = both()
    with primary, standby:
        r = client.post(
            "/dang-ky/",
            {
                "kind": "person",
                "username": "lan",
                "password": "Mat-khau-dai-2026",
                "password2": "Mat-khau-dai-2026",
                "full_name": "Trần Thị Lan",
                "personal_id": "001203009999",
            },
            follow=True,
        )
    assert r.status_code == 200
    assert r.redirect_chain == [("/ho-so/", 302)]
    assert r.context["user"].username == "lan"
    assert len(standby) == 0
    sql = [q["sql"] for q in primary]
    assert any(s.startswith('INSERT INTO "auth_user"') for s in sql)
    assert any(s.startswith('INSERT INTO "org_applicant"') for s in sql)
    assert "dossiers_dossier" in tables(primary)  # the follow-up read: my dossiers


def test_read_your_writes_inside_a_scope(world):
    """(a) In a scope, reads go to the replica until the scope writes (a nested scope is
    the same scope); sessions always read the primary; an open transaction on the primary
    keeps its reads there too; a new scope starts on the replica again."""
    unit = world.a.center.unit
    replayed()
    assert read_alias() == "default"  # no scope
    primary, standby = both()
    with primary, standby:
        with replica_reads():
            assert read_alias() == REPLICA
            assert router.db_for_read(Session) == "default"
            before = Agency.objects.count()
            with replica_reads():
                Agency.objects.create(
                    code="RYW.1", name="Mới", kind=AgencyKind.DEPARTMENT, unit=unit
                )
            assert read_alias() == "default"
            after = Agency.objects.count()
        with replica_reads(), transaction.atomic():
            assert read_alias() == "default"
            in_transaction = Agency.objects.count()
        with replica_reads():
            assert read_alias() == REPLICA
    assert after == before + 1
    assert in_transaction == after
    # The replica answered the first count only; the insert and both counts after it ran
    # on the primary, the last one in its transaction.
    assert [q["sql"].split(" ")[0] for q in standby] == ["SELECT"]
    assert [q["sql"].split(" ")[0] for q in primary] == [
        "INSERT",
        "SELECT",
        "BEGIN",
        "SELECT",
        "COMMIT",
    ]


def test_an_unreachable_replica_sends_the_reads_to_the_primary(world, caplog):
    """The standby down (here: its alias pointed at a port nobody listens on): the pages
    that read there are served from the primary, and the log says why."""
    replica = connections[REPLICA]
    port = replica.settings_dict["PORT"]
    replica.close()
    replica.settings_dict["PORT"] = str(_closed_port())
    try:
        primary = CaptureQueriesContext(connections["default"])
        with primary:
            r = Client().get("/thu-tuc/")
        assert r.status_code == 200
        assert world.procedure.code in r.content.decode()
        assert "catalog_procedure" in tables(primary)
        assert replica.connection is None
        assert [rec.getMessage() for rec in caplog.records if rec.name == "motcua.core.db"] == [
            "replica unreachable: reading from the primary"
        ]
    finally:
        replica.close()
        replica.settings_dict["PORT"] = port
    assert in_recovery(REPLICA) is True  # back


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is


def test_data_written_on_the_primary_reaches_the_replica(replica, world):
    """(c) The alias "replica" is a hot standby of the test database, and a row committed
    on the primary is there once the replica's replay position reaches the primary's WAL
    position."""
    assert in_recovery(REPLICA) is True
    assert in_recovery("default") is False
    with connections[REPLICA].cursor() as cur:
        cur.execute("SELECT current_database(), current_setting('port')::int")
        assert cur.fetchone() == (replica.dbname, replica.port)
    Agency.objects.create(
        code="REPL.1", name="Sở mới", kind=AgencyKind.DEPARTMENT, unit=world.a.center.unit
    )
    lsn = replayed()
    assert re.fullmatch(r"[0-9A-F]+/[0-9A-F]+", lsn)
    assert Agency.objects.using(REPLICA).filter(code="REPL.1").exists()
    assert Agency.objects.using(REPLICA).count() == Agency.objects.count()


def test_a_report_does_not_wait_in_the_primarys_lock_queue(world):
    """(b) What this proves, and what it does not.

    A plain SELECT waits for one lock only: ACCESS EXCLUSIVE (ALTER TABLE, TRUNCATE,
    VACUUM FULL, LOCK TABLE). The way a report gets stuck on a primary in practice is the
    lock queue: a long transaction (an export, a session left open) holds the table, a
    migration asks for ACCESS EXCLUSIVE and waits behind it, and every new reader then
    queues behind the migration. Here, with a 1 s lock_timeout on both connections:

    - on the primary, the report page times out waiting in that queue;
    - on the replica, caught up with the primary (its replay position reaches the
      primary's WAL position), the same page answers with the same figures: a lock that
      is only requested is not in the WAL, so the standby never sees it.

    The limit, shown at the end: once the primary GRANTS the ACCESS EXCLUSIVE lock, the
    lock is WAL-logged and the standby's replay holds it too, so readers there wait as
    well until the primary's transaction ends. A replica shields reports from the
    primary's lock queue, its row locks and its load, not from a granted table lock.
    """
    monitor = province_monitor(world)
    client = Client()
    otp_login(client, monitor)
    settings = connections["default"].settings_dict
    dsn = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": int(settings["PORT"] or 5432),
        "user": settings["USER"] or "postgres",
        "dbname": settings["NAME"],
    }
    long_tx = psycopg.connect(**dsn)
    migration = psycopg.connect(**dsn)
    granted, release = threading.Event(), threading.Event()
    outcome: list[BaseException | None] = []

    def migrate() -> None:
        try:
            migration.execute("LOCK TABLE dossiers_dossier IN ACCESS EXCLUSIVE MODE")
            granted.set()
            release.wait(60)
            migration.rollback()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            outcome.append(exc)

    thread = threading.Thread(target=migrate)
    for alias in ("default", REPLICA):
        with connections[alias].cursor() as cur:
            cur.execute("SET lock_timeout = '1s'")
    try:
        long_tx.execute("SELECT count(*) FROM dossiers_dossier")  # holds ACCESS SHARE
        thread.start()
        _wait_queued(migration.info.backend_pid)
        replayed()

        # The primary: the same page, read there (a transaction keeps reads on the
        # primary), waits behind the queued lock and gives up after lock_timeout.
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            client.get(REPORT)
        # The replica: no wait, the figures.
        primary, standby = both()
        with primary, standby:
            r = client.get(REPORT)
        assert r.status_code == 200
        assert r.context["report"].total.values["received"] == 2
        assert "dossiers_dossier" in tables(standby)
        assert "dossiers_dossier" not in tables(primary)
        assert _standby_locks() == 0

        # The limit: the long transaction ends, the migration is granted its lock, the
        # lock is WAL-logged and replayed: now the replica's readers wait too.
        long_tx.rollback()
        assert granted.wait(10)
        replayed()
        assert _standby_locks() == 1
        with (
            pytest.raises(OperationalError, match="lock timeout"),
            connections[REPLICA].cursor() as cur,
        ):
            cur.execute("SELECT count(*) FROM dossiers_dossier")
    finally:
        release.set()
        long_tx.rollback()
        if thread.is_alive():
            thread.join(30)
        long_tx.close()
        migration.close()
        for alias in ("default", REPLICA):
            with connections[alias].cursor() as cur:
                cur.execute("RESET lock_timeout")
    assert outcome == [None]
    replayed()
    assert _standby_locks() == 0


def _wait_queued(pid: int) -> None:
    """Until `pid` waits for ACCESS EXCLUSIVE on dossiers_dossier on the primary."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connections["default"].cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted"
                " AND mode = 'AccessExclusiveLock'"
                " AND relation = 'dossiers_dossier'::regclass",
                [pid],
            )
            if cur.fetchone()[0] == 1:
                return
        time.sleep(0.02)
    raise AssertionError("the migration's lock request never queued")


def _standby_locks() -> int:
    """ACCESS EXCLUSIVE locks on dossiers_dossier held on the standby (by WAL replay)."""
    with connections[REPLICA].cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock'"
            " AND relation = 'dossiers_dossier'::regclass AND granted"
        )
        return int(cur.fetchone()[0])
