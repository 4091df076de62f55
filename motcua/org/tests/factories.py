"""factory_boy factories for the organisation app (usable by other apps' tests)."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from motcua.core.identifiers import make_personal_id, make_tax_code
from motcua.org.enums import AgencyKind, ApplicantKind, Role, UnitKind
from motcua.org.models import AdministrativeUnit, Agency, Applicant, StaffRole


def sequential_tax_code(n: int) -> str:
    """A distinct valid tax code per n (skips the nine digits with no check digit)."""
    for last in range(10):
        try:
            return make_tax_code(240_000_000 + 10 * n + last)
        except ValueError:
            continue
    raise AssertionError("unreachable: one in eleven at most has no check digit")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("mat-khau-123")


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("code", "valid_from")

    code = "24"
    name = "Bắc Ninh"
    kind = UnitKind.PROVINCE
    valid_from = dt.date(2025, 7, 1)


class CommuneFactory(ProvinceFactory):
    code = factory.Sequence(lambda n: f"{90000 + n:05d}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    kind = UnitKind.COMMUNE
    parent = factory.SubFactory(ProvinceFactory)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"000.00.{n:02d}.H05")
    name = factory.Sequence(lambda n: f"Sở thử nghiệm {n}")
    kind = AgencyKind.DEPARTMENT
    unit = factory.SubFactory(ProvinceFactory)


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.SPECIALIST


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    user = factory.SubFactory(UserFactory)
    kind = ApplicantKind.PERSON
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    personal_id = factory.Sequence(lambda n: make_personal_id(24, "male", 1990, n))


class BusinessApplicantFactory(ApplicantFactory):
    kind = ApplicantKind.BUSINESS
    personal_id = ""
    tax_code = factory.Sequence(lambda n: sequential_tax_code(n))
