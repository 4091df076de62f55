import datetime as dt
import unicodedata

import pytest
from django.contrib.auth import get_user_model

from motcua.core.errors import ValidationFailed
from motcua.core.identifiers import make_personal_id
from motcua.org.enums import AgencyKind, ApplicantKind, Role, UnitKind
from motcua.org.models import Agency, Applicant, StaffRole
from motcua.org.services import (
    agency_create,
    applicant_register,
    staff_assign_role,
    staff_revoke_role,
)

from .factories import AgencyFactory, CommuneFactory, ProvinceFactory, UserFactory

pytestmark = pytest.mark.django_db

PID = make_personal_id(24, "female", 1990, 123)
TAX = "0100109106"


# --- agencies ---------------------------------------------------------------------------


def test_agency_create():
    province = ProvinceFactory()
    center = agency_create(
        code=" 000.00.01.h05 ",
        name="Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh",
        kind=AgencyKind.PROVINCIAL_CENTER,
        unit=province,
    )
    assert (center.code, center.kind, center.unit, center.valid_from) == (
        "000.00.01.H05",
        AgencyKind.PROVINCIAL_CENTER,
        province,
        dt.date(2025, 7, 1),
    )
    commune = CommuneFactory(parent=province)
    child = agency_create(
        code="000.01.01.H05", name="UBND xã", kind="commune_committee", unit=commune, parent=center
    )
    assert child.parent == center


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("", "invalid_agency_code"),
        ("   ", "invalid_agency_code"),
        ("000-00-01-H05", "invalid_agency_code"),
        ("000.00.01.H05 X", "invalid_agency_code"),
        ("Đ00.00.01", "invalid_agency_code"),
        ("1" * 33, "invalid_agency_code"),
    ],
)
def test_agency_code_checked(code, error):
    province = ProvinceFactory()
    with pytest.raises(ValidationFailed) as exc:
        agency_create(code=code, name="Sở Tư pháp", kind="department", unit=province)
    assert (exc.value.code, exc.value.field) == (error, "code")
    assert Agency.objects.count() == 0


def test_agency_code_32_chars_accepted():
    agency = agency_create(code="1" * 32, name="Sở", kind="department", unit=ProvinceFactory())
    assert agency.code == "1" * 32


def test_agency_duplicate_code():
    province = ProvinceFactory()
    agency_create(code="000.00.01.H05", name="Sở A", kind="department", unit=province)
    with pytest.raises(ValidationFailed) as exc:
        agency_create(code="000.00.01.h05", name="Sở B", kind="department", unit=province)
    assert (exc.value.code, exc.value.field) == ("duplicate_agency_code", "code")
    assert "000.00.01.H05" in exc.value.message
    assert list(Agency.objects.values_list("name", flat=True)) == ["Sở A"]


def test_agency_kind_and_unit_level_checked():
    province = ProvinceFactory()
    commune = CommuneFactory(parent=province)
    with pytest.raises(ValidationFailed) as exc:
        agency_create(code="A1", name="X", kind="ministry", unit=province)
    assert (exc.value.code, exc.value.field) == ("invalid_kind", "kind")
    with pytest.raises(ValidationFailed) as exc:
        agency_create(code="A1", name="X", kind="commune_center", unit=province)
    assert (exc.value.code, exc.value.field) == ("unit_level_mismatch", "unit")
    with pytest.raises(ValidationFailed) as exc:
        agency_create(code="A1", name="X", kind="provincial_center", unit=commune)
    assert (exc.value.code, exc.value.field) == ("unit_level_mismatch", "unit")
    with pytest.raises(ValidationFailed) as exc:
        agency_create(code="A1", name="  ", kind="department", unit=province)
    assert (exc.value.code, exc.value.field) == ("required", "name")
    assert (
        agency_create(code="A1", name="Chi cục Thuế", kind="vertical", unit=commune).unit == commune
    )
    assert Agency.objects.count() == 1


def test_agency_on_abolished_unit_refused():
    old = ProvinceFactory(
        code="27", name="Bắc Ninh", valid_from=dt.date(1997, 1, 1), valid_to=dt.date(2025, 6, 30)
    )
    with pytest.raises(ValidationFailed) as exc:
        agency_create(code="A1", name="Sở", kind="department", unit=old)
    assert (exc.value.code, exc.value.field) == ("unit_not_valid", "unit")
    historic = agency_create(
        code="A1", name="Sở", kind="department", unit=old, valid_from=dt.date(2020, 1, 1)
    )
    assert historic.unit == old


# --- staff roles ------------------------------------------------------------------------


def test_staff_assign_and_revoke_role():
    user, agency = UserFactory(), AgencyFactory()
    role = staff_assign_role(
        user=user, agency=agency, role=Role.COUNTER, title="Chuyên viên  một cửa"
    )
    assert (role.role, role.title, role.active) == (Role.COUNTER, "Chuyên viên một cửa", True)

    again = staff_assign_role(user=user, agency=agency, role="counter")
    assert again.pk == role.pk
    assert again.title == "Chuyên viên một cửa"

    revoked = staff_revoke_role(user=user, agency=agency, role="counter")
    assert revoked.pk == role.pk and revoked.active is False
    assert staff_revoke_role(user=user, agency=agency, role="counter").active is False

    back = staff_assign_role(user=user, agency=agency, role="counter", title="Tổ trưởng")
    assert (back.pk, back.active, back.title) == (role.pk, True, "Tổ trưởng")
    assert StaffRole.objects.count() == 1


def test_staff_roles_refused():
    user, agency = UserFactory(), AgencyFactory()
    with pytest.raises(ValidationFailed) as exc:
        staff_assign_role(user=user, agency=agency, role="boss")
    assert (exc.value.code, exc.value.field) == ("invalid_role", "role")
    with pytest.raises(ValidationFailed) as exc:
        staff_revoke_role(user=user, agency=agency, role="leader")
    assert (exc.value.code, exc.value.field) == ("role_not_held", "role")

    user.is_active = False
    with pytest.raises(ValidationFailed) as exc:
        staff_assign_role(user=user, agency=agency, role="leader")
    assert exc.value.code == "inactive_user"

    closed = AgencyFactory(valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2025, 6, 30))
    with pytest.raises(ValidationFailed) as exc:
        staff_assign_role(user=UserFactory(), agency=closed, role="leader")
    assert (exc.value.code, exc.value.field) == ("agency_not_active", "agency")
    assert StaffRole.objects.count() == 0


# --- applicants -------------------------------------------------------------------------


def test_register_citizen():
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Thị Hoà")
    applicant = applicant_register(
        username="hoa",
        password="mat-khau-123",
        kind="person",
        full_name=decomposed,
        personal_id=f" {PID} ",
        phone="0912 345 678",
        email="hoa@example.vn",
        address=unicodedata.normalize("NFD", "Xã Yên Thế, Bắc Ninh"),
    )
    applicant.refresh_from_db()
    assert applicant.full_name == "Nguyễn Thị Hoà"
    assert unicodedata.is_normalized("NFC", applicant.full_name)
    assert unicodedata.is_normalized("NFC", applicant.address)
    assert (applicant.kind, applicant.personal_id, applicant.tax_code) == (
        ApplicantKind.PERSON,
        PID,
        "",
    )
    assert applicant.phone == "0912345678"
    assert applicant.identifier == PID
    assert applicant.user.check_password("mat-khau-123")


def test_register_business():
    applicant = applicant_register(
        username="vnpt",
        password="mat-khau-123",
        kind="business",
        full_name="Công ty ABC",
        tax_code="0100109106-001",
    )
    assert (applicant.tax_code, applicant.personal_id, applicant.identifier) == (
        "0100109106-001",
        "",
        "0100109106-001",
    )


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"kind": "person", "personal_id": ""}, "invalid_personal_id", "personal_id"),
        ({"kind": "person", "personal_id": "099190000123"}, "invalid_personal_id", "personal_id"),
        ({"kind": "person", "personal_id": "02419000012"}, "invalid_personal_id", "personal_id"),
        ({"kind": "business", "tax_code": ""}, "invalid_tax_code", "tax_code"),
        ({"kind": "business", "tax_code": "0100109107"}, "invalid_tax_code", "tax_code"),
        ({"kind": "person", "personal_id": PID, "tax_code": "123"}, "invalid_tax_code", "tax_code"),
        ({"kind": "robot", "personal_id": PID}, "invalid_kind", "kind"),
        ({"kind": "person", "personal_id": PID, "full_name": " "}, "name_required", "full_name"),
        ({"kind": "person", "personal_id": PID, "username": ""}, "required", "username"),
        ({"kind": "person", "personal_id": PID, "phone": "12ab"}, "invalid_phone", "phone"),
        ({"kind": "person", "personal_id": PID, "email": "a@"}, "invalid_email", "email"),
        (
            {"kind": "person", "personal_id": PID, "password": "short"},
            "invalid_password",
            "password",
        ),
    ],
)
def test_register_refused(kwargs, code, field):
    args = {"username": "u1", "password": "mat-khau-123", "full_name": "Lê Văn A"} | kwargs
    with pytest.raises(ValidationFailed) as exc:
        applicant_register(**args)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert Applicant.objects.count() == 0
    assert get_user_model().objects.count() == 0


def test_register_duplicates():
    applicant_register(
        username="a", password="mat-khau-123", kind="person", full_name="A", personal_id=PID
    )
    applicant_register(
        username="b", password="mat-khau-123", kind="business", full_name="B", tax_code=TAX
    )

    cases = [
        (
            {"username": "c", "kind": "person", "personal_id": PID},
            "duplicate_personal_id",
            "personal_id",
        ),
        ({"username": "c", "kind": "business", "tax_code": TAX}, "duplicate_tax_code", "tax_code"),
        (
            {
                "username": "A",
                "kind": "person",
                "personal_id": make_personal_id(1, "male", 1980, 1),
            },
            "duplicate_username",
            "username",
        ),
    ]
    for kwargs, code, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            applicant_register(password="mat-khau-123", full_name="C", **kwargs)
        assert (exc.value.code, exc.value.field) == (code, field)
        assert exc.value.message.endswith("đã được đăng ký cho một tài khoản khác.")
    assert Applicant.objects.count() == 2
    assert get_user_model().objects.count() == 2


def test_unit_factories_levels():
    commune = CommuneFactory()
    assert commune.parent.kind == UnitKind.PROVINCE
