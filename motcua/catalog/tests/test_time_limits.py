"""Time limits per channel: reading the record, the one label, `time_limit_set` (audited,
the admin page and the command), export and import."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from motcua.catalog.enums import Channel
from motcua.catalog.importer import FIXTURE_PATH, catalog_export, catalog_import
from motcua.catalog.limits import Limit, label, limit_label, limits_of, read_time_limit
from motcua.catalog.models import (
    Procedure,
    ProcedureTimeLimit,
    ProcedureVersion,
    ProcessStep,
)
from motcua.catalog.services import time_limit_set
from motcua.core.errors import ValidationFailed
from motcua.core.models import AuditEntry

from .conftest import D0, D1, by_code

pytestmark = pytest.mark.django_db
WD, WH, CD, SD = "working_days", "working_hours", "calendar_days", "same_day"


def limit_entries():
    """The audit entries `time_limit_set` wrote (the import writes its own)."""
    return AuditEntry.objects.filter(operation="time_limit_set")


def read(text, value=None, unit=None, offered=(1, 2, 3)):
    r = read_time_limit(Decimal(value) if value is not None else None, unit, text, list(offered))
    return [(x.channel, x.value, x.unit, x.cutoff) for x in r.limits], r.problem


# --- reading ------------------------------------------------------------------------------


def test_reads_limits_named_per_channel():
    limits, problem = read(
        "Trực tuyến: 17 Ngày làm việc; Dịch vụ bưu chính: 20 Ngày làm việc; "
        "Trực tiếp: 27 Ngày làm việc",
        27,
        WD,
    )
    assert problem is None
    assert limits == [(1, 27, WD, None), (2, 17, WD, None), (3, 20, WD, None)]
    # mixed units, as 1.006871 states them
    limits, _ = read("Trực tiếp: 3 Ngày làm việc; Trực tuyến: 3 Ngày; Dịch vụ bưu chính: 3 Ngày")
    assert limits == [(1, 3, WD, None), (2, 3, CD, None), (3, 3, CD, None)]


def test_one_limit_applies_to_every_channel():
    limits, problem = read("3 Ngày làm việc", 3, WD)
    assert problem is None and limits == [(ch, 3, WD, None) for ch in (1, 2, 3)]
    # a number alone: the caller reads it as working days (and reports the null unit)
    assert read("1", 1, None)[0] == [(ch, 1, WD, None) for ch in (1, 2, 3)]
    # the text alone
    assert read("Trong thời hạn 03 ngày làm việc kể từ ngày nhận hồ sơ")[0] == [
        (ch, 3, WD, None) for ch in (1, 2, 3)
    ]
    assert read("8 giờ làm việc")[0] == [(ch, 8, WH, None) for ch in (1, 2, 3)]
    assert read("Tối đa không quá 20 ngày làm việc, kể từ ngày nộp đủ hồ sơ")[0] == [
        (ch, 20, WD, None) for ch in (1, 2, 3)
    ]
    # an impossible cut-off hour is not read
    assert read("Trong ngày, sau 25 giờ ngày hôm sau")[0] == []


@pytest.mark.parametrize(
    ("text", "cutoff"),
    [
        ("Trong ngày", dt.time(15)),
        ("ngay trong ngày làm việc", dt.time(15)),
        (
            "Ngay trong ngày tiếp nhận hồ sơ hoặc trong ngày làm việc tiếp theo nếu tiếp nhận "
            "hồ sơ sau 15 giờ",
            dt.time(15),
        ),
        (
            "Thời hạn thực hiện yêu cầu chứng thực là ngay trong ngày cơ quan, tổ chức tiếp nhận "
            "yêu cầu hoặc trong ngày làm việc tiếp theo nếu tiếp nhận yêu cầu sau 15 giờ.",
            dt.time(15),
        ),
        ("Trong ngày; sau 16 giờ 30 trả trong ngày làm việc tiếp theo", dt.time(16, 30)),
    ],
)
def test_reads_same_day_limits_and_their_cutoff(text, cutoff):
    limits, problem = read(text)
    assert problem is None
    assert limits == [(ch, None, SD, cutoff) for ch in (1, 2, 3)]


def test_same_day_default_cutoff_is_a_setting(settings):
    settings.MOTCUA_SAME_DAY_CUTOFF = "14:30"
    assert read("Trong ngày")[0][0] == (1, None, SD, dt.time(14, 30))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the record states no time limit"),
        (
            "Kiểm tra hồ sơ: 10 ngày; thay đổi ý kiến: 15 ngày",
            "time limit not readable: 'Kiểm tra hồ sơ: 10 ngày; thay đổi ý kiến: 15 ngày'",
        ),
        ("Theo quy định", "time limit not readable: 'Theo quy định'"),
        (
            "10 ngày làm việc nếu chấp thuận; 03 ngày làm việc nếu không",
            "time limit not readable: '10 ngày làm việc nếu chấp thuận; 03 ngày làm việc nếu "
            "không'",
        ),
    ],
)
def test_what_cannot_be_read_gives_no_limit(text, problem):
    assert read(text) == ([], problem)


def test_a_channel_offered_without_a_limit_is_reported():
    limits, problem = read("Dịch vụ bưu chính: 30 Ngày; Trực tiếp: 40 Ngày", 40, CD, (1, 2, 3))
    assert limits == [(1, 40, CD, None), (3, 30, CD, None)]
    assert problem == "no time limit for channel(s) online"
    # 1.012812 offers only counter and post: nothing to report
    assert read("Dịch vụ bưu chính: 30 Ngày; Trực tiếp: 40 Ngày", 40, CD, (1, 3))[1] is None


def test_every_real_record_is_read_or_reported(catalog):
    """55 records: 49 read (per channel where they say so), 6 reported, none invented."""
    assert len(catalog.unread_limits) == 6
    with_limits = ProcedureVersion.objects.filter(time_limits__isnull=False).distinct()
    assert with_limits.count() == 49
    v = ProcedureVersion.objects.get(procedure__code="1.013978")
    assert [limit_label(v, ch) for ch in Channel] == [
        "27 ngày làm việc",
        "17 ngày làm việc",
        "20 ngày làm việc",
    ]
    v = ProcedureVersion.objects.get(procedure__code="1.013225")
    assert [limit_label(v, ch) for ch in Channel] == ["15 ngày", "20 ngày", "20 ngày"]
    v = ProcedureVersion.objects.get(procedure__code="2.000815")
    assert limit_label(v, Channel.COUNTER) == "Chưa có thời hạn giải quyết"
    assert ProcessStep.objects.filter(version=v).count() == 0


# --- the label ----------------------------------------------------------------------------


def test_the_one_label():
    assert label(Limit(1, Decimal("17.00"), WD)) == "17 ngày làm việc"
    assert label(Limit(1, Decimal("17.00"), WD), english=True) == "17 working days"
    assert label(Limit(1, Decimal("0.50"), WD)) == "0,5 ngày làm việc"
    assert label(Limit(1, Decimal("8"), WH)) == "8 giờ làm việc"
    assert label(Limit(1, Decimal("30"), CD)) == "30 ngày"
    assert label(Limit(1, None, SD, dt.time(15))) == (
        "Trong ngày (sau 15 giờ: ngày làm việc tiếp theo)"
    )
    assert label(Limit(1, None, SD, dt.time(16, 30))) == (
        "Trong ngày (sau 16 giờ 30: ngày làm việc tiếp theo)"
    )
    assert label(Limit(1, None, SD, dt.time(15)), english=True) == (
        "Same day (received after 15:00: next working day)"
    )
    assert label(None) == "Chưa có thời hạn giải quyết"


# --- the database guarantees ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "cutoff"),
    [
        (None, WD, None),  # a number is needed
        (Decimal(0), WD, None),  # positive
        (Decimal(3), WD, dt.time(15)),  # only same-day has a cut-off
        (Decimal(1), SD, dt.time(15)),  # same-day has no number
        (None, SD, None),  # same-day needs a cut-off
        (Decimal(3), "weeks", None),  # a known unit
    ],
)
def test_constraints_refuse_incoherent_limits(catalog, value, unit, cutoff):
    v = ProcedureVersion.objects.get(procedure__code="2.000815")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureTimeLimit.objects.create(
            version=v, channel=1, value=value, unit=unit, cutoff=cutoff
        )


def test_constraints_one_limit_per_channel_and_known_channels(catalog):
    v = ProcedureVersion.objects.get(procedure__code="1.001193")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureTimeLimit.objects.create(version=v, channel=1, value=2, unit=WD)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureTimeLimit.objects.create(version=v, channel=4, value=2, unit=WD)


# --- time_limit_set -------------------------------------------------------------------------


def test_time_limit_set_completes_a_version_and_writes_the_audit(catalog, admin_user):
    v = ProcedureVersion.objects.get(procedure__code="2.000815")
    stamp = v.time_limits_stamp
    assert limits_of(v) == {}
    rows = time_limit_set(
        version=v,
        channels=None,
        value=None,
        unit=SD,
        cutoff=None,
        source="Nghị định 23/2015/NĐ-CP, Điều 7",
        actor=admin_user,
        at=dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC),
    )
    assert [(r.channel, r.value, r.unit, r.cutoff) for r in rows] == [
        (ch, None, SD, dt.time(15)) for ch in (1, 2, 3)
    ]
    v.refresh_from_db()
    assert v.time_limits_stamp != stamp
    assert limit_label(v, Channel.ONLINE) == "Trong ngày (sau 15 giờ: ngày làm việc tiếp theo)"
    # the process is sized on the limit now that there is one (one working day)
    assert sum(s.duration_hours for s in v.steps.all()) == Decimal("7.5")
    entry = limit_entries().get()
    assert (entry.action, entry.actor, entry.object_type, entry.object_id) == (
        "changed",
        admin_user,
        "catalog.procedureversion",
        str(v.pk),
    )
    assert (entry.object_label, entry.actor_label) == ("2.000815 v1", admin_user.username)
    assert entry.at == dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC)
    assert entry.reason == "Nghị định 23/2015/NĐ-CP, Điều 7"
    after = {"channel": 1, "value": None, "unit": SD, "cutoff": "15:00"}
    steps = [
        {"order": 1, "name": "Tiếp nhận, chuyển hồ sơ", "role": "counter",
         "agency_role": "receiving", "duration_hours": "0.50"},
        {"order": 2, "name": "Thẩm định, xử lý", "role": "specialist",
         "agency_role": "settling", "duration_hours": "4.75"},
        {"order": 3, "name": "Phê duyệt, ký kết quả", "role": "leader",
         "agency_role": "settling", "duration_hours": "1.50"},
        {"order": 4, "name": "Trả kết quả", "role": "counter",
         "agency_role": "receiving", "duration_hours": "0.75"},
    ]  # fmt: skip
    # the version had no limit, hence no process: it gets the default one, in the entry
    assert entry.before == {"time_limits": {"1": None, "2": None, "3": None}, "steps": []}
    assert entry.after == {
        "time_limits": {"1": after, "2": {**after, "channel": 2}, "3": {**after, "channel": 3}},
        "steps": steps,
    }
    # the same again changes nothing and writes no second entry
    time_limit_set(version=v, channels=None, value=None, unit=SD, source="x")
    assert limit_entries().count() == 1


def test_time_limit_set_one_channel_records_before_and_after(catalog):
    v = ProcedureVersion.objects.get(procedure__code="1.001193")
    time_limit_set(version=v, channels=[2], value="0.5", unit=WD, source="QĐ công bố")
    assert [limit_label(v, ch) for ch in Channel] == [
        "1 ngày làm việc",
        "0,5 ngày làm việc",
        "1 ngày làm việc",
    ]
    entry = limit_entries().get()
    # 7.5 h of process no longer fit half a day: the default process for 3.75 h replaces it
    assert (entry.actor, entry.actor_label, entry.action) == (None, "hệ thống", "changed")
    assert entry.before["time_limits"] == {
        "2": {"channel": 2, "value": "1.00", "unit": WD, "cutoff": None}
    }
    assert entry.after["time_limits"] == {
        "2": {"channel": 2, "value": "0.50", "unit": WD, "cutoff": None}
    }
    assert [s["duration_hours"] for s in entry.before["steps"]] == ["0.50", "4.75", "1.50", "0.75"]
    assert [s["duration_hours"] for s in entry.after["steps"]] == ["0.50", "2.00", "0.75", "0.50"]


def test_time_limit_set_keeps_a_process_that_fits_out_of_the_entry(catalog):
    v = ProcedureVersion.objects.get(procedure__code="1.001193")
    time_limit_set(version=v, channels=[2], value="2", unit=WD, source="QĐ công bố")
    entry = limit_entries().get()
    assert (entry.before, entry.after) == (
        {"time_limits": {"2": {"channel": 2, "value": "1.00", "unit": WD, "cutoff": None}}},
        {"time_limits": {"2": {"channel": 2, "value": "2.00", "unit": WD, "cutoff": None}}},
    )


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"value": 3, "unit": "weeks"}, "invalid_time_unit", "unit"),
        ({"value": 2, "unit": SD}, "invalid_time_limit", "value"),
        ({"value": 2, "unit": WD, "cutoff": "15:00"}, "invalid_time_limit", "cutoff"),
        ({"value": "2.5", "unit": CD}, "invalid_time_limit", "value"),
        ({"value": "abc", "unit": WD}, "invalid_time_limit", "value"),
        ({"value": 0, "unit": WD}, "invalid_time_limit", "value"),
        ({"value": "1.005", "unit": WD}, "invalid_time_limit", "value"),
        ({"value": None, "unit": SD, "cutoff": "25:00"}, "invalid_cutoff", "cutoff"),
        ({"value": 2, "unit": WD, "channels": [4]}, "invalid_channel", "channel"),
    ],
)
def test_time_limit_set_refuses_bad_input_and_changes_nothing(catalog, kwargs, code, field):
    v = ProcedureVersion.objects.get(procedure__code="2.001035")
    kwargs = {"channels": None, "source": "x", **kwargs}
    with pytest.raises(ValidationFailed) as err:
        time_limit_set(version=v, **kwargs)
    assert (err.value.code, err.value.field) == (code, field)
    assert ProcedureTimeLimit.objects.filter(version=v).count() == 0
    assert limit_entries().count() == 0


def test_a_stated_limit_of_a_version_in_use_stays(db):
    """Dossiers were received with that limit; a missing one may still be added."""
    from motcua.dossiers.tests.factories import make_world

    w = make_world()
    ProcedureTimeLimit.objects.filter(version=w.version, channel=Channel.POST).delete()
    from motcua.dossiers.tests.conftest import submit

    submit(w)  # a dossier under the version
    with pytest.raises(ValidationFailed) as err:
        time_limit_set(version=w.version, channels=[1], value=9, unit=WD, source="x")
    assert (err.value.code, err.value.field) == ("version_in_use", "version")
    assert [(r.channel, r.value) for r in ProcedureTimeLimit.objects.filter(version=w.version)] == [
        (1, Decimal("3.00")),
        (2, Decimal("3.00")),
    ]
    time_limit_set(version=w.version, channels=[3], value=3, unit=WD, source="x")
    assert ProcedureTimeLimit.objects.filter(version=w.version).count() == 3


# --- the command and the admin ----------------------------------------------------------------


def run(*args):
    out = StringIO()
    call_command("catalog", *args, stdout=out)
    return out.getvalue()


def test_set_limit_command(catalog, admin_user):
    out = run(
        "set-limit", "2.001263", "--unit", CD, "--value", "30",
        "--source", "Luật Nuôi con nuôi 2010, Điều 19", "--by", admin_user.username,
    )  # fmt: skip
    assert out == (
        "2.001263 v1\tTrực tiếp\t30 ngày\n"
        "2.001263 v1\tTrực tuyến\t30 ngày\n"
        "2.001263 v1\tQua bưu chính công ích\t30 ngày\n"
    )
    entry = limit_entries().get()
    assert entry.actor == admin_user
    assert entry.reason == "Luật Nuôi con nuôi 2010, Điều 19"
    with pytest.raises(CommandError) as err:
        run("set-limit", "2.001035", "--unit", SD, "--value", "2", "--source", "x")
    assert str(err.value) == (
        "invalid_time_limit: Thời hạn 'trong ngày' không kèm số ngày. / "
        "A same-day limit takes no value. [value]"
    )
    with pytest.raises(CommandError) as err:
        run("set-limit", "9.999999", "--unit", WD, "--value", "2", "--source", "x")
    assert str(err.value).startswith("not_found: Không tìm thấy thủ tục 9.999999.")
    assert limit_entries().count() == 1


def test_import_command_prints_every_unread_limit(db):
    out = run("import", str(FIXTURE_PATH), "--effective-from", "2025-07-01")
    lines = [x for x in out.splitlines() if x.startswith("time limit not read:")]
    assert [x.split(" (")[0] for x in lines] == [
        "time limit not read: 2.000635",
        "time limit not read: 2.001263",
        "time limit not read: 2.000815",
        "time limit not read: 2.000884",
        "time limit not read: 2.001035",
        "time limit not read: 2.001019",
    ]
    assert lines[0] == (
        "time limit not read: 2.000635 (records[9].time_limit): the record states no time "
        "limit / bản ghi không nêu thời hạn giải quyết"
    )
    assert out.splitlines()[-1].endswith("time limits not read 6")


def test_admin_sets_a_limit_through_the_service(admin_client, catalog):
    v = ProcedureVersion.objects.get(procedure__code="2.000884")
    url = f"/admin/catalog/procedureversion/{v.pk}/thoi-han/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Chưa có thời hạn giải quyết" in page.content.decode()
    bad = admin_client.post(url, {"channel": "all", "unit": WD, "value": "", "source": "x"})
    assert bad.status_code == 200
    assert "Cần nhập thời hạn (một số). (invalid_time_limit)" in bad.content.decode()
    assert limit_entries().count() == 0
    ok = admin_client.post(
        url,
        {"channel": "all", "unit": SD, "value": "", "cutoff": "", "source": "NĐ 23/2015, Điều 7"},
    )
    assert ok.status_code == 302
    assert ok["Location"] == f"/admin/catalog/procedureversion/{v.pk}/change/"
    entry = limit_entries().get()
    assert entry.actor.username == "admin" and entry.reason == "NĐ 23/2015, Điều 7"
    v.refresh_from_db()  # a new stamp: the limits are read again
    assert limit_label(v, Channel.COUNTER) == "Trong ngày (sau 15 giờ: ngày làm việc tiếp theo)"
    change = admin_client.get(f"/admin/catalog/procedureversion/{v.pk}/change/").content.decode()
    assert "Trong ngày (sau 15 giờ: ngày làm việc tiếp theo)" in change
    assert url in change
    missing = admin_client.get("/admin/catalog/procedureversion/", {"thoi_han": "thieu"})
    assert missing.content.decode().count("/thoi-han/") == 0  # the list links to the change
    assert "2.000884" not in missing.content.decode()
    assert "2.000815" in missing.content.decode()


# --- export and import -------------------------------------------------------------------------


def test_export_writes_every_channel_and_imports_back(catalog):
    rec = catalog_export([Procedure.objects.get(code="1.013978")])[0]
    assert rec["time_limit"] == {
        "value": 27,
        "unit": WD,
        "text": "Trực tuyến: 17 Ngày làm việc; Dịch vụ bưu chính: 20 Ngày làm việc; "
        "Trực tiếp: 27 Ngày làm việc",
    }
    assert rec["limits"] == [
        {"channel": 1, "value": 27, "unit": WD, "cutoff": None},
        {"channel": 2, "value": 17, "unit": WD, "cutoff": None},
        {"channel": 3, "value": 20, "unit": WD, "cutoff": None},
    ]
    v = ProcedureVersion.objects.get(procedure__code="2.000815")
    time_limit_set(version=v, channels=None, value=None, unit=SD, cutoff="16:00", source="x")
    exported = catalog_export()
    same_day = next(r for r in exported if r["code"] == "2.000815")
    assert same_day["limits"] == [
        {"channel": ch, "value": None, "unit": SD, "cutoff": "16:00"} for ch in (1, 2, 3)
    ]
    report = catalog_import(records=exported, effective_from=D1)
    assert len(report.unchanged) == 55
    assert catalog_export() == exported


def test_reimporting_the_record_keeps_a_limit_the_administrator_set(catalog, records):
    v = ProcedureVersion.objects.get(procedure__code="2.000815")
    time_limit_set(version=v, channels=None, value=None, unit=SD, source="x")
    report = catalog_import(records=[by_code(records, "2.000815")], effective_from=D1)
    assert report.unchanged == ["2.000815"]
    assert report.notes[-1] == (
        "records[0] 2.000815: time limit not read; the limits of version 1 are kept"
    )
    assert ProcedureVersion.objects.filter(procedure__code="2.000815").count() == 1


def test_import_refuses_bad_limits_naming_the_field(catalog, records):
    rec = by_code(records, "1.001193")
    rec["limits"] = [{"channel": 1, "value": 2, "unit": SD, "cutoff": "15:00"}]
    with pytest.raises(ValidationFailed) as err:
        catalog_import(records=[rec], effective_from=D1)
    assert err.value.field == "records[0].limits[0].value"
    assert ProcedureVersion.objects.filter(procedure__code="1.001193").count() == 1
    assert D0  # the catalog fixture's date stays the only version's
