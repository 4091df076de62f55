"""Declared days and working hours: one audit entry per service call, with the actor and
before → after; none for a refused or rolled-back call; the admin goes through them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from motcua.core.errors import ValidationFailed
from motcua.core.models import AuditEntry
from motcua.core.tests.admin_forms import form_data
from motcua.workcalendar.models import DeclaredDay, WorkingHours
from motcua.workcalendar.services import (
    declared_day_delete,
    declared_day_set,
    working_hours_delete,
    working_hours_set,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 3, 8)


@pytest.fixture
def boss():
    return get_user_model().objects.create_user("qtv.lich", password="x")


def test_declaring_changing_and_withdrawing_a_day_are_recorded(boss):
    day = declared_day_set(
        date=DAY, kind="day_off", name="Nghỉ bù", actor=boss, reason="Thông báo 123/TB-BNV"
    )
    (created,) = AuditEntry.objects.all()
    assert (created.actor, created.action, created.operation, created.object_type) == (
        boss,
        "created",
        "declared_day_set",
        "workcalendar.declaredday",
    )
    assert (created.object_id, created.before, created.reason) == (
        str(day.pk),
        None,
        "Thông báo 123/TB-BNV",
    )
    assert created.after == {"date": "2027-03-08", "kind": "day_off", "name": "Nghỉ bù"}

    declared_day_set(date=DAY, kind="working_day", name="Làm bù", actor=None)
    changed = AuditEntry.objects.get(action="changed")
    assert (changed.actor_id, changed.before, changed.after) == (
        None,
        {"date": "2027-03-08", "kind": "day_off", "name": "Nghỉ bù"},
        {"date": "2027-03-08", "kind": "working_day", "name": "Làm bù"},
    )
    declared_day_set(date=DAY, kind="working_day", name="Làm bù", actor=boss)  # no change
    assert AuditEntry.objects.count() == 2

    pk = day.pk
    declared_day_delete(date=DAY, actor=boss)
    deleted = AuditEntry.objects.get(action="deleted")
    assert (deleted.actor, deleted.object_id, deleted.before, deleted.after) == (
        boss,
        str(pk),
        {"date": "2027-03-08", "kind": "working_day", "name": "Làm bù"},
        None,
    )
    assert AuditEntry.objects.count() == 3


def test_refused_and_rolled_back_declarations_leave_no_entry(boss):
    with pytest.raises(ValidationFailed):
        declared_day_set(date=DAY, kind="holiday?", name="x", actor=boss)
    with pytest.raises(RuntimeError), transaction.atomic():
        declared_day_set(date=DAY, kind="day_off", name="Nghỉ", actor=boss)
        raise RuntimeError("the caller fails after the service")
    assert (DeclaredDay.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_working_hours_are_recorded(boss, agency):
    times = {
        "morning_start": dt.time(7),
        "morning_end": dt.time(11, 30),
        "afternoon_start": dt.time(13),
        "afternoon_end": dt.time(16, 30),
    }
    working_hours_set(agency=agency, actor=boss, **times)
    created = AuditEntry.objects.get()
    assert (created.actor, created.action, created.object_type) == (
        boss,
        "created",
        "workcalendar.workinghours",
    )
    assert created.after == {
        "agency": agency.pk,
        "morning_start": "07:00:00",
        "morning_end": "11:30:00",
        "afternoon_start": "13:00:00",
        "afternoon_end": "16:30:00",
    }
    working_hours_set(agency=agency, actor=boss, **{**times, "afternoon_end": dt.time(17)})
    changed = AuditEntry.objects.get(action="changed")
    assert (changed.before["afternoon_end"], changed.after["afternoon_end"]) == (
        "16:30:00",
        "17:00:00",
    )
    with pytest.raises(ValidationFailed):
        working_hours_set(agency=agency, actor=boss, **{**times, "morning_end": dt.time(6)})
    working_hours_delete(agency=agency, actor=boss)
    assert AuditEntry.objects.get(action="deleted").before["afternoon_end"] == "17:00:00"
    assert AuditEntry.objects.count() == 3
    assert WorkingHours.objects.filter(agency=agency).count() == 0


def test_the_admin_declares_and_withdraws_through_the_services(admin_client, admin_user):
    page = admin_client.get("/admin/workcalendar/declaredday/add/")
    done = admin_client.post(
        "/admin/workcalendar/declaredday/add/",
        form_data(page, date="2027-03-08", kind="day_off", name="Nghỉ bù Tết"),
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    day = DeclaredDay.objects.get()
    assert (day.created_by, day.name) == (admin_user, "Nghỉ bù Tết")
    created = AuditEntry.objects.get()
    assert (created.actor, created.action) == (admin_user, "created")
    gone = admin_client.post(f"/admin/workcalendar/declaredday/{day.pk}/delete/", {"post": "yes"})
    assert gone.status_code == 302
    assert DeclaredDay.objects.count() == 0
    deleted = AuditEntry.objects.get(action="deleted")
    assert (deleted.actor, deleted.object_id) == (admin_user, str(day.pk))


def test_the_command_records_its_source_and_who(boss):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "calendar",
        "declare",
        "--date",
        "2027-03-08",
        "--kind",
        "day_off",
        "--name",
        "Nghỉ bù",
        "--source",
        "Thông báo 123/TB-BNV",
        "--by",
        "qtv.lich",
        stdout=out,
    )
    call_command("calendar", "undeclare", "--date", "2027-03-08", stdout=out)
    created, deleted = AuditEntry.objects.order_by("id")
    assert (created.actor, created.action, created.reason) == (
        boss,
        "created",
        "Thông báo 123/TB-BNV",
    )
    assert (deleted.actor_id, deleted.actor_label, deleted.action) == (None, "hệ thống", "deleted")
