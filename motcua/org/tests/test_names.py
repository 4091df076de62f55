"""Names in Vietnamese order, and the place name of a unit."""

import pytest
from django.contrib.auth import get_user_model

from motcua.org.enums import UnitKind
from motcua.org.models import AdministrativeUnit
from motcua.org.names import person_name, place_name


def test_person_name_is_ho_ten_dem_ten():
    User = get_user_model()
    assert person_name(User(username="x", last_name="Hoàng", first_name="Tiến Hùng")) == (
        "Hoàng Tiến Hùng"
    )
    assert person_name(User(username="qt", first_name="Quản trị")) == "Quản trị"
    assert person_name(User(username="tt.tinh.motcua")) == "tt.tinh.motcua"
    assert person_name(None) == ""
    # Decomposed input is composed (NFC).
    assert person_name(
        User(username="x", last_name="Tra\u0302\u0300n", first_name="Thi\u0323 A")
    ) == ("Trần Thị A")


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("Tỉnh Bắc Ninh", "Bắc Ninh"),
        ("Bắc Ninh", "Bắc Ninh"),
        ("Thành phố Hà Nội", "Hà Nội"),
        ("Xã Yên Thế", "Yên Thế"),
        ("Phường Kinh Bắc", "Kinh Bắc"),
        ("Phường 5", "Phường 5"),
        ("Đặc khu Vân Đồn", "Vân Đồn"),
        ("Thị trấn Chờ", "Chờ"),
    ],
)
def test_place_name_is_the_units_name_without_its_kind(name, place):
    assert place_name(AdministrativeUnit(name=name, kind=UnitKind.COMMUNE)) == place


@pytest.mark.django_db
def test_demo_staff_names_print_in_vietnamese_order():
    """The demo stores họ in last_name and the rest in first_name (province._staff)."""
    import random

    from motcua.demo.generator import names

    full, _ = names.person(random.Random(3))
    last, first = full.split(" ", 1)
    User = get_user_model()
    user = User.objects.create_user(username="u", last_name=last, first_name=first)
    assert person_name(user) == full
