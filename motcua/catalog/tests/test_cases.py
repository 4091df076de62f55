"""Conditional components: the case each component of a real record applies in."""

import pytest

from motcua.catalog import cases
from motcua.catalog.importer import catalog_export, catalog_import
from motcua.catalog.models import Component, ProcedureVersion

from .conftest import D0

pytestmark = pytest.mark.django_db


def test_derive_cases_reads_names_and_case_headings():
    rows = [
        ("Tờ khai đăng ký khai sinh", ""),
        ("Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản …", ""),
        ("Trường hợp trẻ em bị bỏ rơi thì phải có biên bản …", "Giấy tờ phải nộp"),
        ("Danh sách chủ sở hữu hưởng lợi của doanh nghiệp (nếu có)", "Đăng ký thành lập"),
        ("Văn bản ủy quyền … trong trường hợp ủy quyền thực hiện", "Giấy tờ phải nộp"),
        ("Đơn đề nghị cấp giấy phép", "(1.7) Đối với công trình nhà ở riêng lẻ"),
        ("Bản vẽ thiết kế", "(1.7) Đối với công trình nhà ở riêng lẻ"),
        ("Quyết định phê duyệt dự án", "(1.1) Đối với công trình không theo tuyến"),
        ("Hợp đồng thuê nhà", "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ"),
        (
            "Giấy tờ quan hệ nhân thân",
            "Đăng ký thường trú tại chỗ ở hợp pháp không thuộc quyền sở hữu của mình đối "
            "với những trường hợp quy định tại khoản 2 Điều 20 Luật Cư trú",
        ),
        ("Hộ chiếu", "Giấy tờ phải xuất trình"),
    ]
    assert cases.derive_cases(rows) == [
        "",
        "",
        "Trường hợp trẻ em bị bỏ rơi thì phải có biên bản …",
        "Danh sách chủ sở hữu hưởng lợi của doanh nghiệp (nếu có)",
        "Văn bản ủy quyền … trong trường hợp ủy quyền thực hiện",
        "(1.7) Đối với công trình nhà ở riêng lẻ",
        "(1.7) Đối với công trình nhà ở riêng lẻ",
        "(1.1) Đối với công trình không theo tuyến",
        # A sibling heading of a case heading ("Đăng ký thường trú …") is an alternative.
        "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ",
        rows[9][1],
        "",
    ]


def test_needed_is_the_required_flag_or_the_declared_case():
    plain = Component(name="Tờ khai", required=True, case="")
    optional = Component(name="Ảnh", required=False, case="")
    cased = Component(name="Văn bản ủy quyền", required=False, case="Trường hợp ủy quyền")
    assert [cases.needed(c) for c in (plain, optional, cased)] == [True, False, False]
    declared = ["Trường hợp ủy quyền"]
    assert [cases.needed(c, declared) for c in (plain, optional, cased)] == [True, False, True]


def test_the_importer_keeps_the_case_and_export_round_trips_it(catalog):
    permit = ProcedureVersion.objects.get(procedure__code="1.013225")
    found = cases.cases_of(permit.components.all())
    assert "(1.7) Đối với công trình nhà ở riêng lẻ" in found
    assert "(1.1) Đối với công trình không theo tuyến" in found
    khai_sinh = ProcedureVersion.objects.get(procedure__code="1.001193")
    unconditional = [c.name[:20] for c in khai_sinh.components.all() if not c.case]
    assert unconditional == [
        "Giấy chứng sinh; trư",
        "Hộ chiếu/Thẻ căn cướ",
        "Tờ khai đăng ký khai",
        "Mẫu hộ tịch điện tử ",
    ]
    exported = catalog_export()
    assert all("case" in c for r in exported for c in r["components"])
    again = catalog_import(records=exported, effective_from=D0)
    assert again.errors == [] and again.created == [] and again.updated == []


def test_an_explicit_case_in_the_record_wins(records):
    record = dict(records[0])
    record["components"] = [
        {"name": "Tờ khai", "original": 1, "case": ""},
        {"name": "Trường hợp ủy quyền: văn bản ủy quyền", "original": 1, "case": "Ủy quyền"},
        {"name": "Giấy tờ (nếu có)", "original": 1},
    ]
    report = catalog_import(records=[record], effective_from=D0)
    assert report.errors == []
    v = ProcedureVersion.objects.get(procedure__code=record["code"])
    assert [c.case for c in v.components.all()] == ["", "Ủy quyền", "Giấy tờ (nếu có)"]
