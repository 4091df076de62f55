import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.models import Dossier
from motcua.org.enums import AgencyKind
from motcua.org.models import Agency
from motcua.reports import exports
from motcua.reports.bieu06 import KEYS, TITLE, bieu06, check_identities

from .helpers import load, t

MARCH = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}


def dept(world):
    return Agency.objects.create(
        code="000.00.11.H24",
        name="Sở Tư pháp",
        kind=AgencyKind.DEPARTMENT,
        unit=world.a.center.unit.parent,
    )


def hand_built(world):
    dept(world)
    rows = [
        # 1 settled before the period: not in the report
        dict(submitted_at=t("2026-02-20"), received_at=t("2026-02-20"), due_at=t("2026-02-25"),
             finished_at=t("2026-02-24"), status=9),
        # 2 carried over, settled late
        dict(submitted_at=t("2026-02-25"), received_at=t("2026-02-25"), due_at=t("2026-03-02"),
             finished_at=t("2026-03-03"), status=9),
        # 3 carried over, still open, overdue
        dict(submitted_at=t("2026-02-26"), received_at=t("2026-02-26"), due_at=t("2026-03-03"),
             status=4),
        # 4 new online, early
        dict(channel=2, submitted_at=t("2026-03-04", "08:30"), received_at=t("2026-03-04"),
             due_at=t("2026-03-09"), finished_at=t("2026-03-06"), returned_at=t("2026-03-09", "08:00"),
             status=10),
        # 5 new counter, on time (the due day)
        dict(submitted_at=t("2026-03-04", "10:00"), received_at=t("2026-03-04", "10:00"),
             due_at=t("2026-03-09", "10:00"), finished_at=t("2026-03-09"), status=9),
        # 6 new by post, open, in time
        dict(channel=3, submitted_at=t("2026-03-30"), received_at=t("2026-03-30"),
             due_at=t("2026-04-02"), status=4),
        # 7 stopped after a withdrawal: settled (default), early
        dict(submitted_at=t("2026-03-10"), received_at=t("2026-03-10"), due_at=t("2026-03-13"),
             finished_at=t("2026-03-12", "10:00"), status=8),
        # 8 refused at receipt: excluded (default)
        dict(channel=2, submitted_at=t("2026-03-05"), finished_at=t("2026-03-05", "10:00"), status=3),
        # 9 received after the period
        dict(submitted_at=t("2026-04-02"), received_at=t("2026-04-02"), due_at=t("2026-04-07"),
             status=4),
        # 10 finished after the period: pending at its end, overdue
        dict(channel=2, submitted_at=t("2026-03-20"), received_at=t("2026-03-20"),
             due_at=t("2026-03-25"), finished_at=t("2026-04-03", "10:00"),
             returned_at=t("2026-04-03", "11:00"), status=10),
        # 11 waiting for a supplement asked before the deadline: in time
        dict(submitted_at=t("2026-03-23"), received_at=t("2026-03-23"), due_at=t("2026-03-26"),
             supplement_requested_at=t("2026-03-25"), status=5),
        # 12 overdue at the period end; a later pause moved the appointment, not the past
        dict(submitted_at=t("2026-03-24"), received_at=t("2026-03-24"), due_at=t("2026-03-27"),
             supplement_requested_at=t("2026-04-01"), supplement_completed_at=t("2026-04-10"),
             status=4),
        # 13 province level (a department), online, early
        dict(channel=2, settling_agency_code="000.00.11.H24", submitted_at=t("2026-03-05"),
             received_at=t("2026-03-05"), due_at=t("2026-03-10"), finished_at=t("2026-03-06"),
             status=9),
    ]  # fmt: skip
    load(rows)


def figures(row) -> dict:
    return {k: v for k, v in row.values.items() if v}


def test_hand_built_exact_numbers(world):
    hand_built(world)
    assert Dossier.objects.get(code="T-00012").due_at > dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    r = bieu06(**MARCH)
    labels = [(row.kind, row.number, row.label) for row in r.rows]
    assert labels == [
        ("level", "I", "Cấp tỉnh (Sở, ban, ngành)"),
        ("field", "1", "Hộ tịch"),
        ("level", "II", "Cấp xã"),
        ("field", "1", "Hộ tịch"),
    ]
    province, commune = r.rows[0], r.rows[2]
    assert figures(province) == {"received": 1, "online": 1, "settled": 1, "early": 1}
    assert figures(commune) == {
        "received": 9,
        "online": 2,
        "counter_post": 5,
        "carried_over": 2,
        "settled": 4,
        "early": 2,
        "on_time": 1,
        "late": 1,
        "pending": 5,
        "pending_in_time": 2,
        "pending_overdue": 3,
    }
    assert r.rows[3].values == commune.values
    assert r.total.as_list() == [10, 3, 5, 2, 5, 3, 1, 1, 5, 2, 3]
    assert check_identities(r) == []


def test_agency_scope(world):
    hand_built(world)
    r = bieu06(**MARCH, agency=world.a.settling)
    assert r.total.as_list() == [9, 2, 5, 2, 4, 2, 1, 1, 5, 2, 3]
    assert r.rows[0].as_list() == [0] * 11  # no province-level dossiers in this scope
    assert r.scope_code == "000.A.02.H24"


def test_stopped_excluded_setting(world, settings):
    hand_built(world)
    settings.MOTCUA_BIEU06_STOPPED = "exclude"
    r = bieu06(**MARCH)
    assert r.total.as_list() == [9, 3, 4, 2, 4, 2, 1, 1, 5, 2, 3]
    assert check_identities(r) == []


def test_refused_settled_setting(world, settings):
    hand_built(world)
    settings.MOTCUA_BIEU06_REFUSED = "settled"
    r = bieu06(**MARCH)
    assert r.total.as_list() == [11, 4, 5, 2, 6, 3, 2, 1, 5, 2, 3]
    assert check_identities(r) == []


def test_previous_pending_is_next_carried_over(world):
    hand_built(world)
    feb = bieu06(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28))
    assert feb.total.values["pending"] == bieu06(**MARCH).total.values["carried_over"] == 2


def test_native_dossier_counts(world):
    """A dossier made through the services lands in the same columns."""
    from motcua.dossiers.tests.conftest import advance

    advance(world, 10)  # received and returned on 04/03/2026, early
    advance(world, 4)  # open, in time at the end of March? due 09/03: overdue
    r = bieu06(**MARCH)
    assert r.total.as_list() == [2, 2, 0, 0, 1, 1, 0, 0, 1, 0, 1]


# ------------------------------------------------------------------------- property


STATUS_SHAPES = ("submitted", "refused", "open", "supp_open", "done", "returned", "stopped")


@st.composite
def dossier_rows(draw):
    shape = draw(st.sampled_from(STATUS_SHAPES))
    base = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    sub = base + dt.timedelta(hours=draw(st.integers(0, 24 * 150)))
    row = {"channel": draw(st.sampled_from([1, 2, 3])), "submitted_at": sub.isoformat()}

    def later(moment, max_hours):
        return moment + dt.timedelta(minutes=draw(st.integers(1, max_hours * 60)))

    if shape == "submitted":
        return row | {"status": 1}
    if shape == "refused":
        return row | {"status": 3, "finished_at": later(sub, 48).isoformat()}
    rec = later(sub, 24)
    row |= {"received_at": rec.isoformat(), "due_at": later(rec, 24 * 12).isoformat()}
    last = rec
    asks, backs = [], []
    for _ in range(draw(st.integers(0, 2))):
        ask = later(last, 24 * 6)
        back = later(ask, 24 * 6)
        asks.append(ask.isoformat())
        backs.append(back.isoformat())
        last = back
    if shape == "supp_open":
        asks.append(later(last, 24 * 6).isoformat())
        return row | {
            "status": 5,
            "supplement_requested_at": ";".join(asks),
            "supplement_completed_at": ";".join(backs),
        }
    row |= {"supplement_requested_at": ";".join(asks), "supplement_completed_at": ";".join(backs)}
    if shape == "open":
        return row | {"status": 4}
    fin = later(last, 24 * 20)
    if shape == "stopped":
        return row | {"status": 8, "finished_at": fin.isoformat()}
    if shape == "done":
        return row | {"status": 9, "finished_at": fin.isoformat()}
    return row | {
        "status": 10,
        "finished_at": fin.isoformat(),
        "returned_at": later(fin, 24 * 5).isoformat(),
    }


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(dossier_rows(), min_size=1, max_size=12),
    start=st.dates(dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    days=st.integers(0, 60),
    stopped=st.sampled_from(["settled", "exclude"]),
    refused=st.sampled_from(["exclude", "settled"]),
)
def test_identities_hold_for_random_dossiers(world, rows, start, days, stopped, refused):
    from django.conf import settings as dj

    with transaction.atomic():
        load(rows)
        dj.MOTCUA_BIEU06_STOPPED, dj.MOTCUA_BIEU06_REFUSED = stopped, refused
        try:
            end = start + dt.timedelta(days=days)
            r = bieu06(date_from=start, date_to=end)
            assert check_identities(r) == []
            # Continuity: what is pending at the end of one period is carried into the next.
            nxt = bieu06(date_from=end + dt.timedelta(days=1), date_to=end + dt.timedelta(days=9))
            assert check_identities(nxt) == []
            if stopped == "settled":
                assert r.total.values["pending"] == nxt.total.values["carried_over"]
            # Independent count of what was received in the period.
            s, e = (dt.datetime.combine(d, dt.time(0), tzinfo=dt.timezone(dt.timedelta(hours=7)))
                    for d in (start, end + dt.timedelta(days=1)))  # fmt: skip
            new = Dossier.objects.filter(received_at__gte=s, received_at__lt=e)
            if stopped == "exclude":
                new = new.exclude(finished_at__isnull=True, stopped_at__lt=e)
            v = r.total.values
            expected_new = new.count()
            if refused == "settled":
                expected_new += Dossier.objects.filter(
                    status=3, finished_at__gte=s, finished_at__lt=e
                ).count()
            assert v["online"] + v["counter_post"] == expected_new
        finally:
            del dj.MOTCUA_BIEU06_STOPPED, dj.MOTCUA_BIEU06_REFUSED
            transaction.set_rollback(True)


# ------------------------------------------------------------------------- exports


def test_xlsx_has_the_official_header(world):
    hand_built(world)
    from openpyxl import load_workbook

    data = exports.to_xlsx(bieu06(**MARCH))
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == TITLE
    assert "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT" in ws["A2"].value
    assert ws["C6"].value == "Số hồ sơ nhận giải quyết"
    assert ws["G6"].value == "Số hồ sơ đã giải quyết"
    assert ws["K6"].value == "Số hồ sơ đang giải quyết"
    assert ws["F8"].value == "Từ kỳ trước"
    assert [ws.cell(9, c).value for c in range(1, 14)] == ["A", "B"] + [
        f"({i})" for i in range(1, 12)
    ]
    assert "C6:F6" in {str(m) for m in ws.merged_cells.ranges}
    assert ws["B10"].value == "Tổng cộng"
    assert [ws.cell(10, c).value for c in range(3, 14)] == [10, 3, 5, 2, 5, 3, 1, 1, 5, 2, 3]
    assert ws["C10"].border.left.style == "thin"


def test_csv_has_bom_and_figures(world):
    hand_built(world)
    data = exports.to_csv(bieu06(**MARCH))
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(TITLE)
    assert lines[5] == ",Tổng cộng,10,3,5,2,5,3,1,1,5,2,3"
    header = next(csv.reader([lines[3]]))
    assert len(header) == len(KEYS) + 2
    assert header[1] == "Lĩnh vực, công việc giải quyết theo cấp"


def test_pdf_has_title(world):
    hand_built(world)
    from pypdf import PdfReader

    data = exports.to_pdf(bieu06(**MARCH))
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    text = reader.pages[0].extract_text()
    assert TITLE in text
    assert "Tổng cộng" in text


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_report_command(world, tmp_path, fmt):
    hand_built(world)
    out = tmp_path / f"b.{fmt}"
    call_command(
        "report", "bieu06", "--from", "2026-03-01", "--to", "2026-03-31",
        "--agency", "000.A.02.H24", "--format", fmt, "--out", str(out),
    )  # fmt: skip
    assert out.stat().st_size > 100


def test_more_supplements_than_allowed_is_late(world, settings):
    """Same rule as the indicators (§1.5): more than one supplement request is overdue."""
    load(
        [
            dict(submitted_at=t("2026-03-02"), received_at=t("2026-03-02"),
                 due_at=t("2026-03-10"), finished_at=t("2026-03-05"), status=9,
                 supplement_requested_at=f"{t('2026-03-03')};{t('2026-03-04')}",
                 supplement_completed_at=f"{t('2026-03-03', '10:00')};{t('2026-03-04', '10:00')}"),
            dict(submitted_at=t("2026-03-02"), received_at=t("2026-03-02"),
                 due_at=t("2026-04-30"), status=4,
                 supplement_requested_at=f"{t('2026-03-03')};{t('2026-03-04')}",
                 supplement_completed_at=f"{t('2026-03-03', '10:00')};{t('2026-03-04', '10:00')}"),
        ]
    )  # fmt: skip
    v = bieu06(**MARCH).total.values
    assert (v["late"], v["pending_overdue"], v["early"], v["pending_in_time"]) == (1, 1, 0, 0)
    settings.MOTCUA_766_MAX_SUPPLEMENTS_ON_TIME = 2
    v = bieu06(**MARCH).total.values
    assert (v["late"], v["pending_overdue"], v["early"], v["pending_in_time"]) == (0, 0, 1, 1)
