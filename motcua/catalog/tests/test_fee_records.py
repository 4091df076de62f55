"""What the importer reads from the real records' fee lines (fixtures/procedures.json), the
quotes of real procedures, migration 0013 and the shipped policies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from motcua.catalog import fees
from motcua.catalog.enums import Channel
from motcua.catalog.feepolicies import load_policies, policy_rows
from motcua.catalog.importer import catalog_export, catalog_import
from motcua.catalog.models import FeePolicy, ProcedureVersion
from motcua.core.errors import ValidationFailed

from .conftest import D1, by_code


def items(code):
    v = ProcedureVersion.objects.get(procedure__code=code)
    return v, list(v.fees.all())


def test_kinds_and_legal_basis_read_from_the_wording(catalog):
    _v, (publish, register) = items("2.001583")
    assert (publish.kind, register.kind) == ("phi", "le_phi")
    assert publish.legal_basis_number == "47/2019/TT-BTC"
    assert publish.legal_basis_text == ""  # legal.py's table has no title for it
    _v, (online, _counter) = items("1.001612")
    assert online.legal_basis_number == "85/2019/TT-BTC"
    assert online.legal_basis_text.startswith("Thông tư")  # its title, from legal.py's table
    _v, (one_line,) = items("1.013978")  # "Phí, lệ phí" as one line: not stated
    assert one_line.kind == "" and one_line.amount_vnd is None


def test_fixed_amounts_stay_fixed_and_no_figure_stays_unknown(catalog):
    _v, (item,) = items("2.001019")  # "50.000 đồng/di chúc": per case
    assert (item.computation, item.amount_vnd) == ("fixed", 50000)
    _v, (item,) = items("1.004873")
    assert (item.computation, item.amount_vnd) == ("fixed", None)
    _v, (usd,) = items("1.003460")  # "145 USD/thẻ": not đồng, not invented
    assert usd.amount_vnd is None


def test_the_certification_fee_is_tiered_per_page_with_a_maximum_per_copy(catalog):
    _v, (item, consular) = items("2.000815")
    assert item.computation == "tiered"
    assert (item.answer_key, item.multiplier_key, item.unit) == ("so_trang", "so_ban", "trang")
    assert item.bands == [
        {"from": 0, "to": 3, "amount_vnd": 2000},
        {"from": 3, "to": None, "amount_vnd": 1000},
    ]
    assert item.maximum_vnd == 200000
    assert consular.computation == "fixed" and consular.amount_vnd is None  # "10 USD/bản"


def test_per_person_fee_and_channels(catalog):
    _v, (online, listed) = items("1.004194")
    assert (online.computation, online.channels) == ("fixed", [Channel.ONLINE])
    assert (listed.computation, listed.answer_key, listed.unit) == ("per_unit", "so_nguoi", "người")
    assert listed.channels == [Channel.COUNTER]


def test_an_item_beside_its_online_price_covers_the_other_channels(catalog):
    _v, (normal, online) = items("3.000347")
    assert normal.channels == [Channel.COUNTER, Channel.POST]
    assert online.channels == [Channel.ONLINE]


def test_quotes_of_real_procedures(catalog):
    day = dt.date(2026, 3, 4)
    licence, _ = items("3.000347")
    assert fees.quote(licence, channel=Channel.ONLINE, on_date=day).total_vnd == 115000
    assert fees.quote(licence, channel=Channel.COUNTER, on_date=day).total_vnd == 135000
    household, _ = items("1.001612")
    assert fees.quote(household, channel=Channel.POST, on_date=day).total_vnd == 150000
    assert fees.quote(household, channel=Channel.COUNTER, on_date=day).total_vnd == 50000
    certify, _ = items("2.000815")
    quote = fees.quote(certify, {"so_trang": 5, "so_ban": 2}, channel=Channel.COUNTER, on_date=day)
    assert quote.total_vnd == 14000
    assert quote.has_unknown  # the consular line (USD) is left to the officer


def test_reimport_of_the_records_and_of_the_export_changes_nothing(catalog, records):
    report = catalog_import(records=records, effective_from=D1)
    assert len(report.unchanged) == 55
    exported = catalog_export()
    fee = next(r for r in exported if r["code"] == "2.000815")["fees"][0]
    assert fee["computation"] == "tiered" and fee["maximum_vnd"] == 200000
    assert len(catalog_import(records=exported, effective_from=D1).unchanged) == 55


def test_an_explicit_computation_in_a_record_is_taken_and_checked(db, records):
    rec = by_code(records, "2.001019")
    rec["fees"][0].update(
        computation="band",
        answer_key="dien_tich_m2",
        bands=[{"from": 0, "to": 10, "amount_vnd": 1}, {"from": 12, "to": None, "amount_vnd": 2}],
    )
    with pytest.raises(ValidationFailed) as exc:
        catalog_import(records=[rec])
    assert [e["field"] for e in exc.value.data["errors"]] == ["records[0].fees[0].bands[1]"]
    rec["fees"][0]["bands"][1]["from"] = 10
    report = catalog_import(records=[rec])
    assert report.errors == []
    _v, (item,) = items("2.001019")
    assert item.computation == "band" and item.answer_key == "dien_tich_m2"


def test_the_shipped_policies_are_loaded_with_their_labels(db):
    # Migration 0013 loaded them; a transactional test before this one may have flushed
    # them, so they are loaded again the same way (present ones are left).
    load_policies(FeePolicy)
    codes = set(FeePolicy.objects.values_list("code", flat=True))
    assert codes == {row["code"] for row in policy_rows()}
    bac_giang = FeePolicy.objects.get(code="bac-giang-nq11-2022-truc-tuyen-50")
    assert (bac_giang.percent, bac_giang.confidence) == (50, "UNCONFIRMED")
    passport = FeePolicy.objects.get(code="tt63-2023-ho-chieu-truc-tuyen")
    assert (passport.valid_from, passport.valid_to) == (dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    assert load_policies(FeePolicy) == []  # present ones are left as the province keeps them


BEFORE = [("catalog", "0012_fee_item_computation_and_policies")]
AFTER = [("catalog", "0013_fill_fee_items_load_fee_policies")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_migration_fills_the_items_that_existed():
    apps = _migrate(BEFORE)
    try:
        Field = apps.get_model("catalog", "Field")
        Procedure = apps.get_model("catalog", "Procedure")
        Version = apps.get_model("catalog", "ProcedureVersion")
        FeeItem = apps.get_model("catalog", "FeeItem")
        apps.get_model("catalog", "FeePolicy").objects.all().delete()
        field = Field.objects.create(code="f", name="F")
        proc = Procedure.objects.create(code="3.000347", name="GPLX", field=field, level="tinh")
        v = Version.objects.create(procedure=proc, number=1, effective_from="2025-07-01", name="x")
        for order, (name, amount, note) in enumerate(
            [
                ("Lệ phí cấp giấy phép lái xe", 135000, "135.000 đồng/lần"),
                ("Lệ phí cấp giấy phép lái xe (nộp trực tuyến)", 115000, ""),
                ("Phí chứng thực", 2000, "2.000 đồng/trang; từ trang thứ 3 trở lên thu "
                 "1.000 đồng/trang, tối đa không quá 200.000 đồng/bản"),
            ]
        ):  # fmt: skip
            FeeItem.objects.create(version=v, order=order, name=name, amount_vnd=amount, note=note)
        apps = _migrate(AFTER)
        FeeItem = apps.get_model("catalog", "FeeItem")
        got = [
            (f.kind, f.computation, f.amount_vnd, f.channels)
            for f in FeeItem.objects.order_by("order")
        ]
        assert got == [
            ("le_phi", "fixed", 135000, [1, 3]),
            ("le_phi", "fixed", 115000, [2]),
            ("phi", "tiered", 2000, []),
        ]
        assert apps.get_model("catalog", "FeePolicy").objects.count() == len(policy_rows())
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_command_loads_missing_policies_audited(db):
    from io import StringIO

    from django.core.management import call_command

    from motcua.core.models import AuditEntry

    load_policies(FeePolicy)
    FeePolicy.objects.filter(code="tt63-2023-ho-chieu-truc-tuyen").delete()
    out = StringIO()
    call_command("catalog", "load-fee-policies", stdout=out)
    assert "created\ttt63-2023-ho-chieu-truc-tuyen\tCONFIRMED" in out.getvalue()
    assert out.getvalue().count("present\t") == len(policy_rows()) - 1
    assert AuditEntry.objects.filter(operation="fee_policy_save").count() == 1
