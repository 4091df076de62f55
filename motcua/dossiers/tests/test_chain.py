"""The hash chain of a dossier's events (dossiers.chain, docs/adr/0010): each transition
chains its event to the one before and moves the head on the dossier's row; `motcua
audit verify` finds a row altered, deleted or cut off in SQL, at that row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from motcua.core.chain import GENESIS
from motcua.dossiers import services as s
from motcua.dossiers.chain import ROW_FIELDS, dossiers_verify, event_hash
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier, DossierEvent

from .conftest import T0, advance, submit
from .factories import PDF


def _fields(e: DossierEvent) -> dict:
    return {
        "seq": e.seq,
        "action": e.action,
        "at": e.at,
        "actor": e.actor_id,
        "actor_role": e.actor_role,
        "actor_agency": e.actor_agency_id,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "reason": e.reason,
        "data": e.data,
    }


def _events(d: Dossier) -> list[DossierEvent]:
    return list(DossierEvent.objects.filter(dossier=d).order_by("seq"))


def _verify_fails(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify", *args)
    return str(caught.value)


def test_each_event_hashes_the_one_before_and_the_row_keeps_the_head(world):
    d = advance(world, Status.PROCESSING)
    events = _events(d)
    assert [e.seq for e in events] == [1, 2, 3]
    prev = GENESIS
    for e in events:  # as read back from the database
        assert len(e.hash) == 64
        assert e.hash == event_hash(prev, **_fields(e))
        prev = e.hash
    assert Dossier.objects.get(pk=d.pk).chain_head == events[-1].hash
    # Event n's hash depends on event n-1's: the same event after another one differs.
    assert event_hash(GENESIS, **_fields(events[2])) != events[2].hash
    # And on every field it records.
    assert event_hash(events[1].hash, **{**_fields(events[2]), "reason": "x"}) != events[2].hash


def test_the_first_event_of_a_submission_is_chained_with_the_row(world):
    d = submit(world)
    (e,) = _events(d)
    assert e.hash == event_hash(GENESIS, **_fields(e))
    assert Dossier.objects.get(pk=d.pk).chain_head == e.hash
    assert dossiers_verify().broken is None


@pytest.mark.parametrize("refuse", [None, "Không thuộc thẩm quyền"])
def test_intake_chains_its_two_events(world, refuse):
    d = s.dossier_intake(
        actor=world.a.staff["c:counter"],
        procedure=world.procedure,
        receiving_agency=world.a.center,
        applicant={"name": "Trần Thị Bưu", "id_number": "027190000001"},
        files={c.pk: [("giay-to.pdf", PDF)] for c in world.components} if not refuse else None,
        refuse_reason=refuse,
        at=T0,
    )
    events = _events(d)
    assert [e.action for e in events] == ["intake", "refuse" if refuse else "receive"]
    assert events[0].hash == event_hash(GENESIS, **_fields(events[0]))
    assert events[1].hash == event_hash(events[0].hash, **_fields(events[1]))
    assert Dossier.objects.get(pk=d.pk).chain_head == events[1].hash
    assert dossiers_verify().broken is None


def test_verify_passes_on_fresh_chains_and_prints_the_heads(world, capsys):
    done = advance(world, Status.RETURNED)
    advance(world, Status.SUPPLEMENT_REQUESTED, at=T0 + dt.timedelta(days=1))
    submit(world)
    result = dossiers_verify()
    assert result.broken is None
    assert result.dossiers == 3
    assert result.events == DossierEvent.objects.count()
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "dossiers_dossierevent: 3 hồ sơ" in out and "core_auditentry:" in out
    call_command("audit", "verify", "--dossier", done.code)
    out = capsys.readouterr().out
    assert f"mã băm cuối / head {Dossier.objects.get(pk=done.pk).chain_head}" in out
    assert "1 hồ sơ / dossiers" in out


def test_an_event_altered_in_sql_fails_verify_at_that_event(world):
    other = advance(world, Status.PROCESSING)
    d = advance(world, Status.PROCESSING)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE dossiers_dossierevent SET reason = %s WHERE dossier_id = %s AND seq = 2",
            ["sửa lén", d.pk],
        )
    broken = dossiers_verify().broken
    assert broken is not None
    assert broken.row == f"hồ sơ {d.code} (id={d.pk}), seq=2"
    assert "hash mismatch" in broken.problem_en
    message = _verify_fails()
    assert f"hồ sơ {d.code} (id={d.pk}), seq=2" in message and "mã băm không khớp" in message
    # The other dossier's chain is whole; --dossier checks one.
    call_command("audit", "verify", "--dossier", other.code)
    assert "seq=2" in _verify_fails("--dossier", d.code)


def test_altered_data_json_fails_verify(world):
    d = advance(world, Status.RECEIVED)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE dossiers_dossierevent SET data = %s WHERE dossier_id = %s AND seq = 1",
            ['{"files": 9}', d.pk],
        )
    broken = dossiers_verify().broken
    assert broken is not None and broken.row.endswith("seq=1")


def test_a_middle_event_deleted_in_sql_is_a_missing_link(world):
    d = advance(world, Status.PROCESSING)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM dossiers_dossierevent WHERE dossier_id = %s AND seq = 2", [d.pk])
    broken = dossiers_verify().broken
    assert broken is not None
    assert broken.row == f"hồ sơ {d.code} (id={d.pk}), seq=3"
    assert "missing link" in broken.problem_en
    assert "mắt xích bị thiếu" in _verify_fails()


def test_the_last_event_deleted_in_sql_is_a_head_mismatch(world):
    d = advance(world, Status.PROCESSING)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM dossiers_dossierevent WHERE dossier_id = %s AND seq = 3", [d.pk])
    broken = dossiers_verify().broken
    assert broken is not None
    assert broken.row == f"hồ sơ {d.code} (id={d.pk})"
    assert "head mismatch" in broken.problem_en


def test_an_event_rewritten_with_its_own_hash_breaks_the_next_link(world):
    """Someone who recomputes the altered event's hash still breaks the next event's."""
    d = advance(world, Status.PROCESSING)
    e1, e2, _e3 = _events(d)
    forged = {**_fields(e2), "reason": "sửa lén"}
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE dossiers_dossierevent SET reason = %s, hash = %s WHERE id = %s",
            ["sửa lén", event_hash(e1.hash, **forged), e2.pk],
        )
    broken = dossiers_verify().broken
    assert broken is not None and broken.row.endswith("seq=3")


def test_the_bulk_writers_rows_match_the_services(world):
    """chain_rows (the demo, the importer) gives the hashes the transitions gave."""
    from motcua.dossiers.chain import chain_rows

    d = advance(world, Status.PROCESSING)
    events = _events(d)
    rows = [tuple(_fields(e)[f] for f in ROW_FIELDS) for e in events]
    assert chain_rows(rows) == [e.hash for e in events]


def test_unknown_dossier_code_is_an_error(world):
    assert "Không có hồ sơ" in _verify_fails("--dossier", "KHONG-CO")
