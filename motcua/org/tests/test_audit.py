"""Agencies and staff roles: each service call writes exactly one audit entry, with its
actor and the object before → after; a refused or rolled-back call writes none; the admin
saves through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from motcua.core.errors import ValidationFailed
from motcua.core.models import AuditEntry
from motcua.core.tests.admin_forms import form_data
from motcua.org.enums import AgencyKind, Role
from motcua.org.models import Agency, StaffRole
from motcua.org.services import (
    agency_change,
    agency_close,
    agency_create,
    staff_assign_role,
    staff_revoke_role,
    staff_role_change,
)

from .factories import AgencyFactory, ProvinceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss():
    return UserFactory(username="qtv.tinh")


def only_entry() -> AuditEntry:
    (entry,) = AuditEntry.objects.all()
    return entry


def agency_snapshot(agency: Agency, **override):
    return {
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "unit": agency.unit_id,
        "parent": agency.parent_id,
        "address": agency.address,
        "phone": agency.phone,
        "valid_from": agency.valid_from.isoformat(),
        "valid_to": None,
        "successor": None,
        **override,
    }


def test_agency_create_is_recorded(boss):
    province = ProvinceFactory()
    agency = agency_create(
        code="000.00.27.H04",
        name="Sở Tư pháp",
        kind=AgencyKind.DEPARTMENT,
        unit=province,
        phone=" 0222 ",
        actor=boss,
    )
    entry = only_entry()
    assert (entry.actor, entry.action, entry.operation, entry.object_type, entry.object_id) == (
        boss,
        "created",
        "agency_create",
        "org.agency",
        str(agency.pk),
    )
    assert entry.before is None
    assert entry.after == agency_snapshot(agency, phone="0222", valid_from="2025-07-01")


def test_agency_change_records_before_and_after(boss):
    agency = AgencyFactory(name="Sở Tư Pháp")
    before = agency_snapshot(agency)
    agency_change(agency=agency, actor=boss, name="Sở Tư pháp", address="Số 1, Lý Thái Tổ")
    entry = only_entry()
    assert (entry.actor, entry.action, entry.operation) == (boss, "changed", "agency_change")
    assert entry.before == before
    assert entry.after == {**before, "name": "Sở Tư pháp", "address": "Số 1, Lý Thái Tổ"}


def test_agency_close_is_an_end(boss):
    agency, successor = AgencyFactory(), AgencyFactory()
    agency_close(
        agency=agency,
        valid_to=dt.date(2026, 6, 30),
        successor=successor,
        actor=boss,
        reason="Nghị quyết sáp nhập",
    )
    entry = only_entry()
    assert (entry.action, entry.reason) == ("ended", "Nghị quyết sáp nhập")
    assert (entry.before["valid_to"], entry.before["successor"]) == (None, None)
    assert (entry.after["valid_to"], entry.after["successor"]) == ("2026-06-30", successor.pk)


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"valid_to": dt.date(2025, 1, 1)}, "invalid_validity", "valid_to"),
        ({"code": "000.00.99.H99"}, "field_not_changeable", "code"),
        ({"name": "  "}, "required", "name"),
        ({"kind": AgencyKind.COMMUNE_CENTER}, "unit_level_mismatch", "unit"),
    ],
)
def test_a_refused_agency_change_changes_and_records_nothing(boss, changes, code, field):
    agency = AgencyFactory()
    before = agency_snapshot(agency)
    with pytest.raises(ValidationFailed) as err:
        agency_change(agency=agency, actor=boss, **changes)
    assert (err.value.code, err.value.field) == (code, field)
    agency.refresh_from_db()
    assert agency_snapshot(agency) == before
    assert AuditEntry.objects.count() == 0


def test_a_rolled_back_agency_change_leaves_no_entry(boss):
    agency = AgencyFactory(name="Cũ")
    with pytest.raises(RuntimeError), transaction.atomic():
        agency_change(agency=agency, actor=boss, name="Mới")
        assert AuditEntry.objects.count() == 1  # written in the same transaction
        raise RuntimeError("the caller fails after the service")
    agency.refresh_from_db()
    assert (agency.name, AuditEntry.objects.count()) == ("Cũ", 0)


def role_snapshot(sr: StaffRole, **override):
    return {
        "user": sr.user_id,
        "agency": sr.agency_id,
        "role": sr.role,
        "title": sr.title,
        "active": sr.active,
        "valid_from": None,
        "valid_to": None,
        **override,
    }


def test_assign_revoke_and_reassign_each_write_one_entry(boss):
    user, agency = UserFactory(), AgencyFactory()
    sr = staff_assign_role(
        user=user, agency=agency, role=Role.SPECIALIST, title="Chuyên viên", actor=boss
    )
    entry = only_entry()
    assert (entry.actor, entry.action, entry.operation, entry.object_type) == (
        boss,
        "created",
        "staff_assign_role",
        "org.staffrole",
    )
    assert (entry.before, entry.after) == (None, role_snapshot(sr, active=True))

    staff_revoke_role(user=user, agency=agency, role=Role.SPECIALIST, actor=boss, reason="Nghỉ hưu")
    staff_revoke_role(user=user, agency=agency, role=Role.SPECIALIST, actor=boss)  # harmless
    ended = AuditEntry.objects.filter(action="ended")
    assert ended.count() == 1
    assert (ended[0].before["active"], ended[0].after["active"], ended[0].reason) == (
        True,
        False,
        "Nghỉ hưu",
    )

    staff_assign_role(user=user, agency=agency, role=Role.SPECIALIST, actor=None)
    back = AuditEntry.objects.filter(operation="staff_assign_role", action="changed").get()
    assert (back.actor, back.actor_label, back.before["active"], back.after["active"]) == (
        None,
        "hệ thống",
        False,
        True,
    )
    assert AuditEntry.objects.count() == 3


def test_staff_role_validity_change_is_recorded(boss):
    sr = staff_assign_role(user=UserFactory(), agency=AgencyFactory(), role=Role.LEADER)
    staff_role_change(
        staff_role=sr,
        actor=boss,
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        reason="Quyết định biệt phái",
    )
    entry = AuditEntry.objects.get(operation="staff_role_change")
    assert (entry.actor, entry.action, entry.reason) == (boss, "changed", "Quyết định biệt phái")
    assert entry.before == role_snapshot(sr, active=True)
    assert entry.after == role_snapshot(
        sr, active=True, valid_from="2026-01-01", valid_to="2026-12-31"
    )
    staff_role_change(staff_role=sr, actor=boss, active=False)
    assert (
        AuditEntry.objects.get(operation="staff_role_change", action="ended").after["active"]
        is False
    )


def test_a_refused_staff_role_change_records_nothing(boss):
    sr = staff_assign_role(user=UserFactory(), agency=AgencyFactory(), role=Role.LEADER)
    with pytest.raises(ValidationFailed) as err:
        staff_role_change(
            staff_role=sr, actor=boss, valid_from=dt.date(2026, 2, 1), valid_to=dt.date(2026, 1, 1)
        )
    assert err.value.code == "invalid_validity"
    sr.refresh_from_db()
    assert (sr.valid_from, sr.valid_to) == (None, None)
    assert AuditEntry.objects.filter(operation="staff_role_change").count() == 0


def test_a_refused_assignment_records_nothing(boss):
    with pytest.raises(ValidationFailed):
        staff_assign_role(
            user=UserFactory(is_active=False), agency=AgencyFactory(), role=Role.LEADER, actor=boss
        )
    assert AuditEntry.objects.count() == 0


# ------------------------------------------------------------------------------- admin


def test_the_agency_admin_saves_through_the_service(admin_client, admin_user):
    agency = AgencyFactory(name="Sở Cũ")
    url = f"/admin/org/agency/{agency.pk}/change/"
    page = admin_client.get(url)
    done = admin_client.post(url, form_data(page, name="Sở Mới", valid_to="2026-06-30"))
    assert done.status_code == 302, done.content.decode()[:2000]
    entry = only_entry()
    assert (entry.actor, entry.action, entry.operation) == (admin_user, "ended", "agency_change")
    assert (entry.before["name"], entry.after["name"]) == ("Sở Cũ", "Sở Mới")
    # a refusal of the service comes back as a message; nothing is written
    bad = admin_client.post(
        url, form_data(page, name="Sở Khác", kind=AgencyKind.COMMUNE_CENTER), follow=True
    )
    assert bad.redirect_chain == [(url, 302)]
    assert "(unit_level_mismatch)" in bad.content.decode()
    assert AuditEntry.objects.count() == 1
    agency.refresh_from_db()
    assert (agency.name, agency.kind) == ("Sở Mới", AgencyKind.DEPARTMENT)


def test_the_staff_role_admin_adds_and_changes_through_the_services(admin_client, admin_user):
    user, agency = UserFactory(), AgencyFactory()
    page = admin_client.get("/admin/org/staffrole/add/")
    done = admin_client.post(
        "/admin/org/staffrole/add/",
        form_data(page, user=user.pk, agency=agency.pk, role=Role.COUNTER, title="Một cửa"),
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    sr = StaffRole.objects.get()
    assert (sr.user, sr.role, sr.title, sr.active) == (user, Role.COUNTER, "Một cửa", True)
    entry = only_entry()
    assert (entry.actor, entry.action, entry.operation) == (
        admin_user,
        "created",
        "staff_assign_role",
    )
    url = f"/admin/org/staffrole/{sr.pk}/change/"
    page = admin_client.get(url)
    done = admin_client.post(url, form_data(page, valid_to="2026-12-31"))
    assert done.status_code == 302
    changed = AuditEntry.objects.get(operation="staff_role_change")
    assert (changed.actor, changed.before["valid_to"], changed.after["valid_to"]) == (
        admin_user,
        None,
        "2026-12-31",
    )
    assert (
        admin_client.post(f"/admin/org/staffrole/{sr.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert StaffRole.objects.count() == 1


def test_the_agency_admin_adds_through_the_service(admin_client, admin_user):
    province = ProvinceFactory()
    page = admin_client.get("/admin/org/agency/add/")
    done = admin_client.post(
        "/admin/org/agency/add/",
        form_data(
            page,
            code="000.00.27.h04",
            name="Sở Tư pháp",
            kind=AgencyKind.DEPARTMENT,
            unit=province.pk,
            valid_from="2025-07-01",
        ),
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    agency = Agency.objects.get()
    assert agency.code == "000.00.27.H04"  # normalized by the service
    entry = only_entry()
    assert (entry.actor, entry.action, entry.operation, entry.object_id) == (
        admin_user,
        "created",
        "agency_create",
        str(agency.pk),
    )
