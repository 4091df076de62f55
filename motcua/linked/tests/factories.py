"""The dossiers' test province plus what a linked application needs: commune police, a
social-insurance agency, the residence and health-insurance procedures, and the chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model

from motcua.catalog.enums import AgencyRole, Level, LinkedStart, OnlineLevel, TimeUnit
from motcua.catalog.models import (
    Component,
    Field,
    LinkedMember,
    LinkedProcedure,
    Procedure,
    ProcedureAgency,
    ProcedureVersion,
    ProcessStep,
)
from motcua.catalog.tests.factories import add_limits
from motcua.dossiers import services as s
from motcua.dossiers.tests.factories import PDF, World, make_world, vn
from motcua.org.enums import AgencyKind, Role
from motcua.org.models import AdministrativeUnit, Agency, StaffRole

T0 = vn(2026, 3, 4, 9, 0)


@dataclass
class LinkedWorld:
    w: World
    police_a: Agency
    police_b: Agency
    insurance: Agency
    residence: Procedure
    card: Procedure
    linked: LinkedProcedure
    staff: dict  # (agency code, role) -> user


def _staff(agency: Agency, staff: dict) -> None:
    for role in Role.values:
        user = get_user_model().objects.create_user(username=f"{agency.code}-{role}", password="x")
        StaffRole.objects.create(user=user, agency=agency, role=role)
        staff[(agency.code, role)] = user


def add_version(
    proc: Procedure,
    components: list[str],
    number: int = 1,
    effective_from: dt.date = dt.date(2020, 1, 1),
    optional: tuple[str, ...] = (),
) -> ProcedureVersion:
    """A version offered online with a three-day limit, its components and a four-step
    process (counter, specialist and leader of the settling agency, counter)."""
    version = ProcedureVersion.objects.create(
        procedure=proc,
        number=number,
        effective_from=effective_from,
        name=proc.name,
        channels=[1, 2],
        online_level=OnlineLevel.FULL,
    )
    add_limits(version, Decimal(3), TimeUnit.WORKING_DAYS)
    for i, c in enumerate(components, 1):
        Component.objects.create(
            version=version, order=i, name=c, original_count=1, required=c not in optional
        )
    plan = [
        ("Tiếp nhận", Role.COUNTER, AgencyRole.RECEIVING, Decimal("1")),
        ("Thẩm định", Role.SPECIALIST, AgencyRole.SETTLING, Decimal("18.5")),
        ("Phê duyệt", Role.LEADER, AgencyRole.SETTLING, Decimal("2")),
        ("Trả kết quả", Role.COUNTER, AgencyRole.RECEIVING, Decimal("1")),
    ]
    for i, (n, r, a, h) in enumerate(plan, 1):
        ProcessStep.objects.create(
            version=version, order=i, name=n, role=r, agency_role=a, duration_hours=h
        )
    return version


def _procedure(code: str, name: str, components: list[str]) -> Procedure:
    fld, _ = Field.objects.get_or_create(code="lien-thong", defaults={"name": "Liên thông"})
    proc = Procedure.objects.create(code=code, name=name, field=fld, level=Level.COMMUNE)
    add_version(proc, components)
    return proc


def make_linked_world() -> LinkedWorld:
    w = make_world()
    province = AdministrativeUnit.objects.get(code="24")
    staff: dict = {}
    police = []
    for side, code in ((w.a, "A"), (w.b, "B")):
        agency = Agency.objects.create(
            code=f"000.{code}.30.H24",
            name=f"Công an xã {code}",
            kind=AgencyKind.VERTICAL,
            unit=side.center.unit,
        )
        _staff(agency, staff)
        police.append(agency)
    insurance = Agency.objects.create(
        code="000.00.31.H24",
        name="Bảo hiểm xã hội tỉnh Bắc Ninh",
        kind=AgencyKind.SOCIAL_INSURANCE,
        unit=province,
    )
    _staff(insurance, staff)
    residence = _procedure(
        "1.004222",
        "Đăng ký thường trú",
        ["Tờ khai thay đổi thông tin cư trú (CT01)", "Tờ khai đăng ký khai sinh"],
    )
    card = _procedure(
        "LT.BHYT6",
        "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        ["Tờ khai tham gia bảo hiểm y tế (TK1-TS)"],
    )
    for side, pol in ((w.a, police[0]), (w.b, police[1])):
        ProcedureAgency.objects.create(procedure=residence, agency=pol, role=AgencyRole.SETTLING)
        for proc in (residence, card):
            ProcedureAgency.objects.create(
                procedure=proc, agency=side.center, role=AgencyRole.RECEIVING
            )
    ProcedureAgency.objects.create(procedure=card, agency=insurance, role=AgencyRole.SETTLING)
    linked_proc = Procedure.objects.create(
        code="2.000986",
        name="Liên thông khai sinh, thường trú, thẻ BHYT cho trẻ em dưới 6 tuổi",
        field=w.procedure.field,
        level=Level.COMMUNE,
    )
    ProcedureVersion.objects.create(
        procedure=linked_proc,
        number=1,
        effective_from=dt.date(2020, 1, 1),
        name=linked_proc.name,
        channels=[1],
    )
    linked = LinkedProcedure.objects.create(procedure=linked_proc)
    LinkedMember.objects.create(
        linked=linked,
        order=1,
        procedure=w.procedure,
        agency_kind=AgencyKind.COMMUNE_COMMITTEE,
        start=LinkedStart.AT_ONCE,
        data_keys=["child_name", "birth_date"],
    )
    LinkedMember.objects.create(
        linked=linked,
        order=2,
        procedure=residence,
        agency_kind=AgencyKind.VERTICAL,
        data_keys=["child_name", "address"],
    )
    LinkedMember.objects.create(
        linked=linked,
        order=3,
        procedure=card,
        agency_kind=AgencyKind.SOCIAL_INSURANCE,
        data_keys=["child_name", "birth_date"],
    )
    for side in (w.a, w.b):
        for role in Role.values:
            staff[(side.center.code, role)] = side.staff[f"c:{role}"]
            staff[(side.settling.code, role)] = side.staff[f"s:{role}"]
    return LinkedWorld(w, police[0], police[1], insurance, residence, card, linked, staff)


DATA = {"child_name": "Nguyễn Thị Bống", "birth_date": "01/03/2026", "address": "Thôn Đông"}


def files_for(parts) -> dict:
    return {p.key: [(f"{p.key}.pdf", PDF)] for p in parts if p.required}


def settle(lw: LinkedWorld, dossier, at) -> object:
    """Take a member dossier from submitted to result returned, through the services: the
    counter of the receiving center, then the specialist and leader of its settling agency."""
    counter = lw.staff[(dossier.receiving_agency.code, Role.COUNTER)]
    specialist = lw.staff[(dossier.settling_agency.code, Role.SPECIALIST)]
    leader = lw.staff[(dossier.settling_agency.code, Role.LEADER)]
    t = at
    d = s.dossier_receive(dossier_id=dossier.pk, actor=counter, at=t)
    t += dt.timedelta(minutes=10)
    d = s.dossier_forward(dossier_id=d.pk, actor=counter, at=t)
    t += dt.timedelta(hours=1)
    d = s.dossier_forward(dossier_id=d.pk, actor=specialist, at=t)
    t += dt.timedelta(hours=1)
    d = s.dossier_approve(dossier_id=d.pk, actor=leader, result_note="Đã cấp", at=t)
    t += dt.timedelta(hours=1)
    return s.dossier_return_result(dossier_id=d.pk, actor=counter, at=t)
