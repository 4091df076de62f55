"""Nothing half-written: a form's file and its row are stored together, and the sweep
(`documents.repair`, `motcua documents repair`) renders the forms that are missing and
removes the files that no row names."""

import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from motcua.documents import services
from motcua.documents.enums import DocumentKind
from motcua.documents.models import DossierDocument
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.factories import make_world

from .conftest import advance

TABLE = DossierDocument._meta.db_table


def form_files() -> list[str]:
    """Every file under the forms' folder, relative to MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in (root / "documents").rglob("*") if p.is_file())


def recently() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=3)


# --- faults at the database step ---------------------------------------------------------


def _trigger_sql() -> tuple[list[str], list[str]]:
    """A trigger that makes every insert of a form row fail, as a database that goes away
    mid-request does (PostgreSQL: SQLSTATE 57P01, what a server restart sends)."""
    if connection.vendor == "postgresql":
        return (
            [
                "CREATE FUNCTION motcua_fault() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'injected fault' USING ERRCODE = '57P01'; END $$",
                f'CREATE TRIGGER motcua_fault BEFORE INSERT ON "{TABLE}" '
                "FOR EACH ROW EXECUTE FUNCTION motcua_fault()",
            ],
            [
                f'DROP TRIGGER IF EXISTS motcua_fault ON "{TABLE}"',
                "DROP FUNCTION IF EXISTS motcua_fault()",
            ],
        )
    return (
        [
            f'CREATE TRIGGER motcua_fault BEFORE INSERT ON "{TABLE}" '
            "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
        ],
        ["DROP TRIGGER IF EXISTS motcua_fault"],
    )


class Trigger:
    def __enter__(self):
        create, self.drop = _trigger_sql()
        with connection.cursor() as cur:
            for sql in create:
                cur.execute(sql)

    def __exit__(self, *exc):
        with connection.cursor() as cur:
            for sql in self.drop:
                cur.execute(sql)


class ConnectionLost:
    """The database connection goes away just as the form's row is inserted: on PostgreSQL
    the server ends the backend (pg_terminate_backend from another session); on SQLite,
    whose in-memory test database would vanish with its connection, the driver's error for
    a lost connection is raised at that statement."""

    def __init__(self):
        self.fired = 0

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith(f'INSERT INTO "{TABLE}"'):
            self.fired += 1
            if connection.vendor == "postgresql":
                import psycopg

                pid = connection.connection.info.backend_pid
                params_ = connection.get_connection_params()
                params_.pop("cursor_factory", None)
                params_.pop("server_side_binding", None)
                params_.pop("prepare_threshold", None)
                with psycopg.connect(**params_, autocommit=True) as other:
                    other.execute("SELECT pg_terminate_backend(%s)", [pid])
            else:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault", [Trigger, ConnectionLost], ids=["trigger", "connection_lost"])
def test_a_database_fault_when_the_receipt_is_stored_leaves_no_file(fault):
    world = make_world()
    with fault() as injected:
        # The transition commits; its after-commit listener renders the receipt, writes
        # the file, and fails at the row.
        d = advance(world, Status.RECEIVED, at=recently())
    if injected is not None:
        assert injected.fired == 1
    assert Dossier_status(d.pk) == Status.RECEIVED
    assert DossierDocument.objects.filter(dossier=d).count() == 0
    assert form_files() == []
    # The sweep renders the missing receipt, file and row together.
    report = services.documents_repair(since=timezone.now() - dt.timedelta(days=1))
    assert (report.rendered, report.failed, report.orphans_removed) == (1, 0, 0)
    doc = DossierDocument.objects.get(dossier=d)
    assert doc.kind == DocumentKind.RECEIPT and doc.event.action == "receive"
    assert form_files() == [doc.file.name]
    with doc.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == doc.sha256


def Dossier_status(pk):  # noqa: N802
    from motcua.dossiers.models import Dossier

    return Dossier.objects.values_list("status", flat=True).get(pk=pk)


@pytest.mark.django_db(transaction=True)
def test_a_direct_store_that_fails_at_the_row_raises_and_leaves_no_file():
    world = make_world()
    d = advance(world, Status.RECEIVED, at=recently())
    event = d.events.get(action="receive")
    DossierDocument.objects.filter(dossier=d).delete()
    for path in form_files():
        os.remove(Path(settings.MEDIA_ROOT) / path)
    with Trigger(), pytest.raises(Exception, match="injected fault"):
        services.document_store(dossier=d, kind="receipt", event=event)
    assert form_files() == []
    assert DossierDocument.objects.filter(dossier=d).count() == 0


@pytest.mark.django_db(transaction=True)
def test_store_refuses_a_callers_transaction_whose_rollback_it_could_not_see():
    world = make_world()
    d = advance(world, Status.RECEIVED, at=recently())
    control = DossierDocument.objects.filter(dossier=d, kind="control_sheet")
    assert not control.exists()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.document_store(dossier=d, kind="control_sheet")
    assert not control.exists()
    assert [p for p in form_files() if "control_sheet" in p] == []


# --- the sweep ---------------------------------------------------------------------------


@pytest.fixture
def world(db):
    return make_world()


def test_the_sweep_renders_the_missing_receipt_once(world):
    d = advance(world, Status.RECEIVED, at=recently())  # after-commit listeners not run
    assert not DossierDocument.objects.filter(dossier=d).exists()
    since = timezone.now() - dt.timedelta(days=1)
    report = services.documents_repair(since=since)
    assert report == services.RepairReport(rendered=1)
    doc = DossierDocument.objects.get(dossier=d)
    assert (doc.kind, doc.event.action) == ("receipt", "receive")
    assert services.document_verify(document=doc) is True
    assert services.documents_repair(since=since) == services.RepairReport()


def test_the_sweep_renders_every_form_that_events_call_for(world):
    d = advance(world, Status.SUPPLEMENT_REQUESTED, at=recently())
    report = services.documents_repair(since=timezone.now() - dt.timedelta(days=1))
    assert report.rendered == 2
    assert sorted(DossierDocument.objects.filter(dossier=d).values_list("kind", flat=True)) == [
        "receipt",
        "supplement_request",
    ]


def test_the_sweep_leaves_events_older_than_its_window(world):
    d = advance(world, Status.RECEIVED, at=timezone.now() - dt.timedelta(days=30))
    assert services.documents_repair(since=timezone.now() - dt.timedelta(days=7)).rendered == 0
    assert not DossierDocument.objects.filter(dossier=d).exists()
    assert services.documents_repair(since=None).rendered == 1


def _age(path: str, minutes: float) -> None:
    full = Path(settings.MEDIA_ROOT) / path
    t = (timezone.now() - dt.timedelta(minutes=minutes)).timestamp()
    os.utime(full, (t, t))


def test_the_sweep_removes_orphan_files_after_the_grace_period(world, settings):
    settings.MOTCUA_DOCUMENTS_ORPHAN_GRACE_MINUTES = 60
    d = advance(world, Status.RECEIVED, at=recently())
    services.documents_repair(since=timezone.now() - dt.timedelta(days=1))
    doc = DossierDocument.objects.get(dossier=d)
    folder = Path(settings.MEDIA_ROOT) / "documents" / str(d.pk)
    (folder / "receipt-0000000000000000.pdf").write_bytes(b"%PDF-1.4 crash left me")
    (folder / "receipt-1111111111111111.pdf").write_bytes(b"%PDF-1.4 being committed")
    _age(f"documents/{d.pk}/receipt-0000000000000000.pdf", 61)
    _age(f"documents/{d.pk}/receipt-1111111111111111.pdf", 59)
    _age(doc.file.name, 600)
    report = services.documents_repair(since=timezone.now() - dt.timedelta(days=1))
    assert report == services.RepairReport(orphans_removed=1)
    assert form_files() == sorted([doc.file.name, f"documents/{d.pk}/receipt-1111111111111111.pdf"])


def test_the_sweep_writes_a_missing_file_again(world):
    d = advance(world, Status.RECEIVED, at=recently())
    services.documents_repair(since=timezone.now() - dt.timedelta(days=1))
    doc = DossierDocument.objects.get(dossier=d)
    os.remove(Path(settings.MEDIA_ROOT) / doc.file.name)
    report = services.documents_repair(since=timezone.now() - dt.timedelta(days=1))
    assert report == services.RepairReport(restored=1)
    with doc.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == doc.sha256


def test_the_command_runs_the_sweep(world, capsys):
    advance(world, Status.RECEIVED, at=recently())
    call_command("documents", "repair", "--days", "1")
    out = capsys.readouterr().out
    assert "Đã in 1 giấy tờ còn thiếu" in out and "rendered 1 missing form(s)" in out
    assert DossierDocument.objects.count() == 1
    call_command("documents", "repair", "--all", "--grace-minutes", "0")
    assert "rendered 0 missing form(s)" in capsys.readouterr().out


def test_beat_runs_the_sweep_as_a_task(world, settings):
    from motcua.celery import app
    from motcua.documents.tasks import repair

    entry = settings.CELERY_BEAT_SCHEDULE["documents-repair"]
    assert entry == {"task": "documents.repair", "schedule": 600.0}
    assert repair.name == "documents.repair" and "documents.repair" in app.tasks
    advance(world, Status.RECEIVED, at=recently())
    repair.delay()  # eager in the tests, as in the demo
    assert DossierDocument.objects.filter(kind="receipt").count() == 1


def test_asking_for_a_form_whose_file_is_gone_writes_it_again(world):
    d = advance(world, Status.RECEIVED, at=recently())
    event = d.events.get(action="receive")
    doc = services.document_get_or_render(dossier=d, kind="receipt", event=event)
    os.remove(Path(settings.MEDIA_ROOT) / doc.file.name)
    again = services.document_get_or_render(dossier=d, kind="receipt", event=event)
    assert (again.pk, again.file.name) == (doc.pk, doc.file.name)
    with again.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == doc.sha256
