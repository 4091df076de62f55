"""The early-warning rule (one function) and the beat task: officers warned once per dossier
and appointment when the share of the time limit is used."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.dossiers import deadlines
from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.notifications import rules, services
from motcua.notifications.models import EarlyWarning, Message

from .conftest import T0, advance, deliver, subject

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)


def test_the_share_of_a_three_working_day_limit(world, settings):
    """Received Wednesday 04/03/2026 09:10, due three working days later (Monday 09/03
    09:10 on the default calendar): 75% is 2.25 working days from receipt."""
    settings.MOTCUA_EARLY_WARNING_SHARE = "0.75"
    d = advance(world, Status.RECEIVED)
    cal = deadlines.timing.calendar_for(d.settling_agency_id)
    total = cal.working_seconds_between(d.received_at, d.due_at)
    assert total == 3 * cal._day_us // 1_000_000  # three of the calendar's working days
    warn = rules.early_warning_at(d)
    assert warn is not None
    assert cal.working_seconds_between(d.received_at, warn) == int(total * Decimal("0.75"))
    settings.MOTCUA_EARLY_WARNING_SHARE = "0.5"
    half = rules.early_warning_at(d)
    assert half is not None and half < warn
    assert cal.working_seconds_between(d.received_at, half) == total // 2


def test_no_moment_before_receipt_or_after_the_end(world):
    assert rules.early_warning_at(advance(world, Status.SUBMITTED)) is None
    assert rules.early_warning_at(advance(world, Status.RETURNED)) is None


def test_a_pause_moves_the_moment_by_its_length(world):
    """Limit = working time to the appointment less the pauses that moved it; the pause's
    working time is added back: the warning moves as far as the appointment did."""
    d = advance(world, Status.SUPPLEMENT_REQUESTED)
    before = rules.early_warning_at(d)
    cal = deadlines.timing.calendar_for(d.settling_agency_id)
    d = s.dossier_supplement(
        dossier_id=d.pk,
        actor=world.citizen,
        files={world.components[1].pk: [("giay-chung-sinh.pdf", b"%PDF-1.4\n%%EOF\n")]},
        at=T0 + dt.timedelta(days=1),
    )
    assert d.paused_seconds > 0
    after = rules.early_warning_at(d)
    assert before is not None and after is not None
    assert cal.working_seconds_between(before, after) == d.paused_seconds


def _officers_mail(inbox):
    return sorted(str(m["To"]) for m in inbox.messages)


def test_warned_once_at_the_share(world, channels, settings):
    inbox, _ = channels
    for user in world.a.staff.values():
        user.email = f"{user.username}@bacninh.gov.vn"
        user.save(update_fields=["email"])
    d = advance(world, Status.PROCESSING)  # now at the specialist's step of UBND A
    row = EarlyWarning.objects.get(dossier=d)
    assert row.warn_at == rules.early_warning_at(d)
    assert row.due_at == d.due_at

    deliver()  # the citizen's receipt
    inbox.messages.clear()
    assert services.early_warnings_send(now=row.warn_at - MINUTE) == 0
    assert services.early_warnings_send(now=row.warn_at) == 1
    deliver()
    # The step's role (specialist) and the agency's leader, at the step's agency.
    assert _officers_mail(inbox) == ["A-s-leader@bacninh.gov.vn", "A-s-specialist@bacninh.gov.vn"]
    mail = inbox.messages[0]
    due = d.due_at.astimezone(deadlines.timing.VN).strftime("%H:%M %d/%m/%Y")
    assert subject(mail) == f"Cảnh báo: hồ sơ {d.code} sắp đến hạn {due}"
    assert "(Đăng ký khai sinh, người nộp Nguyễn Văn citizen)" in mail.get_content()

    assert services.early_warnings_send(now=row.warn_at + dt.timedelta(hours=3)) == 0
    assert Message.objects.filter(event="early_warning").count() == 2


def test_a_new_appointment_is_warned_again_once(world, channels, settings):
    settings.MOTCUA_REAPPOINTMENT_JUDGED_AGAINST = "new"
    d = advance(world, Status.PROCESSING)
    first = EarlyWarning.objects.get(dossier=d)
    assert services.early_warnings_send(now=first.warn_at) == 1
    d = s.dossier_apologize(
        dossier_id=d.pk,
        actor=world.a.staff["s:leader"],
        reason="Chờ xác minh",
        new_due_at=d.due_at + dt.timedelta(days=7),
        at=T0 + dt.timedelta(hours=3),
    )
    second = EarlyWarning.objects.get(dossier=d, due_at=d.due_at)
    assert second.warn_at > first.warn_at
    assert services.early_warnings_send(now=second.warn_at) == 1
    assert services.early_warnings_send(now=second.warn_at + dt.timedelta(days=1)) == 0
    assert EarlyWarning.objects.filter(dossier=d).count() == 2


def test_no_warning_for_a_dossier_ended_or_paused_or_overdue(world, channels):
    ended = advance(world, Status.RETURNED)
    paused = advance(world, Status.SUPPLEMENT_REQUESTED)
    late = advance(world, Status.PROCESSING)
    rows = {r.dossier_id: r for r in EarlyWarning.objects.all()}
    far = max(r.due_at for r in rows.values()) + dt.timedelta(days=1)
    # Each crossed the moment; none is in time or due soon at `far`.
    assert services.early_warnings_send(now=far) == 0
    assert deadlines.verdict(late, far) == deadlines.OVERDUE
    assert {ended.pk, paused.pk, late.pk} <= set(rows)
    assert not Message.objects.filter(event="early_warning").exists()


def test_the_beat_task_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-early-warnings"]
    assert entry["task"] == "notifications.early_warnings"
    from motcua.notifications.tasks import early_warnings

    assert early_warnings.name == "notifications.early_warnings"


@pytest.mark.parametrize(
    "status",
    [
        Status.RECEIVED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.FINANCIAL_OBLIGATION,
        Status.PROCESSED,
    ],
)
def test_every_transition_keeps_the_row_of_the_current_appointment(world, status):
    """Whatever path a dossier took, an open, running dossier has the row of the appointment
    it is judged against now, at the moment the rule gives (APPOINTMENT_ACTIONS is whole)."""
    d = advance(world, status)
    d.refresh_from_db()
    if d.paused_at is not None:
        if d.status == Status.SUPPLEMENT_REQUESTED:
            d = s.dossier_supplement(
                dossier_id=d.pk,
                actor=world.citizen,
                files={world.components[1].pk: [("gcs.pdf", b"%PDF-1.4\n%%EOF\n")]},
                at=T0 + dt.timedelta(days=1),
            )
        else:
            return
    if deadlines.processing_end(d) is not None:
        assert EarlyWarning.objects.filter(dossier=d).exists()
        return
    row = EarlyWarning.objects.get(dossier=d, due_at=deadlines.judged_due(d))
    assert row.warn_at == rules.early_warning_at(d)
