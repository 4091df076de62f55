"""The one verdict, the regime helper, the pause rule, the payment pause (status 6) and the
apology's lead per regime (motcua.dossiers.deadlines, rules; docs/rules.md)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from motcua.core.errors import IllegalTransition
from motcua.dossiers import deadlines
from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier, Handover, Pause

from .conftest import advance, submit
from .factories import vn

pytestmark = pytest.mark.django_db  # the work calendar (declared days) is in the database

# advance() receives at 04/03/2026 09:10 (3 working days ⇒ due 09/03 09:10) and forwards at
# 09:20 to the appraisal step (18.5 working hours ⇒ due 06/03 14:50).
DUE = vn(2026, 3, 9, 9, 10)
STEP_DUE = vn(2026, 3, 6, 14, 50)


# ---------------------------------------------------------------------------- regime


@pytest.mark.parametrize(
    ("moment", "rule_set"),
    [
        (vn(2025, 6, 30, 23, 59), "2018"),
        (vn(2025, 7, 1, 0, 0), "2025"),
        (dt.datetime(2025, 6, 30, 17, 0, tzinfo=dt.UTC), "2025"),  # 00:00 in Vietnam
        (dt.datetime(2025, 6, 30, 16, 59, tzinfo=dt.UTC), "2018"),
        (dt.date(2025, 6, 30), "2018"),
        (dt.date(2025, 7, 1), "2025"),
    ],
)
def test_the_rule_set_changes_on_1_july_2025_in_vietnam(moment, rule_set):
    assert deadlines.rule_set_for(moment) == rule_set


def test_the_rule_set_is_that_of_the_day_of_receipt(world):
    d = submit(world, at=vn(2025, 6, 30, 16, 0))
    assert d.rule_set == "2018"  # not received yet: the day of submission
    d = s.dossier_receive(
        dossier_id=d.pk, actor=world.a.staff["c:counter"], at=vn(2025, 7, 1, 8, 0)
    )
    assert d.rule_set == "2025"
    assert Dossier.objects.get(pk=d.pk).rule_set == "2025"


# ---------------------------------------------------------------------------- verdict


def row(**kw):
    base = dict(
        received_at=vn(2026, 3, 4, 9, 10),
        due_at=DUE,
        original_due_at=DUE,
        finished_at=None,
        returned_at=None,
        stopped_at=None,
        paused_at=None,
        supplement_count=0,
        apology_count=0,
    )
    return SimpleNamespace(**(base | kw))


NOW = vn(2026, 3, 9, 8, 0)  # the due day, before the due moment; "soon" until 10/03 08:00


@pytest.mark.parametrize(
    ("facts", "verdict"),
    [
        ({"received_at": None}, None),
        ({}, deadlines.SOON),
        ({"due_at": vn(2026, 3, 10, 8, 0), "original_due_at": vn(2026, 3, 10, 8, 0)}, "soon"),
        ({"due_at": vn(2026, 3, 10, 8, 1), "original_due_at": vn(2026, 3, 10, 8, 1)}, "in_time"),
        ({"due_at": vn(2026, 3, 9, 7, 59), "original_due_at": vn(2026, 3, 9, 7, 59)}, "overdue"),
        ({"supplement_count": 2}, "overdue"),
        ({"paused_at": vn(2026, 3, 5, 9, 0)}, "paused"),
        ({"due_at": vn(2026, 3, 6), "original_due_at": vn(2026, 3, 6)}, "overdue"),
        (
            {
                "due_at": vn(2026, 3, 6),
                "original_due_at": vn(2026, 3, 6),
                "paused_at": vn(2026, 3, 5),
            },
            "paused",
        ),
        (
            {
                "due_at": vn(2026, 3, 6),
                "original_due_at": vn(2026, 3, 6),
                "paused_at": vn(2026, 3, 7),
            },
            "overdue",
        ),
        ({"finished_at": vn(2026, 3, 6, 16, 0)}, "early"),
        ({"finished_at": vn(2026, 3, 9, 9, 10)}, "on_time"),
        ({"finished_at": vn(2026, 3, 9, 9, 11)}, "late"),
        ({"returned_at": vn(2026, 3, 9, 9, 11)}, "late"),
        ({"stopped_at": vn(2026, 3, 5)}, "early"),
        ({"finished_at": vn(2026, 3, 5), "supplement_count": 2}, "late"),
        # Re-appointed: judged against the first appointment (default).
        ({"due_at": vn(2026, 3, 20), "apology_count": 1, "finished_at": vn(2026, 3, 12)}, "late"),
        ({"due_at": vn(2026, 3, 20), "apology_count": 1, "finished_at": vn(2026, 3, 9)}, "on_time"),
    ],
)
def test_verdict(facts, verdict):
    assert deadlines.verdict(row(**facts), NOW) == verdict


def test_a_reappointed_dossier_can_be_judged_against_the_new_date(settings):
    d = row(due_at=vn(2026, 3, 20), apology_count=1, finished_at=vn(2026, 3, 12))
    settings.MOTCUA_REAPPOINTMENT_JUDGED_AGAINST = "new"
    assert deadlines.verdict(d, NOW) == "early"
    assert deadlines.verdict(row(due_at=vn(2026, 3, 20), apology_count=1), NOW) == "in_time"
    settings.MOTCUA_REAPPOINTMENT_JUDGED_AGAINST = "original"
    assert deadlines.verdict(d, NOW) == "late"
    assert deadlines.verdict(row(due_at=vn(2026, 3, 20), apology_count=1), NOW) == "soon"


# ---------------------------------------------------------------------------- payment


def land(world, pauses=None):
    world.procedure.field.name = "Đất đai"
    world.procedure.field.save()
    world.version.payment_pauses_clock = pauses
    world.version.save()


def pay(world, d, at):
    return s.dossier_confirm_payment(
        dossier_id=d.pk,
        actor=world.a.staff["c:counter"],
        amount_vnd=8000,
        receipt_number="0000123",
        at=at,
    )


def test_a_land_payment_pauses_the_clock_and_shifts_the_deadlines(world):
    land(world)
    d = advance(world, Status.FINANCIAL_OBLIGATION)  # requested at 04/03 09:20
    assert (d.paused_at, d.due_at, d.current_step_due_at) == (vn(2026, 3, 4, 9, 20), DUE, STEP_DUE)
    pause = Pause.objects.get(dossier=d)
    assert (pause.ended_at, pause.reason) == (None, s.PAYMENT_PAUSE_REASON)
    assert d.events.get(action="request_payment").data == {"amount_vnd": 8000, "paused": True}
    d = pay(world, d, vn(2026, 3, 5, 9, 20))  # one working day later
    assert d.status == Status.PROCESSING
    assert (d.paused_at, d.paused_seconds) == (None, 27000)
    assert d.due_at == d.original_due_at == vn(2026, 3, 10, 9, 10)
    assert d.current_step_due_at == vn(2026, 3, 9, 14, 50)
    assert Handover.objects.get(dossier=d, finished_at=None).due_at == vn(2026, 3, 9, 14, 50)
    pause.refresh_from_db()
    assert (pause.ended_at, pause.working_seconds) == (vn(2026, 3, 5, 9, 20), 27000)
    data = d.events.get(action="confirm_payment").data
    assert data["paused_seconds"] == 27000
    assert data["due_at"] == data["original_due_at"] == vn(2026, 3, 10, 9, 10).isoformat()


def test_other_payments_do_not_pause_by_default(world):
    d = advance(world, Status.FINANCIAL_OBLIGATION)  # field "Hộ tịch"
    assert d.paused_at is None and not Pause.objects.filter(dossier=d).exists()
    assert d.events.get(action="request_payment").data == {"amount_vnd": 8000}
    d = pay(world, d, vn(2026, 3, 5, 9, 20))
    assert (d.paused_seconds, d.due_at, d.current_step_due_at) == (0, DUE, STEP_DUE)


@pytest.mark.parametrize(
    ("setting", "field_is_land", "own", "pauses"),
    [
        ("land", True, None, True),
        ("land", False, None, False),
        ("all", False, None, True),
        ("none", True, None, False),
        ("none", False, True, True),  # the version's own choice wins
        ("all", True, False, False),
    ],
)
def test_who_decides_whether_a_payment_pauses(world, settings, setting, field_is_land, own, pauses):
    settings.MOTCUA_PAYMENT_PAUSES_CLOCK = setting
    if field_is_land:
        land(world, own)
    else:
        world.version.payment_pauses_clock = own
        world.version.save()
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    assert (d.paused_at is not None) == pauses


def test_a_stop_ends_an_open_pause_and_moves_the_appointment(world):
    land(world)
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    d = s.dossier_request_withdrawal(
        dossier_id=d.pk, actor=world.citizen, reason="Không cần nữa", at=vn(2026, 3, 5, 8, 0)
    )
    assert d.paused_at == vn(2026, 3, 4, 9, 20)  # the clock stays paused
    d = s.dossier_stop(
        dossier_id=d.pk, actor=world.a.staff["c:counter"], reason="Rút", at=vn(2026, 3, 5, 9, 20)
    )
    assert (d.paused_at, d.paused_seconds, d.due_at) == (None, 27000, vn(2026, 3, 10, 9, 10))
    assert Pause.objects.get(dossier=d).working_seconds == 27000
    assert deadlines.verdict(d, vn(2026, 4, 1)) == "early"


# ---------------------------------------------------------------------------- apology


def apologize(world, d, at):
    return s.dossier_apologize(
        dossier_id=d.pk,
        actor=world.a.staff["s:leader"],
        reason="Cần xác minh",
        new_due_at=vn(2026, 3, 20, 9, 0),
        at=at,
    )


ONE_DAY_BEFORE = vn(2026, 3, 6, 9, 10)  # Friday: one working day before Monday 09:10


@pytest.mark.parametrize("rule_set", ["2018", "2025"])
def test_the_apology_comes_at_least_one_working_day_before_by_default(world, rule_set):
    d = advance(world, Status.PROCESSING)
    Dossier.objects.filter(pk=d.pk).update(rule_set=rule_set)
    with pytest.raises(IllegalTransition) as err:
        apologize(world, d, ONE_DAY_BEFORE + dt.timedelta(minutes=1))
    assert err.value.code == "apology_too_late"
    assert err.value.data == {"min_lead_working_days": "1", "rule_set": rule_set}
    after = Dossier.objects.get(pk=d.pk)
    assert (after.due_at, after.apology_count, after.version) == (DUE, 0, d.version)
    d = apologize(world, d, ONE_DAY_BEFORE)
    assert (d.due_at, d.original_due_at, d.apology_count) == (vn(2026, 3, 20, 9, 0), DUE, 1)


def test_the_lead_is_set_per_regime(world, settings):
    settings.MOTCUA_APOLOGY_MIN_LEAD_DAYS_2025 = 0
    settings.MOTCUA_APOLOGY_MIN_LEAD_DAYS_2018 = 2
    late = vn(2026, 3, 9, 9, 0)  # ten minutes before the deadline
    d2025 = advance(world, Status.PROCESSING)
    assert apologize(world, d2025, late).apology_count == 1
    d2018 = advance(world, Status.PROCESSING)
    Dossier.objects.filter(pk=d2018.pk).update(rule_set="2018")
    with pytest.raises(IllegalTransition) as err:
        apologize(world, d2018, ONE_DAY_BEFORE)
    assert err.value.code == "apology_too_late"
    assert apologize(world, d2018, vn(2026, 3, 5, 9, 10)).apology_count == 1
    # Never at or after the deadline, whatever the lead.
    d = advance(world, Status.PROCESSING)
    with pytest.raises(IllegalTransition) as err:
        apologize(world, d, DUE)
    assert err.value.code == "deadline_passed"


# ---------------------------------------------------------------------------- migration


def test_the_data_migration_moves_the_first_appointment_with_the_pauses(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("motcua.dossiers.migrations.0007_original_due_moves_with_pauses")
    land(world)
    plain = pay(world, advance(world, Status.FINANCIAL_OBLIGATION), vn(2026, 3, 5, 9, 20))
    again = pay(world, advance(world, Status.FINANCIAL_OBLIGATION), vn(2026, 3, 5, 9, 20))
    again = apologize(world, again, vn(2026, 3, 6, 9, 0))
    untouched = advance(world, Status.PROCESSING)
    # As the dossiers paused before the change were left: the first appointment unmoved.
    Dossier.objects.filter(pk__in=[plain.pk, again.pk]).update(original_due_at=DUE)
    migration.forward(apps, None)
    rows = dict(Dossier.objects.values_list("pk", "original_due_at"))
    assert rows[plain.pk] == vn(2026, 3, 10, 9, 10)  # = its appointment
    assert rows[again.pk] == vn(2026, 3, 10, 9, 10)  # moved by its pause (27,000 s)
    assert rows[untouched.pk] == DUE
