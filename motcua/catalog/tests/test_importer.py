import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from motcua.catalog.enums import Channel, Level, OnlineLevel, TimeUnit
from motcua.catalog.importer import catalog_export, catalog_import, field_code_for
from motcua.catalog.models import (
    Component,
    FeeItem,
    Field,
    Procedure,
    ProcedureTimeLimit,
    ProcedureVersion,
    ProcessStep,
)
from motcua.catalog.services import statutory_hours
from motcua.core.errors import ValidationFailed

from .conftest import D0, D1, by_code

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Field.objects.count(),
        Procedure.objects.count(),
        ProcedureVersion.objects.count(),
        Component.objects.count(),
        FeeItem.objects.count(),
        ProcessStep.objects.count(),
    )


def test_real_fixture_loads_all_55(catalog):
    assert len(catalog.created) == 55
    assert catalog.updated == [] and catalog.unchanged == [] and catalog.errors == []
    assert Procedure.objects.count() == 55
    assert ProcedureVersion.objects.count() == 55
    assert Component.objects.count() == 295
    assert FeeItem.objects.count() == 70
    # the 6 versions without a limit get no process (nothing is sized on an invented limit)
    assert ProcessStep.objects.count() == 49 * 4
    assert Field.objects.count() == 16
    assert Counter(Procedure.objects.values_list("level", flat=True)) == {
        Level.COMMUNE: 34,
        Level.PROVINCE: 20,
        Level.MINISTRY: 1,
    }
    units = Counter(ProcedureTimeLimit.objects.values_list("channel", "unit"))
    # 29 "ngày làm việc" + 14 null → working days; "ngày" → calendar days; per channel where
    # the text names channels (1.006871: counter 3 ngày làm việc, online and post 3 ngày;
    # 1.012812: post and counter only)
    WD, CD = TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS
    assert units == {
        (1, WD): 43, (2, WD): 42, (3, WD): 42, (1, CD): 6, (2, CD): 6, (3, CD): 7,
    }  # fmt: skip
    no_limit = ProcedureVersion.objects.filter(time_limits__isnull=True)
    assert sorted(no_limit.values_list("procedure__code", flat=True)) == [
        "2.000635", "2.000815", "2.000884", "2.001019", "2.001035", "2.001263",
    ]  # fmt: skip
    # every one of them is reported, naming the record; none gets a default
    assert [(u["code"], u["field"]) for u in catalog.unread_limits] == [
        ("2.000635", "records[9].time_limit"),
        ("2.001263", "records[14].time_limit"),
        ("2.000815", "records[16].time_limit"),
        ("2.000884", "records[17].time_limit"),
        ("2.001035", "records[18].time_limit"),
        ("2.001019", "records[19].time_limit"),
    ]
    assert catalog.unread_limits[0]["message_en"] == "the record states no time limit"
    assert catalog.unread_limits[1]["message_en"].startswith(
        "time limit not readable: 'Kiểm tra hồ sơ và lấy ý kiến: 10 ngày"
    )
    # 14 records with a value and no unit are reported
    assert len([n for n in catalog.notes if "unit is null" in n]) == 14
    online = Counter(ProcedureVersion.objects.values_list("online_level", flat=True))
    assert online == {OnlineLevel.PARTIAL: 51, OnlineLevel.NONE: 4}


def test_khai_sinh_record_exact_values(catalog):
    v = ProcedureVersion.objects.get(procedure__code="1.001193")
    assert v.procedure.name == "Thủ tục đăng ký khai sinh"
    assert v.procedure.field.code == "ho-tich"
    assert v.procedure.level == Level.COMMUNE
    assert (v.number, v.effective_from, v.effective_to) == (1, D0, None)
    assert [(x.channel, x.value, x.unit, x.cutoff) for x in v.time_limits.all()] == [
        (ch, Decimal(1), TimeUnit.WORKING_DAYS, None) for ch in (1, 2, 3)
    ]
    assert v.channels == [Channel.COUNTER, Channel.ONLINE, Channel.POST]
    assert v.components.count() == 8
    assert v.fees.count() == 0
    assert v.fee_total_vnd == 0
    assert v.subjects == ["Công dân Việt Nam", "Người Việt Nam định cư ở nước ngoài"]
    assert v.result == "Giấy khai sinh"
    assert v.publication_decision == "163/QĐ-BTP"
    assert len(v.legal_basis) == 16
    assert v.settling_agency_text == "Ủy ban nhân dân cấp xã"
    first, last = v.components.first(), v.components.last()
    assert first.group == "Giấy tờ phải nộp" and first.required is False  # "Trường hợp …"
    assert (first.original_count, first.copy_count) == (1, 0)
    assert last.form == "Mẫu hộ tịch điện tử tương tác đăng ký khai sinh"
    assert last.required is True
    assert v.source["url"].endswith("/bo-tu-phap/1.001193.json")
    assert v.source["record_date"] == "2026-06-10"
    assert statutory_hours(v) == Decimal("7.5")


def test_passport_and_food_safety_records(catalog):
    passport = ProcedureVersion.objects.get(procedure__code="1.001456")
    assert passport.procedure.level == Level.PROVINCE
    assert {(x.value, x.unit) for x in passport.time_limits.all()} == {(8, TimeUnit.WORKING_DAYS)}
    assert passport.components.count() == 5
    assert [f.amount_vnd for f in passport.fees.all()] == [160000, 200000, 400000]
    assert passport.fee_total_vnd == 760000

    attp = ProcedureVersion.objects.get(procedure__code="2.001827")
    assert {(x.value, x.unit) for x in attp.time_limits.all()} == {(15, TimeUnit.CALENDAR_DAYS)}
    assert [f.amount_vnd for f in attp.fees.all()] == [700000]

    can_cuoc = ProcedureVersion.objects.get(procedure__code="1.014061")
    assert can_cuoc.fees.count() == 0
    assert can_cuoc.source["fees_unknown"] is True


def test_reimport_same_records_is_idempotent(catalog, records):
    before = _counts()
    report = catalog_import(records=records, effective_from=D1)
    assert (len(report.created), len(report.updated), len(report.unchanged)) == (0, 0, 55)
    assert _counts() == before
    assert ProcedureVersion.objects.filter(effective_to__isnull=False).count() == 0


def test_changed_record_creates_next_version_and_closes_previous(catalog, records):
    rec = by_code(records, "1.001193")
    rec["time_limit"] = {"value": 2, "unit": "ngày làm việc", "text": "2 Ngày làm việc"}
    rec["fees"] = [{"name": "Lệ phí đăng ký khai sinh", "amount_vnd": 8000, "note": None}]

    report = catalog_import(records=[rec], effective_from=D1)

    assert report.updated == ["1.001193"]
    v1, v2 = ProcedureVersion.objects.filter(procedure__code="1.001193").order_by("number")
    assert (v1.number, v1.effective_from, v1.effective_to) == (1, D0, dt.date(2025, 12, 31))
    assert (v2.number, v2.effective_from, v2.effective_to) == (2, D1, None)
    assert {x.value for x in v2.time_limits.all()} == {2} and v2.fee_total_vnd == 8000
    # the old version is kept
    assert {x.value for x in v1.time_limits.all()} == {1} and v1.fee_total_vnd == 0
    assert v1.components.count() == v2.components.count() == 8
    proc = Procedure.objects.get(code="1.001193")
    assert proc.version_on(dt.date(2025, 12, 31)) == v1
    assert proc.version_on(D1) == v2
    # The old process (7.5 h) fits 15 h, so it is carried over unchanged.
    assert [s.duration_hours for s in v2.steps.all()] == [s.duration_hours for s in v1.steps.all()]


def test_new_version_must_start_after_the_previous(catalog, records):
    rec = by_code(records, "1.001193")
    rec["result"] = "Giấy khai sinh (bản điện tử)"
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        catalog_import(records=[rec], effective_from=D0)
    assert exc.value.field == "records[0].effective_from"
    assert _counts() == before


def test_bad_records_rejected_and_nothing_written(db, records):
    records[3]["level"] = "huyện"
    records[7]["time_limit"]["unit"] = "tuần"
    records[10]["fees"] = [{"name": "Lệ phí", "amount_vnd": -5, "note": None}]
    records[12]["channels"] = ["fax"]
    records[20]["code"] = ""
    with pytest.raises(ValidationFailed) as exc:
        catalog_import(records=records, effective_from=D0)
    assert exc.value.code == "catalog_import_invalid"
    assert exc.value.field == "records[3].level"
    fields = [e["field"] for e in exc.value.data["errors"]]
    assert fields == [
        "records[3].level",
        "records[7].time_limit.unit",
        "records[10].fees[0].amount_vnd",
        "records[12].channels[0]",
        "records[20].code",
    ]
    assert _counts() == (0, 0, 0, 0, 0, 0)


def test_every_bad_field_of_a_record_at_once(db, records):
    """One record, many bad fields: each is reported, named, in Vietnamese then English."""
    rec = by_code(records, "1.001193")
    rec.update(
        name=None,
        level="huyện",
        time_limit={"value": -1, "unit": "tuần"},
        channels=["trực tiếp", "fax"],
        components=[{"name": ""}, {"name": "Tờ khai", "original": -1, "form": "x" * 501}],
        fees=[{"name": "Lệ phí", "amount_vnd": "8000"}],
        online_level="cao",
        effective_from="01/03/2026",
        process=[{"name": "Xử lý", "role": "boss", "agency_role": "settling", "duration_hours": 0}],
        subjects="công dân",
        paper_result_required="có",
        agency=5,
    )
    rec["limits"] = [{"channel": 1, "value": 2, "unit": "same_day", "cutoff": "25:00"}]
    with pytest.raises(ValidationFailed) as exc:
        catalog_import(records=[rec], effective_from=D0)
    errors = exc.value.data["errors"]
    assert [e["field"] for e in errors] == [
        "records[0].name",
        "records[0].level",
        "records[0].time_limit.value",
        "records[0].time_limit.unit",
        "records[0].channels[1]",
        "records[0].limits[0].cutoff",
        "records[0].components[0].name",
        "records[0].components[1].original",
        "records[0].components[1].form",
        "records[0].fees[0].amount_vnd",
        "records[0].online_level",
        "records[0].effective_from",
        "records[0].process[0].role",
        "records[0].process[0].duration_hours",
        "records[0].subjects",
        "records[0].paper_result_required",
        "records[0].agency",
    ]
    assert {e["index"] for e in errors} == {0} and {e["code"] for e in errors} == {"1.001193"}
    assert (
        errors[0]["message"] == "Thiếu 'name'." and errors[0]["message_en"] == "'name' is required."
    )
    assert errors[5]["message"] == "Giờ chốt '25:00' không hợp lệ (dạng 15:00)."
    assert exc.value.message.startswith("1 bản ghi không hợp lệ; không có gì được ghi.")
    assert _counts() == (0, 0, 0, 0, 0, 0)


def test_skip_invalid_writes_the_valid_records(db, records):
    records[0]["level"] = None
    report = catalog_import(records=records, effective_from=D0, skip_invalid=True)
    assert len(report.created) == 54
    assert [e["field"] for e in report.errors] == ["records[0].level"]
    assert not Procedure.objects.filter(code=records[0]["code"]).exists()


def test_duplicate_code_and_non_object_rejected(db, records):
    with pytest.raises(ValidationFailed) as exc:
        catalog_import(records=[records[0], "x", records[0]], effective_from=D0)
    assert [e["field"] for e in exc.value.data["errors"]] == ["records[1]", "records[2].code"]
    assert Procedure.objects.count() == 0


def test_dry_run_writes_nothing(db, records):
    report = catalog_import(records=records, effective_from=D0, dry_run=True)
    assert len(report.created) == 55
    assert _counts() == (0, 0, 0, 0, 0, 0)


def test_text_is_nfc_on_the_way_in(db, records):
    import unicodedata

    rec = records[0]
    rec["name"] = unicodedata.normalize("NFD", rec["name"]) + "  "
    catalog_import(records=[rec], effective_from=D0)
    p = Procedure.objects.get(code=rec["code"])
    assert p.name == "Thủ tục đăng ký khai sinh"
    assert p.search_key == "thu tuc dang ky khai sinh 1 001193 ho tich"


def test_online_level_override_and_process_in_record(db, records):
    rec = by_code(records, "1.001193")
    rec["online_level"] = "toàn trình"
    rec["eligible_full_online"] = True
    rec["process"] = [
        {"name": "Tiếp nhận", "role": "counter", "agency_role": "receiving", "duration_hours": 1},
        {"name": "Xử lý", "role": "specialist", "agency_role": "settling", "duration_hours": 6.5},
    ]
    catalog_import(records=[rec], effective_from=D0)
    v = ProcedureVersion.objects.get(procedure__code="1.001193")
    assert v.online_level == OnlineLevel.FULL and v.eligible_full_online is True
    assert [(s.order, s.role, s.duration_hours) for s in v.steps.all()] == [
        (1, "counter", Decimal("1")),
        (2, "specialist", Decimal("6.5")),
    ]


def test_process_exceeding_the_limit_in_a_record_is_rejected(db, records):
    rec = by_code(records, "1.001193")
    rec["process"] = [
        {"name": "Xử lý", "role": "specialist", "agency_role": "settling", "duration_hours": 8}
    ]
    with pytest.raises(ValidationFailed) as exc:
        catalog_import(records=[rec], effective_from=D0)
    assert exc.value.field == "records[0].process"
    assert Procedure.objects.count() == 0


def test_export_import_round_trip(catalog, records):
    exported = catalog_export()
    assert len(exported) == 55
    # back into the same database: nothing changes
    before = _counts()
    report = catalog_import(records=exported, effective_from=D1)
    assert len(report.unchanged) == 55
    assert _counts() == before

    # into an empty database: the same export comes out again
    ProcessStep.objects.all().delete()
    Component.objects.all().delete()
    FeeItem.objects.all().delete()
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()
    report = catalog_import(records=exported)
    assert len(report.created) == 55
    assert catalog_export() == exported


def test_export_carries_our_fields(catalog):
    rec = catalog_export([Procedure.objects.get(code="1.014061")])[0]
    assert rec["fees"] is None  # "Không có thông tin", not free
    assert rec["online_level"] == "partial"
    assert rec["paper_result_required"] is True
    assert rec["eligible_full_online"] is False
    assert rec["time_limit"] == {"value": 7, "unit": "working_days", "text": "7 Ngày làm việc"}
    assert [s["role"] for s in rec["process"]] == ["counter", "specialist", "leader", "counter"]
    assert rec["version"] == 1 and rec["effective_from"] == "2025-07-01"


def test_field_codes_are_stable_slugs():
    assert field_code_for("Hộ tịch") == "ho-tich"
    long = field_code_for("Thành lập và hoạt động của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã")
    assert len(long) == 40 and long.startswith("thanh-lap-va-hoat-dong-cua-to-h")
    assert long == field_code_for(
        "Thành lập và hoạt động của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã"
    )
