import datetime as dt

import pytest
from django.core.management import call_command
from vietnam_provinces import Ward

from motcua.core.errors import ValidationFailed
from motcua.org.enums import UnitKind
from motcua.org.models import AdministrativeUnit
from motcua.org.services import CURRENT_UNITS_FROM, legacy_units_load, units_load

pytestmark = pytest.mark.django_db

BAC_NINH_WARDS = sum(1 for w in Ward.iter_all() if int(w.province_code) == 24)


def current(code):
    return AdministrativeUnit.objects.get(code=code, valid_from=CURRENT_UNITS_FROM)


def legacy(code):
    return AdministrativeUnit.objects.get(code=code, valid_to=dt.date(2025, 6, 30))


def test_units_load_bac_ninh_only():
    written = units_load(province_codes=[24])

    assert written == 1 + BAC_NINH_WARDS
    assert AdministrativeUnit.objects.count() == 1 + BAC_NINH_WARDS
    province = current("24")
    assert (province.name, province.kind, province.parent_id) == (
        "Bắc Ninh",
        UnitKind.PROVINCE,
        None,
    )
    assert province.children.count() == BAC_NINH_WARDS
    yen_the = current("07288")
    assert (yen_the.name, yen_the.kind, yen_the.parent_id) == (
        "Xã Yên Thế",
        UnitKind.COMMUNE,
        province.pk,
    )
    assert current("07210").kind == UnitKind.WARD  # Phường Bắc Giang
    assert current("07210").name == "Phường Bắc Giang"
    assert AdministrativeUnit.objects.filter(valid_to__isnull=False).count() == 0


def test_units_load_is_idempotent_and_repairs_changes():
    units_load(province_codes=[24])
    AdministrativeUnit.objects.filter(code="07288").update(name="sai tên")

    assert units_load(province_codes=[24]) == 1
    assert units_load(province_codes=[24]) == 0
    assert AdministrativeUnit.objects.count() == 1 + BAC_NINH_WARDS
    assert current("07288").name == "Xã Yên Thế"


def test_units_load_unknown_province_writes_nothing():
    with pytest.raises(ValidationFailed) as exc:
        units_load(province_codes=[24, 27])
    assert (exc.value.code, exc.value.field) == ("unknown_province", "province_codes")
    assert "27" in exc.value.message_en
    assert AdministrativeUnit.objects.count() == 0


def test_units_load_all_special_zone_kind():
    units_load()
    assert (
        AdministrativeUnit.objects.filter(kind=UnitKind.PROVINCE).count()
        + AdministrativeUnit.objects.filter(kind=UnitKind.CITY).count()
        == 34
    )
    assert AdministrativeUnit.objects.filter(kind=UnitKind.CITY).count() == 6
    assert AdministrativeUnit.objects.filter(kind=UnitKind.SPECIAL_ZONE).count() == 13
    assert AdministrativeUnit.objects.count() == 34 + len(list(Ward.iter_all()))


def test_legacy_units_load_loads_successor_province_first():
    assert legacy_units_load() == 6
    assert (
        AdministrativeUnit.objects.filter(valid_from=CURRENT_UNITS_FROM).count()
        == 1 + BAC_NINH_WARDS
    )
    assert legacy_units_load() == 0


def test_successor_chain():
    legacy_units_load()
    new_bac_ninh = current("24")

    bac_giang = legacy("24")
    assert (bac_giang.name, bac_giang.kind) == ("Bắc Giang", UnitKind.PROVINCE)
    assert bac_giang.successor == new_bac_ninh
    assert legacy("27").successor == new_bac_ninh
    assert bac_giang.current() == new_bac_ninh
    assert new_bac_ninh.current() == new_bac_ninh

    district = legacy("215")
    assert (district.name, district.kind, district.parent) == (
        "Huyện Yên Thế",
        UnitKind.DISTRICT,
        bac_giang,
    )
    assert district.current() == current("07288")
    assert district.current().name == "Xã Yên Thế"
    assert legacy("07288").current().name == "Xã Yên Thế"
    assert legacy("07291").current().name == "Xã Yên Thế"
    assert legacy("07237").current().name == "Xã Bố Hạ"
    assert {u.parent_id for u in district.children.all()} == {district.pk}
    assert district.children.count() == 3


def test_unit_validity_on_dates():
    legacy_units_load()
    bac_giang, new_bac_ninh = legacy("24"), current("24")

    assert bac_giang.is_valid_on(dt.date(2025, 6, 30))
    assert not bac_giang.is_valid_on(dt.date(2025, 7, 1))
    assert not new_bac_ninh.is_valid_on(dt.date(2025, 6, 30))
    assert new_bac_ninh.is_valid_on(dt.date(2030, 1, 1))

    # Codes are reused over time: each unit answers for its own period.
    def valid_on(day, **filters):
        units = AdministrativeUnit.objects.filter(**filters).order_by("code")
        return [u for u in units if u.is_valid_on(day)]

    assert valid_on(dt.date(2024, 1, 1), code="24") == [bac_giang]
    assert valid_on(dt.date(2025, 7, 1), code="24") == [new_bac_ninh]
    assert valid_on(dt.date(2025, 7, 1), code="27") == []

    provinces_2024 = valid_on(dt.date(2024, 1, 1), kind=UnitKind.PROVINCE)
    assert [u.name for u in provinces_2024] == ["Bắc Giang", "Bắc Ninh"]
    assert [u.code for u in provinces_2024] == ["24", "27"]
    assert [u.name for u in valid_on(dt.date(2024, 1, 1), parent=legacy("215"))] == [
        "Thị trấn Bố Hạ",
        "Thị trấn Phồn Xương",
        "Xã Tân Sỏi",
    ]
    # Phồn Xương town only since 2020 (approximate, see fixtures/README.md).
    assert legacy("07288") not in valid_on(dt.date(2019, 1, 1))
    assert len(valid_on(dt.date(2025, 7, 1), parent=new_bac_ninh)) == BAC_NINH_WARDS


def test_command_load_units(capsys):
    call_command("org", "load-units", "--province", "24")
    out = capsys.readouterr().out
    assert f"Đơn vị hiện hành: {1 + BAC_NINH_WARDS} tạo mới" in out
    assert "đơn vị cũ: 6 tạo mới" in out
    assert AdministrativeUnit.objects.count() == 1 + BAC_NINH_WARDS + 6
