"""A small province for tests: two receiving centers, two settling agencies, staff for every
role in each, one applicant per kind, and a procedure with a four-step internal process."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from motcua.catalog.enums import AgencyRole, Level, OnlineLevel, TimeUnit
from motcua.catalog.models import (
    Component,
    FeeItem,
    Field,
    Procedure,
    ProcedureAgency,
    ProcedureVersion,
    ProcessStep,
)
from motcua.catalog.tests.factories import add_limits
from motcua.org.enums import AgencyKind, ApplicantKind, Role, UnitKind
from motcua.org.models import AdministrativeUnit, Agency, Applicant, StaffRole

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def vn(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


@dataclass
class Side:
    center: Agency
    settling: Agency
    staff: dict[str, object] = field(default_factory=dict)  # role -> user


@dataclass
class World:
    a: Side
    b: Side
    citizen: object
    citizen2: object
    business: object
    procedure: Procedure
    version: ProcedureVersion
    components: list[Component]
    steps: list[ProcessStep]
    admin: object


def _user(username: str, **kw):
    return get_user_model().objects.create_user(username=username, password="x", **kw)


def _side(prefix: str, unit: AdministrativeUnit) -> Side:
    center = Agency.objects.create(
        code=f"000.{prefix}.01.H24",
        name=f"Trung tâm PVHCC {prefix}",
        kind=AgencyKind.COMMUNE_CENTER,
        unit=unit,
    )
    settling = Agency.objects.create(
        code=f"000.{prefix}.02.H24",
        name=f"UBND {prefix}",
        kind=AgencyKind.COMMUNE_COMMITTEE,
        unit=unit,
    )
    side = Side(center=center, settling=settling)
    for role in Role.values:
        for agency, tag in ((center, "c"), (settling, "s")):
            user = _user(f"{prefix}-{tag}-{role}")
            StaffRole.objects.create(user=user, agency=agency, role=role)
            side.staff[f"{tag}:{role}"] = user
    return side


def applicant(username: str, kind=ApplicantKind.PERSON, ident="001203000123") -> object:
    user = _user(username)
    Applicant.objects.create(
        user=user,
        kind=kind,
        full_name=f"Nguyễn Văn {username}",
        personal_id=ident if kind == ApplicantKind.PERSON else "",
        tax_code=ident if kind == ApplicantKind.BUSINESS else "",
        phone="0912345678",
        email=f"{username}@example.vn",
        address="Bắc Ninh",
    )
    return user


def make_world(limit_days: int = 3) -> World:
    province = AdministrativeUnit.objects.create(code="24", name="Bắc Ninh", kind=UnitKind.PROVINCE)
    ua = AdministrativeUnit.objects.create(
        code="07000", name="Xã A", kind=UnitKind.COMMUNE, parent=province
    )
    ub = AdministrativeUnit.objects.create(
        code="07001", name="Xã B", kind=UnitKind.COMMUNE, parent=province
    )
    a, b = _side("A", ua), _side("B", ub)
    fld = Field.objects.create(code="ho-tich", name="Hộ tịch")
    proc = Procedure.objects.create(
        code="1.001193",
        name="Đăng ký khai sinh",
        field=fld,
        level=Level.COMMUNE,
        search_key="dang ky khai sinh 1 001193",
    )
    version = ProcedureVersion.objects.create(
        procedure=proc,
        number=1,
        effective_from=dt.date(2020, 1, 1),
        name=proc.name,
        channels=[1, 2, 3],
        online_level=OnlineLevel.FULL,
        paper_result_required=True,
    )
    add_limits(version, Decimal(limit_days), TimeUnit.WORKING_DAYS)
    comps = [
        Component.objects.create(
            version=version, order=1, name="Tờ khai đăng ký khai sinh", original_count=1
        ),
        # Optional, so that dossiers with the declaration alone can be submitted.
        Component.objects.create(
            version=version, order=2, name="Giấy chứng sinh", original_count=1, required=False
        ),
    ]
    FeeItem.objects.create(version=version, order=1, name="Lệ phí", amount_vnd=8000)
    hours = Decimal(limit_days) * Decimal("7.5")
    plan = [
        ("Tiếp nhận", Role.COUNTER, AgencyRole.RECEIVING, Decimal("1")),
        ("Thẩm định", Role.SPECIALIST, AgencyRole.SETTLING, hours - Decimal("4")),
        ("Phê duyệt", Role.LEADER, AgencyRole.SETTLING, Decimal("2")),
        ("Trả kết quả", Role.COUNTER, AgencyRole.RECEIVING, Decimal("1")),
    ]
    steps = [
        ProcessStep.objects.create(
            version=version, order=i + 1, name=n, role=r, agency_role=s, duration_hours=h
        )
        for i, (n, r, s, h) in enumerate(plan)
    ]
    for side in (a, b):
        ProcedureAgency.objects.create(
            procedure=proc, agency=side.settling, role=AgencyRole.SETTLING
        )
        ProcedureAgency.objects.create(
            procedure=proc, agency=side.center, role=AgencyRole.RECEIVING
        )
    admin = get_user_model().objects.create_superuser(username="root", password="x")
    return World(
        a=a,
        b=b,
        citizen=applicant("citizen"),
        citizen2=applicant("citizen2", ident="001203000124"),
        business=applicant("biz", ApplicantKind.BUSINESS, "0100109106"),
        procedure=proc,
        version=version,
        components=comps,
        steps=steps,
        admin=admin,
    )
