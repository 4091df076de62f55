"""The audit trail's hash chain (core.audit, docs/adr/0010): every entry links to the one
before it; verify finds an entry altered or deleted in SQL at that entry; concurrent
writers never fork the chain (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from motcua.core.audit import audit_verify, entry_hash, record
from motcua.core.chain import GENESIS
from motcua.core.models import AuditEntry
from motcua.org.tests.factories import AgencyFactory

SQLITE_TRIGGER = """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only (UPDATE)'); END;"""


def _entries(n: int) -> list[AuditEntry]:
    agency = AgencyFactory()
    out = []
    for i in range(n):
        entry = record(
            actor=None,
            action="changed",
            operation="agency_change",
            obj=agency,
            before={"name": f"Sở {i}"},
            after={"name": f"Sở {i + 1}", "hours": 7.5},
            reason="Quyết định 12/QĐ-UBND",
        )
        assert entry is not None
        out.append(entry)
    return out


def _as_admin(sql: str, params: list) -> None:
    """What someone with the database's owner rights can do: lift the append-only
    trigger, change the rows, put it back."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks
            cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
            cur.execute(sql, params)
            cur.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
        else:
            cur.execute("DROP TRIGGER core_auditentry_no_update")
            cur.execute(sql, params)
            cur.execute(SQLITE_TRIGGER)


@pytest.mark.django_db
def test_each_entry_links_to_the_one_before():
    entries = _entries(3)
    stored = list(AuditEntry.objects.order_by("id"))
    assert stored[0].prev_hash == GENESIS
    for before, entry in zip([None, *stored], stored, strict=False):
        if before is not None:
            assert entry.prev_hash == before.hash
        assert entry.hash == entry_hash(entry.prev_hash, entry)  # as read back
    assert [e.hash for e in entries] == [e.hash for e in stored]
    count, head, broken = audit_verify()
    assert (count, head, broken) == (3, stored[-1].hash, None)


@pytest.mark.django_db
def test_an_altered_after_json_fails_verify_at_that_entry(capsys):
    entries = _entries(3)
    call_command("audit", "verify")
    assert f"core_auditentry: 3 bản ghi / entries, mã băm cuối / head {entries[-1].hash}" in (
        capsys.readouterr().out
    )
    _as_admin(
        "UPDATE core_auditentry SET after = %s WHERE id = %s",
        ['{"name": "Sở khác", "hours": 7.5}', entries[1].pk],
    )
    _count, _head, broken = audit_verify()
    assert broken is not None
    assert (broken.table, broken.row) == ("core_auditentry", f"id={entries[1].pk}")
    assert "hash mismatch" in broken.problem_en
    with pytest.raises(CommandError, match=f"core_auditentry id={entries[1].pk}"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_a_deleted_entry_is_a_missing_link_at_the_next():
    entries = _entries(3)
    _as_admin("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    _count, _head, broken = audit_verify()
    assert broken is not None
    assert broken.row == f"id={entries[2].pk}"
    assert "missing link" in broken.problem_en


@pytest.mark.django_db
def test_a_rewritten_hash_still_breaks_the_next_link():
    entries = _entries(3)
    _as_admin(
        "UPDATE core_auditentry SET reason = 'x', hash = %s WHERE id = %s",
        ["f" * 64, entries[0].pk],
    )
    _count, _head, broken = audit_verify()
    assert broken is not None and broken.row == f"id={entries[0].pk}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL connections")
def test_concurrent_writers_do_not_fork_the_chain():
    agencies = [AgencyFactory() for _ in range(4)]
    barrier = threading.Barrier(len(agencies))
    errors: list[BaseException] = []

    def writer(agency):
        try:
            barrier.wait()
            for i in range(10):
                with transaction.atomic():
                    record(
                        actor=None,
                        action="changed",
                        operation="agency_change",
                        obj=agency,
                        before={"n": i},
                        after={"n": i + 1},
                    )
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(a,)) for a in agencies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    count, _head, broken = audit_verify()
    assert (count, broken) == (40, None)
    prevs = list(AuditEntry.objects.values_list("prev_hash", flat=True))
    assert len(set(prevs)) == 40  # no two entries follow the same one
