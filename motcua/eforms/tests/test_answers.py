"""Server validation: every error at once, in Vietnamese and English, each naming its
field; clean data typed as the format says; hidden answers dropped; locked values kept."""

import datetime as dt

import pytest
from django.http import QueryDict

from motcua.core.identifiers import make_personal_id
from motcua.eforms.answers import Prefilled, read_post, validate
from motcua.org.enums import UnitKind
from motcua.org.tests.factories import CommuneFactory, ProvinceFactory

PID = make_personal_id(24, "female", 1990, 7)
TODAY = dt.date(2026, 12, 6)


def post(**fields) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, v in fields.items():
        name = k.replace("__", ".")
        if isinstance(v, list):
            q.setlist(name, v)
        else:
            q[name] = v
    return q


GOOD = {
    "f.nguoi_yeu_cau.ho_ten": "Nguyễn Thị Mai",
    "f.nguoi_yeu_cau.so_dinh_danh": PID,
    "f.nguoi_yeu_cau.ngay_sinh": "05/09/1990",
    "f.nguoi_yeu_cau.dien_thoai": "+84 912 345 678",
    "f.nguoi_yeu_cau.dan_toc": "01",
    "f.le_phi": "1.500.000",
    "f.nhan_ket_qua": "post",
    "f.cam_doan": "1",
}


def qd(d: dict, **lists) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, v in d.items():
        q[k] = v
    for k, v in lists.items():
        q.setlist(k, v)
    return q


@pytest.mark.django_db
def test_a_good_form_is_clean_and_typed(doc):
    q = qd(
        {
            **GOOD,
            "f.uy_quyen.nguoi_uy_quyen": "Trần Văn Bình",
            "n.con": "1",
            "f.con.0.ho_ten": "Nguyễn Văn An",
            "f.con.0.ngay_sinh": "2020-01-31",
        },
        **{"f.giay_to": ["ban_sao"]},
    )
    result = validate(doc, read_post(doc, q), today=TODAY)
    assert result.errors == []
    assert result.data == {
        "nguoi_yeu_cau": {
            "ho_ten": "Nguyễn Thị Mai",
            "so_dinh_danh": PID,
            "ngay_sinh": "1990-09-05",
            "dien_thoai": "0912345678",
            "dan_toc": "01",
            "nop_thay": False,
        },
        # the authorisation section is hidden (nop_thay not ticked): dropped
        "con": [{"ho_ten": "Nguyễn Văn An", "ngay_sinh": "2020-01-31"}],
        "le_phi": 1500000,
        "giay_to": ["ban_sao"],
        "nhan_ket_qua": "post",
        "cam_doan": True,
    }


@pytest.mark.django_db
def test_every_error_at_once(doc):
    q = qd(
        {
            "f.nguoi_yeu_cau.ho_ten": "Mai 3",
            "f.nguoi_yeu_cau.so_dinh_danh": "12345",
            "f.nguoi_yeu_cau.ngay_sinh": "31/02/1990",
            "f.nguoi_yeu_cau.dien_thoai": "0123",
            "f.nguoi_yeu_cau.email": "mai@",
            "f.nguoi_yeu_cau.dan_toc": "99",
            "f.nguoi_yeu_cau.nop_thay": "1",
            "f.le_phi": "-5",
            "f.nhan_ket_qua": "bay",
            "n.con": "1",
            "f.con.0.ho_ten": "An",
            "f.con.0.ma_so_thue": "0100109107",
        },
        **{"f.giay_to": ["khac"]},
    )
    result = validate(doc, read_post(doc, q), today=TODAY)
    assert [(e.field, e.code) for e in result.errors] == [
        ("nguoi_yeu_cau.ho_ten", "invalid_name"),
        ("nguoi_yeu_cau.so_dinh_danh", "invalid_personal_id"),
        ("nguoi_yeu_cau.ngay_sinh", "invalid_date"),
        ("nguoi_yeu_cau.dien_thoai", "invalid_phone"),
        ("nguoi_yeu_cau.email", "invalid_email"),
        ("nguoi_yeu_cau.dan_toc", "invalid_choice"),
        ("uy_quyen.nguoi_uy_quyen", "field_required"),
        ("con.0.ngay_sinh", "field_required"),
        ("con.0.ma_so_thue", "invalid_tax_code"),
        ("le_phi", "invalid_money"),
        ("ghi_chu", "field_required"),
        ("nhan_ket_qua", "invalid_choice"),
        ("cam_doan", "field_required"),
    ]
    required = next(e for e in result.errors if e.field == "cam_doan")
    assert required.message == "Cần nhập «Tôi cam đoan nội dung khai là đúng sự thật»."
    assert required.message_en == "«I declare the above is true» is required."


@pytest.mark.django_db
def test_the_data_schema_still_applies(doc):
    q = qd({**GOOD, "f.le_phi": "200.000.000"})
    result = validate(doc, read_post(doc, q), today=TODAY)
    assert [(e.field, e.code) for e in result.errors] == [("le_phi", "schema_mismatch")]


@pytest.mark.django_db
def test_group_bounds(doc):
    raw = read_post(doc, qd(GOOD))
    raw["con"] = [{"ho_ten": f"Con Thứ {c}"} for c in "abcdef"]
    for item in raw["con"]:
        item["ngay_sinh"] = "01/01/2020"
    result = validate(doc, raw, today=TODAY)
    assert [(e.field, e.code) for e in result.errors] == [("con", "group_too_many")]


@pytest.mark.django_db
def test_api_json_answers_validate_the_same(doc):
    raw = {
        "nguoi_yeu_cau": {
            "ho_ten": "Nguyễn Thị Mai",
            "so_dinh_danh": PID,
            "ngay_sinh": "1990-09-05",
        },
        "le_phi": 1500000,
        "nhan_ket_qua": "counter",
        "cam_doan": True,
    }
    result = validate(doc, raw, today=TODAY)
    assert result.errors == []
    assert result.data["le_phi"] == 1500000
    assert result.data["nguoi_yeu_cau"]["ngay_sinh"] == "1990-09-05"


@pytest.mark.django_db
def test_locked_value_cannot_be_changed(doc):
    prefill = {
        "nguoi_yeu_cau.ho_ten": Prefilled("Nguyễn Thị Mai", verified=True, locked=True),
        "nguoi_yeu_cau.so_dinh_danh": Prefilled(PID, verified=True, locked=True),
    }
    tampered = qd({**GOOD, "f.nguoi_yeu_cau.ho_ten": "Lê Văn Giả"})
    result = validate(doc, read_post(doc, tampered), prefill=prefill, today=TODAY)
    assert [(e.field, e.code) for e in result.errors] == [
        ("nguoi_yeu_cau.ho_ten", "locked_field_changed")
    ]
    assert result.data["nguoi_yeu_cau"]["ho_ten"] == "Nguyễn Thị Mai"
    # Left out (a page without the field): the verified value is used.
    q = qd(GOOD)
    del q["f.nguoi_yeu_cau.ho_ten"]
    result = validate(doc, read_post(doc, q), prefill=prefill, today=TODAY)
    assert result.errors == []
    assert result.data["nguoi_yeu_cau"]["ho_ten"] == "Nguyễn Thị Mai"


@pytest.mark.django_db
def test_admin_unit_current_and_former(doc):
    province = ProvinceFactory()
    commune = CommuneFactory(code="07777", name="Xã Tân Yên", parent=province)
    old_province = ProvinceFactory(
        code="24", name="Bắc Giang", valid_from=dt.date(2008, 8, 1), valid_to=dt.date(2025, 6, 30)
    )
    old_district = CommuneFactory(
        code="0213",
        name="Huyện Tân Yên",
        kind=UnitKind.DISTRICT,
        parent=old_province,
        valid_from=dt.date(2008, 8, 1),
        valid_to=dt.date(2025, 6, 30),
    )
    CommuneFactory(
        code="07780",
        name="Thị trấn Cao Thượng",
        kind=UnitKind.TOWNSHIP,
        parent=old_district,
        valid_from=dt.date(2008, 8, 1),
        valid_to=dt.date(2025, 6, 30),
        successor=commune,
    )
    now = validate(
        doc,
        read_post(
            doc,
            qd(
                {
                    **GOOD,
                    "f.nguoi_yeu_cau.noi_cu_tru.province": province.code,
                    "f.nguoi_yeu_cau.noi_cu_tru.code": "07777",
                }
            ),
        ),
        today=TODAY,
    )
    assert now.errors == []
    assert now.data["nguoi_yeu_cau"]["noi_cu_tru"] == {"code": "07777", "valid_on": "2026-12-06"}
    old = validate(
        doc,
        read_post(
            doc,
            qd(
                {
                    **GOOD,
                    "f.nguoi_yeu_cau.noi_cu_tru.code": "07780",
                    "f.nguoi_yeu_cau.noi_cu_tru.former": "1",
                }
            ),
        ),
        today=TODAY,
    )
    assert old.errors == []
    assert old.data["nguoi_yeu_cau"]["noi_cu_tru"] == {"code": "07780", "valid_on": "2025-06-30"}
    wrong = validate(
        doc,
        {
            **read_post(doc, qd(GOOD)),
            "nguoi_yeu_cau": {
                **read_post(doc, qd(GOOD))["nguoi_yeu_cau"],
                "noi_cu_tru": {"code": "00000"},
            },
        },
        today=TODAY,
    )
    assert [(e.field, e.code) for e in wrong.errors] == [
        ("nguoi_yeu_cau.noi_cu_tru", "unknown_admin_unit")
    ]
