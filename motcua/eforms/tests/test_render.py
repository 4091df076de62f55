"""The form's page data: the administrative unit picker (province → commune, former units
for old addresses, a search by name without accents), prefill from the store, the
verified mark and locked inputs."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone

from motcua.eforms.answers import Prefilled
from motcua.eforms.prefill import prefill_for
from motcua.eforms.render import form_context
from motcua.org.enums import UnitKind
from motcua.org.tests.factories import ApplicantFactory, CommuneFactory, ProvinceFactory
from motcua.store.models import StoreDocument

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 6)


@pytest.fixture
def units():
    province = ProvinceFactory()
    tan_yen = CommuneFactory(code="07777", name="Xã Tân Yên", parent=province)
    CommuneFactory(code="07778", name="Phường Kinh Bắc", kind=UnitKind.WARD, parent=province)
    old = ProvinceFactory(
        code="18", name="Bắc Giang", valid_from=dt.date(2008, 8, 1), valid_to=dt.date(2025, 6, 30)
    )
    district = CommuneFactory(
        code="0213",
        name="Huyện Tân Yên",
        kind=UnitKind.DISTRICT,
        parent=old,
        valid_from=dt.date(2008, 8, 1),
        valid_to=dt.date(2025, 6, 30),
    )
    CommuneFactory(
        code="07780",
        name="Thị trấn Cao Thượng",
        kind=UnitKind.TOWNSHIP,
        parent=district,
        valid_from=dt.date(2008, 8, 1),
        valid_to=dt.date(2025, 6, 30),
        successor=tan_yen,
    )
    return province


def _picker(doc, value):
    ctx = form_context(doc, {"nguoi_yeu_cau": {"noi_cu_tru": value}}, today=TODAY)
    return next(f for f in ctx["eform"]["sections"][0]["fields"] if f["type"] == "admin_unit")


def test_province_then_its_communes(doc, units):
    picker = _picker(doc, {"province": units.code})
    assert [p["name"] for p in picker["provinces"]] == ["Bắc Ninh"]  # today's only
    assert [c["name"] for c in picker["communes"]] == ["Phường Kinh Bắc", "Xã Tân Yên"]


def test_former_units_for_old_addresses(doc, units):
    picker = _picker(doc, {"province": "18", "former": True})
    assert [(p["name"], p["chosen"]) for p in picker["provinces"]] == [
        ("Bắc Giang", True),
        ("Bắc Ninh", False),
    ]
    # under the former district, with the date it ended
    assert [c["name"] for c in picker["communes"]] == [
        "Thị trấn Cao Thượng, Bắc Giang (trước 01/07/2025)"
    ]


def test_search_by_name_without_accents(doc, units):
    picker = _picker(doc, {"q": "cao thuong", "former": True})
    assert [c["name"] for c in picker["communes"]] == [
        "Thị trấn Cao Thượng, Bắc Giang (trước 01/07/2025)"
    ]
    assert _picker(doc, {"q": "cao thuong"})["communes"] == []  # former units not asked for


def test_a_stored_old_address_shows_as_it_was(doc, units):
    picker = _picker(doc, {"code": "07780", "valid_on": "2025-06-30"})
    assert picker["unit_label"] == "Thị trấn Cao Thượng, Bắc Giang (trước 01/07/2025)"
    assert picker["former"] is True


def test_verified_mark_and_locked_input(doc):
    prefill = {"nguoi_yeu_cau.ho_ten": Prefilled("Nguyễn Thị Mai", verified=True, locked=True)}
    html = render_to_string(
        "eforms/fields.html", form_context(doc, {}, prefill=prefill, today=TODAY)
    )
    assert 'id="f-nguoi-yeu-cau-ho-ten-verified">✔ Đã xác thực từ VNeID</p>' in html
    assert 'value="Nguyễn Thị Mai"' in html
    tag = html.split('id="f-nguoi-yeu-cau-ho-ten" name="f.nguoi_yeu_cau.ho_ten"', 1)[1].split(
        ">", 1
    )[0]
    assert "readonly" in tag and 'aria-describedby="f-nguoi-yeu-cau-ho-ten-verified"' in tag


def test_prefill_from_the_store(doc):
    doc["layout"][3]["fields"][1]["prefill"] = "store.giay_khai_sinh.number"
    applicant = ApplicantFactory()
    StoreDocument.objects.create(
        owner=applicant,
        doc_type="Giấy khai sinh",
        number="123/2020/KS",
        file=ContentFile(b"%PDF-1.4 x", name="ks.pdf"),
        original_name="ks.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_at=timezone.now(),
    )
    got = prefill_for(doc, applicant)["ghi_chu"]
    assert (got.value, got.verified, got.locked, got.source) == (
        "123/2020/KS",
        False,
        False,
        "store.giay_khai_sinh.number",
    )
