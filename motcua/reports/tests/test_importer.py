import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from motcua.dossiers.enums import TRANSITIONS, Status
from motcua.dossiers.models import DailySequence, Dossier, DossierEvent, Pause
from motcua.dossiers.tests.factories import vn
from motcua.reports import importer
from motcua.reports.importer import COLUMNS, import_dossiers

EXAMPLE = Path(importer.__file__).parent / "fixtures" / "dossiers-example.csv"

GOOD = {
    "code": "000.A.01.H24-260304-0001",
    "procedure_code": "1.001193",
    "receiving_agency_code": "000.A.01.H24",
    "settling_agency_code": "000.A.02.H24",
    "channel": "2",
    "submitted_at": "2026-03-04T08:30:00+07:00",
    "received_at": "2026-03-04T09:00:00+07:00",
    "due_at": "2026-03-09T09:00:00+07:00",
    "finished_at": "2026-03-06T15:00:00+07:00",
    "returned_at": "2026-03-09T08:00:00+07:00",
    "status": "10",
    "supplement_requested_at": "",
    "supplement_completed_at": "",
    "fee_vnd": "8000",
    "paid_online": "1",
    "electronic_result": "1",
    "digitized": "1",
    "reused": "0",
    "rating": "1",
}


def csv_of(*rows: dict) -> bytes:
    lines = [",".join(COLUMNS)]
    for r in rows:
        lines.append(",".join(r.get(c, "") for c in COLUMNS))
    return ("\n".join(lines) + "\n").encode()


def row(n: int = 1, **over) -> dict:
    return GOOD | {"code": f"000.A.01.H24-260304-{n:04d}"} | over


def test_example_file_imports_every_row(world):
    result = import_dossiers(EXAMPLE)
    assert result.errors == []
    assert result.imported == 7
    assert result.statuses == {10: 2, 4: 1, 3: 1, 5: 1, 8: 1, 1: 1}
    assert Dossier.objects.count() == 7


def test_good_row_values(world):
    import_dossiers(csv_of(row()))
    d = Dossier.objects.get()
    assert d.code == "000.A.01.H24-260304-0001"
    assert d.status == Status.RETURNED
    assert d.procedure_version == world.version
    assert d.received_at == vn(2026, 3, 4, 9, 0)
    assert d.due_at == d.original_due_at == vn(2026, 3, 9, 9, 0)
    assert d.finished_at == vn(2026, 3, 6, 15, 0)
    assert d.returned_at == vn(2026, 3, 9, 8, 0)
    assert (d.fee_due_vnd, d.fee_paid_vnd, d.paid_online) == (8000, 8000, 1)
    assert (d.electronic_result, d.digitized, d.reused, d.rating) == (True, True, False, 1)
    assert len(d.secret) == 8
    assert d.owner_id is None
    assert d.applicant_id_number == "" and d.applicant_phone == ""
    assert d.search_key == "ho so chuyen doi tu he thong cu | 1 001193 dang ky khai sinh"
    actions = list(d.events.values_list("action", flat=True))
    # The steps the legacy data does not time are handed over at the result (replay.Life).
    assert actions == [
        "submit", "receive", "forward", "request_payment", "confirm_payment",
        "forward", "approve", "attach_result", "return_result", "rate",
    ]  # fmt: skip
    assert d.version == len(actions)
    sheet = list(d.handovers.order_by("started_at", "pk").values_list("step__order", "outcome"))
    # Reception (1 h) handed over at once: on time; appraisal (18.5 h from 04/03 09:00,
    # due 06/03 14:30) handed over at the result 15:00: late; approval at once: on time;
    # the return step (1 h from 15:00) ended when the result was collected on 09/03: late.
    assert sheet == [(1, "on_time"), (2, "late"), (3, "on_time"), (4, "late")]
    assert all(e.data["imported"] is True for e in d.events.all())


def test_supplement_moves_due_by_working_time(world):
    import_dossiers(
        csv_of(
            row(
                2,
                channel="1",
                submitted_at="2026-03-04T10:00:00+07:00",
                received_at="2026-03-04T10:00:00+07:00",
                due_at="2026-03-09T10:00:00+07:00",
                supplement_requested_at="2026-03-05T09:00:00+07:00",
                supplement_completed_at="2026-03-06T09:00:00+07:00",
                finished_at="2026-03-11T09:00:00+07:00",
                returned_at="2026-03-11T10:00:00+07:00",
                paid_online="0",
                rating="",
            )
        )
    )
    d = Dossier.objects.get()
    # One working day (7.5 h) paused: the appointment moves a working day later.
    assert d.paused_seconds == 27000
    assert d.supplement_count == 1
    # Not re-appointed: the first appointment is the appointment, moved by the pause too.
    assert d.original_due_at == vn(2026, 3, 10, 10, 0)
    assert d.due_at == vn(2026, 3, 10, 10, 0)
    assert d.events.get(action="receive").data["due_at"] == "2026-03-09T10:00:00+07:00"
    pause = Pause.objects.get(dossier=d)
    assert (pause.started_at, pause.ended_at, pause.working_seconds) == (
        vn(2026, 3, 5, 9, 0),
        vn(2026, 3, 6, 9, 0),
        27000,
    )
    ev = d.events.get(action="supplement")
    assert ev.data["due_at"] == vn(2026, 3, 10, 10, 0).isoformat()


def test_several_supplements_and_open_request(world):
    import_dossiers(
        csv_of(
            row(
                3,
                status="5",
                finished_at="",
                returned_at="",
                electronic_result="0",
                rating="",
                supplement_requested_at="2026-03-05T09:00:00+07:00;2026-03-09T09:00:00+07:00",
                supplement_completed_at="2026-03-06T09:00:00+07:00",
            )
        )
    )
    d = Dossier.objects.get()
    assert d.status == Status.SUPPLEMENT_REQUESTED
    assert d.supplement_count == 2
    assert d.paused_at == vn(2026, 3, 9, 9, 0)
    assert d.paused_seconds == 27000
    assert Pause.objects.filter(dossier=d, ended_at__isnull=True).count() == 1
    assert d.current_step is not None  # live officers can carry it on


def test_due_computed_when_missing(world):
    import_dossiers(csv_of(row(4, due_at="", status="4", finished_at="", returned_at="",
                               electronic_result="0", rating="")))  # fmt: skip
    d = Dossier.objects.get()
    # 3 working days from Wednesday 09:00 → Monday 09:00.
    assert d.due_at == vn(2026, 3, 9, 9, 0)


def test_no_due_and_no_limit_for_the_channel_is_a_row_error(world):
    """Nothing is invented: without a limit for the row's channel the row must carry due_at."""
    from motcua.catalog.models import ProcedureTimeLimit

    ProcedureTimeLimit.objects.filter(version=world.version, channel=2).delete()
    world.version.time_limits_stamp += 1
    world.version.save(update_fields=["time_limits_stamp"])
    live = {"status": "4", "finished_at": "", "returned_at": "", "electronic_result": "0"}
    result = import_dossiers(csv_of(row(1, due_at="", rating="", **live)))
    assert [(e.line, e.column, e.code) for e in result.errors] == [
        (2, "due_at", "time_limit_missing")
    ]
    assert Dossier.objects.count() == 0
    # with its due_at, or by a channel that has a limit, the row is imported
    result = import_dossiers(csv_of(row(1, rating="", **live), row(2, due_at="", channel="1",
                                                                    rating="", **live)))  # fmt: skip
    assert result.errors == [] and Dossier.objects.count() == 2


def test_events_follow_transitions(world):
    import_dossiers(EXAMPLE)
    for d in Dossier.objects.all():
        events = list(d.events.order_by("seq"))
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert events[0].from_status is None and events[0].to_status == Status.SUBMITTED
        for prev, e in zip(events, events[1:], strict=False):
            sources, target, _ = TRANSITIONS[e.action]
            assert e.from_status == prev.to_status
            assert e.from_status in sources
            assert e.to_status == (e.from_status if target is None else target)
        assert events[-1].to_status == d.status
        assert d.version == len(events)


def test_imported_events_are_chained(world):
    """The importer chains its events by the one rule (dossiers.chain): they verify, and
    an imported event altered in SQL does not."""
    from django.db import connection

    from motcua.dossiers.chain import dossiers_verify

    import_dossiers(EXAMPLE)
    result = dossiers_verify()
    assert result.broken is None, result.broken
    assert result.events == DossierEvent.objects.count() > 0
    assert not Dossier.objects.filter(chain_head="").exists()
    event = DossierEvent.objects.order_by("dossier_id", "seq").last()
    with connection.cursor() as cur:
        cur.execute("UPDATE dossiers_dossierevent SET at = at WHERE id = %s", [event.pk])
    assert dossiers_verify().broken is None  # the same values: still whole
    with connection.cursor() as cur:
        cur.execute("UPDATE dossiers_dossierevent SET to_status = 9 WHERE id = %s", [event.pk])
    broken = dossiers_verify().broken
    assert broken is not None and broken.row.endswith(f"seq={event.seq}")


def test_not_received_rows_keep_their_code(world):
    """Codes are given at submission: a dossier never received keeps its code too."""
    import_dossiers(EXAMPLE)
    refused = Dossier.objects.get(status=Status.REFUSED)
    assert refused.code == "LEGACY-2026-0004" and refused.received_at is None
    assert refused.events.get(seq=1).data["legacy_code"] == "LEGACY-2026-0004"
    # Importing the same file again: every row is a duplicate of the database.
    again = import_dossiers(EXAMPLE)
    assert again.imported == 0
    assert {e.code for e in again.errors} == {"duplicate_in_db"}
    assert len(again.errors) == 7


def test_daily_sequence_reserved_for_native_codes(world):
    import_dossiers(EXAMPLE)
    seq = {(r.agency.code, r.day): r.last for r in DailySequence.objects.all()}
    assert seq[("000.A.01.H24", dt.date(2026, 3, 4))] == 3
    assert seq[("000.A.01.H24", dt.date(2026, 3, 5))] == 2


BAD_CASES = [
    ({"procedure_code": "9.999999"}, "procedure_code", "unknown_procedure"),
    ({"receiving_agency_code": "X"}, "receiving_agency_code", "unknown_agency"),
    ({"settling_agency_code": "X"}, "settling_agency_code", "unknown_agency"),
    ({"submitted_at": "04/03/2026 08:30"}, "submitted_at", "bad_time"),
    ({"received_at": "2026-03-04T09:00:00"}, "received_at", "missing_offset"),
    ({"submitted_at": ""}, "submitted_at", "required"),
    ({"status": "11"}, "status", "bad_status"),
    ({"status": "x"}, "status", "bad_status"),
    ({"channel": "4"}, "channel", "bad_channel"),
    ({"digitized": "2"}, "digitized", "bad_digitized"),
    ({"reused": "yes"}, "reused", "bad_reused"),
    ({"electronic_result": "-1"}, "electronic_result", "bad_electronic_result"),
    ({"paid_online": "3"}, "paid_online", "bad_paid_online"),
    ({"rating": "2"}, "rating", "bad_rating"),
    ({"fee_vnd": "8000.5"}, "fee_vnd", "bad_fee_vnd"),
    ({"received_at": "2026-03-04T08:00:00+07:00"}, "received_at", "time_order"),
    ({"returned_at": "2026-03-06T14:00:00+07:00"}, "returned_at", "time_order"),
    (
        {"supplement_completed_at": "2026-03-05T09:00:00+07:00"},
        "supplement_completed_at",
        "completed_without_request",
    ),
    (
        {
            "supplement_requested_at": "2026-03-05T09:00:00+07:00",
            "supplement_completed_at": "2026-03-05T08:00:00+07:00",
        },
        "supplement_completed_at",
        "time_order",
    ),
    ({"returned_at": ""}, "returned_at", "required_for_status"),
    ({"status": "9"}, "returned_at", "forbidden_for_status"),
    ({"status": "9", "returned_at": "", "rating": ""}, "", None),  # good: control case
    ({"status": "9", "returned_at": ""}, "rating", "rating_before_return"),
    ({"code": ""}, "code", "required"),
]


@pytest.mark.parametrize(("over", "column", "code"), BAD_CASES)
def test_bad_row_named_with_line_and_column(world, over, column, code):
    data = csv_of(row(1), row(2), row(3, **over))
    result = import_dossiers(data)
    if code is None:
        assert result.errors == []
        return
    assert [(e.line, e.column, e.code) for e in result.errors] == [(4, column, code)]
    assert "Dòng 4" in str(result.errors[0])
    assert result.imported == 0
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0


def test_duplicate_code_in_file(world):
    result = import_dossiers(csv_of(row(1), row(1)))
    assert [(e.line, e.column, e.code) for e in result.errors] == [(3, "code", "duplicate_in_file")]
    assert Dossier.objects.count() == 0


def test_missing_columns(world):
    result = import_dossiers(b"code,status\nX,1\n")
    assert result.errors[0].line == 1
    assert result.errors[0].code == "missing_columns"
    assert "procedure_code" in result.errors[0].column


def test_all_errors_reported(world):
    result = import_dossiers(csv_of(row(1, status="0"), row(2), row(3, channel="9")))
    assert [(e.line, e.column) for e in result.errors] == [(2, "status"), (4, "channel")]


def test_every_bad_column_of_a_row_at_once(world, tmp_path, capsys):
    bad = row(
        2,
        settling_agency_code="X",
        channel="4",
        submitted_at="04/03/2026 08:30",
        due_at="2026-03-09T09:00:00",
        supplement_requested_at="2026-03-05T09:00:00+07:00;",
        fee_vnd="8000.5",
        reused="yes",
        rating="2",
    )
    result = import_dossiers(csv_of(row(1), bad))
    assert [(e.line, e.column, e.code) for e in result.errors] == [
        (3, "settling_agency_code", "unknown_agency"),
        (3, "channel", "bad_channel"),
        (3, "submitted_at", "bad_time"),
        (3, "due_at", "missing_offset"),
        (3, "supplement_requested_at", "required"),
        (3, "fee_vnd", "bad_fee_vnd"),
        (3, "reused", "bad_reused"),
        (3, "rating", "bad_rating"),
    ]
    assert result.bad_lines == [3] and Dossier.objects.count() == 0
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_of(row(1), bad))
    with pytest.raises(CommandError):
        call_command("import-dossiers", str(path))
    out = capsys.readouterr()
    assert out.err.splitlines()[1] == (
        "Dòng 3, cột channel: kênh '4' không hợp lệ (nhận 1, 2, 3) "
        "(channel '4' is invalid (expected 1, 2, 3))"
    )
    assert len(out.err.splitlines()) == 8
    assert "2 dòng, 1 hợp lệ, 1 lỗi (2 rows, 1 valid, 1 bad)." in out.out


def test_rules_between_columns_wait_for_every_column(world):
    """A row whose columns do not all read well is not judged on its rules (here the
    status 9 forbids returned_at): the first rule broken is reported once they do."""
    result = import_dossiers(csv_of(row(1, status="9", channel="0")))
    assert [(e.column, e.code) for e in result.errors] == [("channel", "bad_channel")]
    result = import_dossiers(csv_of(row(1, status="9")))
    assert [(e.column, e.code) for e in result.errors] == [("returned_at", "forbidden_for_status")]


def test_allow_partial_imports_good_rows(world):
    result = import_dossiers(csv_of(row(1, status="0"), row(2), row(3)), allow_partial=True)
    assert result.imported == 2
    assert [e.line for e in result.errors] == [2]
    assert set(Dossier.objects.values_list("code", flat=True)) == {
        "000.A.01.H24-260304-0002",
        "000.A.01.H24-260304-0003",
    }


def test_dry_run_writes_nothing(world):
    result = import_dossiers(EXAMPLE, dry_run=True)
    assert result.errors == [] and result.imported == 0
    assert Dossier.objects.count() == 0


def test_command(world, tmp_path, capsys):
    call_command("import-dossiers", str(EXAMPLE))
    assert Dossier.objects.count() == 7
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_of(row(20), row(21, channel="7")))
    with pytest.raises(CommandError):
        call_command("import-dossiers", str(bad))
    err = capsys.readouterr().err
    assert "Dòng 3, cột channel" in err
    assert Dossier.objects.count() == 7
    call_command("import-dossiers", str(bad), "--allow-partial")
    assert Dossier.objects.count() == 8


def test_a_financial_obligation_needs_an_amount(world):
    result = import_dossiers(
        csv_of(row(status="6", fee_vnd="0", paid_online="0", finished_at="", returned_at="",
                   electronic_result="0", rating=""))
    )  # fmt: skip
    assert [(e.line, e.column, e.code) for e in result.errors] == [
        (2, "fee_vnd", "status6_without_fee")
    ]
    assert Dossier.objects.count() == 0
