"""Procedure versions, their limits and their internal process write the audit trail:
one entry per service call with the actor and before → after; none on refusal or rollback;
the import records the versions it creates and closes; the admin goes through the
services; 0010 copied the old CatalogAuditEntry rows into the trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from motcua.catalog.importer import catalog_import
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import process_set_steps, version_change
from motcua.core.audit import audit_verify
from motcua.core.chain import GENESIS
from motcua.core.errors import ValidationFailed
from motcua.core.models import AuditEntry
from motcua.core.tests.admin_forms import form_data

from .conftest import D0, D1, by_code
from .factories import make_version

pytestmark = pytest.mark.django_db


def step(name="Xử lý", role="specialist", agency_role="settling", hours="1"):
    return {"name": name, "role": role, "agency_role": agency_role, "duration_hours": hours}


def as_json(order, name, role, agency_role, hours):
    return {
        "order": order,
        "name": name,
        "role": role,
        "agency_role": agency_role,
        "duration_hours": hours,
    }


@pytest.fixture
def boss():
    return get_user_model().objects.create_user("qtv.danhmuc", password="x")


def test_process_set_steps_records_the_steps_before_and_after(boss):
    v = make_version(value=Decimal(1))
    assert AuditEntry.objects.count() == 0  # make_version writes the ORM directly
    process_set_steps(version=v, steps=[step(hours="2")], actor=None)
    process_set_steps(
        version=v,
        steps=[step("Tiếp nhận", "counter", "receiving", "0.5"), step(hours="7")],
        actor=boss,
        reason="Quyết định 45/QĐ-UBND",
    )
    first, second = AuditEntry.objects.order_by("id")
    assert (first.actor_id, first.before, first.after) == (
        None,
        {"steps": []},
        {"steps": [as_json(1, "Xử lý", "specialist", "settling", "2.00")]},
    )
    assert (second.actor, second.action, second.operation, second.object_type) == (
        boss,
        "changed",
        "process_set_steps",
        "catalog.procedureversion",
    )
    assert (second.object_id, second.reason) == (str(v.pk), "Quyết định 45/QĐ-UBND")
    assert second.before == first.after
    assert second.after == {
        "steps": [
            as_json(1, "Tiếp nhận", "counter", "receiving", "0.50"),
            as_json(2, "Xử lý", "specialist", "settling", "7.00"),
        ]
    }
    # the same steps again: nothing changed, nothing recorded
    process_set_steps(
        version=v, steps=[step("Tiếp nhận", "counter", "receiving", "0.5"), step(hours="7")]
    )
    assert AuditEntry.objects.count() == 2


def test_a_refused_or_rolled_back_process_leaves_no_entry(boss):
    v = make_version(value=Decimal(1))
    with pytest.raises(ValidationFailed):
        process_set_steps(version=v, steps=[step(hours="8")], actor=boss)
    with pytest.raises(RuntimeError), transaction.atomic():
        process_set_steps(version=v, steps=[step(hours="2")], actor=boss)
        raise RuntimeError("the caller fails after the service")
    assert (v.steps.count(), AuditEntry.objects.count()) == (0, 0)


def test_the_import_records_each_version_it_creates_and_closes(catalog, records):
    created = AuditEntry.objects.filter(operation="catalog_import", action="created")
    assert created.count() == ProcedureVersion.objects.count() == 55
    v1 = ProcedureVersion.objects.get(procedure__code="1.001193")
    entry = created.get(object_id=str(v1.pk))
    assert (entry.actor_id, entry.object_type, entry.object_label) == (
        None,
        "catalog.procedureversion",
        "1.001193 v1",
    )
    assert entry.after["number"] == 1 and entry.after["effective_from"] == "2025-07-01"
    assert entry.after["time_limits"]["1"] == {
        "channel": 1,
        "value": "1.00",
        "unit": "working_days",
        "cutoff": None,
    }
    assert sum(Decimal(s["duration_hours"]) for s in entry.after["steps"]) == Decimal("7.5")

    # a changed record: the previous version is closed and the new one created, by the actor
    boss = get_user_model().objects.create_user("nhap", password="x")
    rec = by_code(records, "1.001193")
    rec["time_limit"] = {"value": 2, "unit": "ngày làm việc", "text": "2 Ngày làm việc"}
    before = AuditEntry.objects.count()
    catalog_import(records=[rec], effective_from=D1, actor=boss)
    ended = AuditEntry.objects.get(operation="version_close")
    assert (ended.actor, ended.action, ended.object_id) == (boss, "ended", str(v1.pk))
    assert (ended.before, ended.after) == ({"effective_to": None}, {"effective_to": "2025-12-31"})
    v2 = ProcedureVersion.objects.get(procedure__code="1.001193", number=2)
    new = AuditEntry.objects.get(operation="catalog_import", object_id=str(v2.pk))
    assert (new.actor, new.after["time_limits"]["1"]["value"]) == (boss, "2.00")
    assert AuditEntry.objects.count() == before + 2
    # the same record again: nothing changes, nothing is recorded
    catalog_import(records=[rec], effective_from=D1, actor=boss)
    assert AuditEntry.objects.count() == before + 2


def test_a_dry_run_import_records_nothing(records):
    catalog_import(records=records, effective_from=D0, dry_run=True)
    assert AuditEntry.objects.count() == 0


def test_version_change_records_only_what_changed(boss):
    v = make_version(value=Decimal(1))
    version_change(
        version=v,
        actor=boss,
        payment_pauses_clock=True,
        publication_decision="QĐ 1/QĐ-UBND",
        reason="Tạm dừng khi chờ nộp phí",
    )
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.operation, entry.reason) == (
        boss,
        "changed",
        "version_change",
        "Tạm dừng khi chờ nộp phí",
    )
    assert (entry.before, entry.after) == (
        {"payment_pauses_clock": None, "publication_decision": ""},
        {"payment_pauses_clock": True, "publication_decision": "QĐ 1/QĐ-UBND"},
    )
    with pytest.raises(ValidationFailed) as err:
        version_change(version=v, actor=boss, name="Tên khác")
    assert (err.value.code, err.value.field) == ("field_not_changeable", "name")
    with pytest.raises(ValidationFailed) as err:
        version_change(version=v, actor=boss, effective_to=v.effective_from - dt.timedelta(1))
    assert err.value.code == "invalid_validity"
    assert AuditEntry.objects.count() == 1


def test_the_version_admin_saves_through_the_services(admin_client, admin_user):
    v = make_version(value=Decimal(1))
    process_set_steps(version=v, steps=[step(hours="2")])
    url = f"/admin/catalog/procedureversion/{v.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    data = form_data(page, eligible_full_online=True)
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS") and k.startswith("steps"))[
        : -len("-TOTAL_FORMS")
    ]
    data[f"{prefix}-0-duration_hours"] = "3"
    done = admin_client.post(url, data)
    assert done.status_code == 302, done.content.decode()[:3000]
    changed = AuditEntry.objects.get(operation="version_change")
    assert (changed.actor, changed.before, changed.after) == (
        admin_user,
        {"eligible_full_online": False},
        {"eligible_full_online": True},
    )
    process = AuditEntry.objects.filter(operation="process_set_steps", actor=admin_user).get()
    assert (
        process.before["steps"][0]["duration_hours"],
        process.after["steps"][0]["duration_hours"],
    ) == ("2.00", "3.00")
    # a process over the limit is refused by the service: nothing of the save is kept
    data = form_data(admin_client.get(url), eligible_full_online=False)
    data[f"{prefix}-0-duration_hours"] = "9"
    bad = admin_client.post(url, data, follow=True)
    assert "(process_invalid)" in bad.content.decode()
    v.refresh_from_db()
    assert v.eligible_full_online is True
    assert [s.duration_hours for s in v.steps.all()] == [Decimal(3)]
    assert AuditEntry.objects.filter(actor=admin_user).count() == 2


# ------------------------------------------------------------------------- migration 0010


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_old_catalog_entries_are_copied_into_the_trail():
    apps = migrate(
        [("catalog", "0009_fill_component_case"), ("core", "0002_audit_entry_append_only")]
    )
    User = apps.get_model("auth", "User")
    Field = apps.get_model("catalog", "Field")
    Procedure = apps.get_model("catalog", "Procedure")
    Version = apps.get_model("catalog", "ProcedureVersion")
    Old = apps.get_model("catalog", "CatalogAuditEntry")
    user = User.objects.create(username="qtv.cu")
    proc = Procedure.objects.create(
        code="2.000815",
        name="Chứng thực",
        field=Field.objects.create(code="f", name="F"),
        level="xa",
    )
    version = Version.objects.create(
        procedure=proc, number=1, effective_from="2025-07-01", name="x"
    )
    at = dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC)
    after = {"channel": 1, "value": None, "unit": "same_day", "cutoff": "15:00"}
    Old.objects.create(
        at=at,
        actor=user,
        action="time_limit_set",
        procedure=proc,
        version=version,
        data={"source": "NĐ 23/2015, Điều 7", "channels": {"1": {"before": None, "after": after}}},
    )
    try:
        # Up to the hash chain (core 0003), which runs after the copy and chains it.
        migrate(
            [("catalog", "0011_drop_catalog_audit_entry"), ("core", "0003_audit_entry_hash_chain")]
        )
        entry = AuditEntry.objects.get()
        assert entry.prev_hash == GENESIS and audit_verify() == (1, entry.hash, None)
        assert (
            entry.at,
            entry.actor_id,
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
            at,
            user.pk,
            "qtv.cu",
            "changed",
            "time_limit_set",
            "catalog.procedureversion",
            str(version.pk),
            "2.000815 v1",
            {"time_limits": {"1": None}},
            {"time_limits": {"1": after}},
            "NĐ 23/2015, Điều 7",
        )
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
