"""The audit trail: what `record` writes, that nothing rewrites it, and its admin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction

from motcua.core.audit import history, jsonable, record, snapshot
from motcua.core.models import AppendOnly, AuditAction, AuditEntry
from motcua.org.enums import AgencyKind
from motcua.org.tests.factories import AgencyFactory, UserFactory
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db


def test_jsonable_writes_dates_iso_decimals_as_strings_choices_as_values():
    assert jsonable(
        {
            "day": dt.date(2026, 1, 2),
            "at": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
            "time": dt.time(15, 30),
            "hours": Decimal("7.50"),
            "kind": AgencyKind.DEPARTMENT,
            "list": (1, None, True),
        }
    ) == {
        "day": "2026-01-02",
        "at": "2026-01-02T03:04:00+00:00",
        "time": "15:30:00",
        "hours": "7.50",
        "kind": "department",
        "list": [1, None, True],
    }
    assert type(jsonable(AgencyKind.DEPARTMENT)) is str
    with pytest.raises(TypeError):
        jsonable(object())


def test_snapshot_keeps_foreign_keys_as_ids():
    agency = AgencyFactory(valid_to=dt.date(2026, 6, 30))
    assert snapshot(agency, ["code", "unit", "parent", "valid_to"]) == {
        "code": agency.code,
        "unit": agency.unit_id,
        "parent": None,
        "valid_to": "2026-06-30",
    }


def test_record_writes_who_what_before_and_after():
    user = UserFactory(username="qt.vien")
    agency = AgencyFactory(name="Sở Tư pháp")
    entry = record(
        actor=user,
        action=AuditAction.CHANGED,
        operation="agency_change",
        obj=agency,
        before={"name": "Sở Tư Pháp"},
        after={"name": "Sở Tư pháp"},
        reason="Quyết định 12/QĐ-UBND",
    )
    assert entry is not None
    entry = AuditEntry.objects.get()
    assert (
        entry.actor,
        entry.actor_label,
        entry.action,
        entry.operation,
        entry.object_type,
        entry.object_id,
        entry.object_label,
        entry.before,
        entry.after,
        entry.reason,
    ) == (
        user,
        "qt.vien",
        "changed",
        "agency_change",
        "org.agency",
        str(agency.pk),
        "Sở Tư pháp",
        {"name": "Sở Tư Pháp"},
        {"name": "Sở Tư pháp"},
        "Quyết định 12/QĐ-UBND",
    )
    assert list(history(agency)) == [entry]


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_the_system_and_anonymous_are_recorded_without_a_user(actor):
    agency = AgencyFactory()
    record(actor=actor, action="created", operation="x", obj=agency, before=None, after={"a": 1})
    entry = AuditEntry.objects.get()
    assert (entry.actor_id, entry.actor_label) == (None, "hệ thống")


def test_a_change_that_changes_nothing_writes_nothing():
    agency = AgencyFactory()
    same = {"name": agency.name}
    assert (
        record(actor=None, action="changed", operation="x", obj=agency, before=same, after=same)
        is None
    )
    assert AuditEntry.objects.count() == 0


def _entry() -> AuditEntry:
    agency = AgencyFactory()
    entry = record(
        actor=None, action="created", operation="x", obj=agency, before=None, after={"a": 1}
    )
    assert entry is not None
    return entry


def test_an_entry_cannot_be_changed_or_deleted_through_the_orm():
    entry = _entry()
    entry.reason = "sửa lại"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="sửa lại")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get().reason == ""


def test_the_database_refuses_an_update_in_sql():
    entry = _entry()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET reason = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get().reason == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite: the test runner's flush deletes rows, so only UPDATE is refused in SQL",
)
def test_the_database_refuses_a_delete_in_sql():
    entry = _entry()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.count() == 1


def test_a_user_who_acted_cannot_be_deleted():
    from django.db.models import ProtectedError

    user = UserFactory()
    record(actor=user, action="created", operation="x", obj=AgencyFactory(), before=None, after={})
    with pytest.raises(ProtectedError):
        user.delete()


# ------------------------------------------------------------------------------- admin

URL = "/admin/core/auditentry/"


def test_the_admin_list_renders_filters_and_searches(admin_client):
    one, other = AgencyFactory(name="Sở Nội vụ"), AgencyFactory(name="Sở Tư pháp")
    admin = get_user_model().objects.get(username="admin")
    record(actor=admin, action="created", operation="agency_create", obj=one, before=None, after={})
    record(
        actor=None, action="ended", operation="agency_change", obj=other, before={}, after={"v": 1}
    )
    page = admin_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nhật ký thay đổi" in html or "nhật ký thay đổi" in html
    assert "Sở Nội vụ" in html and "Sở Tư pháp" in html
    assert [e.object_label for e in page.context["cl"].result_list] == ["Sở Tư pháp", "Sở Nội vụ"]
    ended = admin_client.get(URL, {"action": "ended"})
    assert [e.object_label for e in ended.context["cl"].result_list] == ["Sở Tư pháp"]
    by_type = admin_client.get(URL, {"object_type": "org.agency"})
    assert by_type.context["cl"].result_count == 2
    found = admin_client.get(URL, {"q": "Nội vụ"})
    assert [e.object_label for e in found.context["cl"].result_list] == ["Sở Nội vụ"]
    by_actor = admin_client.get(URL, {"actor__id__exact": admin.pk})
    assert [e.object_label for e in by_actor.context["cl"].result_list] == ["Sở Nội vụ"]
    entry = AuditEntry.objects.get(object_label="Sở Tư pháp")
    detail = admin_client.get(f"{URL}{entry.pk}/change/")
    assert detail.status_code == 200
    assert "hệ thống" in detail.content.decode()


def test_the_admin_cannot_add_change_or_delete(admin_client):
    entry = _entry()
    assert admin_client.get(f"{URL}add/").status_code == 403
    assert admin_client.post(f"{URL}{entry.pk}/change/", {"reason": "x"}).status_code == 403
    assert admin_client.post(f"{URL}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get().reason == ""


def test_the_admin_list_refuses_non_staff(client):
    user = UserFactory(username="citizen")
    otp_login(client, user)
    page = client.get(URL)
    assert page.status_code == 302
    assert page["Location"].startswith("/admin/login/")
    staff = UserFactory(username="staff-no-perm", is_staff=True)
    otp_login(client, staff)
    assert client.get(URL).status_code == 403


def test_the_history_button_of_an_audited_model_opens_its_trail(admin_client):
    one, other = AgencyFactory(), AgencyFactory()
    for agency in (one, other):
        record(actor=None, action="created", operation="x", obj=agency, before=None, after={})
    page = admin_client.get(f"/admin/org/agency/{one.pk}/history/", follow=True)
    assert page.redirect_chain[-1][0] == (f"{URL}?object_type=org.agency&object_id={one.pk}")
    assert [e.object_id for e in page.context["cl"].result_list] == [str(one.pk)]


def test_an_entry_made_by_a_request_carries_its_id(admin_client):
    from motcua.workcalendar.models import DeclaredDay

    data = {"date": "2027-03-08", "kind": "day_off", "name": "Nghỉ bù"}
    done = admin_client.post(
        "/admin/workcalendar/declaredday/add/", data, HTTP_X_REQUEST_ID="nginx-3f2a9c"
    )
    assert done.status_code == 302 and done["X-Request-ID"] == "nginx-3f2a9c"
    assert AuditEntry.objects.get().request_id == "nginx-3f2a9c"
    DeclaredDay.objects.all().delete()
    # no id (or an unusable one) given: one is made, and echoed
    done = admin_client.post(
        "/admin/workcalendar/declaredday/add/", data, HTTP_X_REQUEST_ID="bad id\n"
    )
    made = AuditEntry.objects.get(action="created", request_id__regex=r"^[0-9a-f]{32}$")
    assert done["X-Request-ID"] == made.request_id
    # outside a request (a command, a task): none
    entry = _entry()
    assert entry.request_id == ""
