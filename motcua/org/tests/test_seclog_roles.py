"""role_changed in the security log: staff roles through their services and the admin,
Django groups from either side, and the is_staff / is_superuser flags; who changed whom,
old → new, once committed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from motcua.org.enums import Role
from motcua.org.services import staff_assign_role, staff_revoke_role, staff_role_change
from motcua.org.tests.factories import AgencyFactory
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return get_user_model().objects.create_user(
        "quantri", password="x", is_staff=True, is_superuser=True
    )


@pytest.fixture
def officer():
    return get_user_model().objects.create_user("canbo", password="x")


def test_staff_role_services(
    security_lines, admin_user, officer, django_capture_on_commit_callbacks
):
    agency = AgencyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        role = staff_assign_role(
            user=officer, agency=agency, role=Role.SPECIALIST, actor=admin_user
        )
        staff_role_change(staff_role=role, actor=admin_user, title="Chuyên viên chính")
        staff_revoke_role(user=officer, agency=agency, role=Role.SPECIALIST, actor=admin_user)
    lines = security_lines("role_changed")
    assert [line["operation"] for line in lines] == [
        "staff_assign_role",
        "staff_role_change",
        "staff_revoke_role",
    ]
    for line in lines:
        assert (line["user"], line["target_user"], line["target_user_id"]) == (
            "quantri",
            "canbo",
            officer.pk,
        )
        assert (line["agency"], line["role"], line["change"]) == (
            agency.code,
            Role.SPECIALIST,
            "staff_role",
        )
    assert lines[0]["old"] is None and lines[0]["new"]["active"] is True
    assert (lines[1]["old"]["title"], lines[1]["new"]["title"]) == ("", "Chuyên viên chính")
    assert (lines[2]["old"]["active"], lines[2]["new"]["active"]) == (True, False)


def test_staff_role_through_the_admin(
    security_lines, admin_user, officer, django_capture_on_commit_callbacks
):
    agency = AgencyFactory()
    client = Client()
    otp_login(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/admin/org/staffrole/add/",
            {
                "user": officer.pk,
                "agency": agency.pk,
                "role": Role.LEADER,
                "title": "",
                "active": "on",
            },
            REMOTE_ADDR="198.51.100.4",
        )
    assert r.status_code == 302, r.content.decode()[:3000]
    (line,) = security_lines("role_changed")
    assert (line["user"], line["target_user"], line["role"]) == ("quantri", "canbo", Role.LEADER)
    assert line["ip"] == "198.51.100.4"


def test_groups_from_either_side(security_lines, officer, django_capture_on_commit_callbacks):
    g1 = Group.objects.create(name="Kiểm tra")
    g2 = Group.objects.create(name="Báo cáo")
    with django_capture_on_commit_callbacks(execute=True):
        officer.groups.add(g1)
        g2.user_set.add(officer)
        officer.groups.remove(g1)
        officer.groups.clear()
    lines = [(x["old"], x["new"]) for x in security_lines("role_changed")]
    assert lines == [
        ([], ["Kiểm tra"]),
        (["Kiểm tra"], ["Báo cáo", "Kiểm tra"]),
        (["Báo cáo", "Kiểm tra"], ["Báo cáo"]),
        (["Báo cáo"], []),
    ]
    assert {x["change"] for x in security_lines("role_changed")} == {"groups"}
    assert {x["target_user"] for x in security_lines("role_changed")} == {"canbo"}


def test_staff_and_superuser_flags_in_the_admin(
    security_lines, admin_user, officer, django_capture_on_commit_callbacks
):
    client = Client()
    otp_login(client, admin_user)
    security_lines.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/admin/auth/user/{officer.pk}/change/",
            {
                "username": "canbo",
                "is_active": "on",
                "is_staff": "on",
                "date_joined_0": "2026-01-01",
                "date_joined_1": "08:00:00",
                "initial-date_joined_0": "2026-01-01",
                "initial-date_joined_1": "08:00:00",
            },
        )
    assert r.status_code == 302, r.content.decode()[:3000]
    (line,) = security_lines("role_changed")
    assert (line["change"], line["old"], line["new"]) == ("is_staff", False, True)
    assert (line["user"], line["target_user"]) == ("quantri", "canbo")


def test_flags_saved_without_change_or_by_last_login_write_nothing(
    security_lines, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        officer.first_name = "Lan"
        officer.save()
        officer.save(update_fields=["last_login"])
        get_user_model().objects.create_user("thuong", password="x")
        get_user_model().objects.create_superuser("goc", password="x")
        officer.is_superuser = True
        officer.save(update_fields=["is_superuser"])
    lines = [
        (x["target_user"], x["change"], x["old"], x["new"]) for x in security_lines("role_changed")
    ]
    assert lines == [
        ("goc", "is_staff", None, True),
        ("goc", "is_superuser", None, True),
        ("canbo", "is_superuser", False, True),
    ]
