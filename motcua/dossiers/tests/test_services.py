import datetime as dt

import pytest

from motcua.core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from motcua.dossiers import services as s
from motcua.dossiers.enums import TRANSITIONS, Action, Status, StepOutcome
from motcua.dossiers.models import Attachment, Dossier, DossierEvent, Handover, Pause
from motcua.dossiers.services import submission

from .conftest import T0, advance, submit
from .factories import PDF, vn

pytestmark = pytest.mark.django_db


def snapshot(d):
    d = Dossier.objects.get(pk=d.pk)
    return (
        {
            f.attname: getattr(d, f.attname)
            for f in Dossier._meta.concrete_fields
            if f.attname != "updated_at"
        },
        DossierEvent.objects.filter(dossier=d).count(),
        Handover.objects.filter(dossier=d).count(),
        Pause.objects.filter(dossier=d).count(),
        Attachment.objects.filter(dossier=d).count(),
    )


def test_full_lifecycle_records_code_due_handovers_and_events(world):
    w, st = world, world.a.staff
    d = submit(w)
    # The code is given at submission.
    assert d.status == Status.SUBMITTED and d.code == "000.A.01.H24-260304-0001"
    assert d.channel == 2 and d.received_at is None
    assert d.applicant_name == "Nguyễn Văn citizen" and d.applicant_id_number == "001203000123"
    d = s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], at=vn(2026, 3, 4, 9, 0))
    assert d.code == "000.A.01.H24-260304-0001"
    # 3 working days of 7.5 h from Wed 09:00 -> Mon 09:00.
    assert d.due_at == vn(2026, 3, 9, 9, 0)
    assert d.fee_due_vnd == 8000 and d.digitized is True
    assert d.current_step == w.steps[0]
    d = s.dossier_forward(dossier_id=d.pk, actor=st["c:counter"], at=vn(2026, 3, 4, 9, 30))
    assert d.status == Status.PROCESSING and d.current_step == w.steps[1]
    d = s.dossier_forward(dossier_id=d.pk, actor=st["s:specialist"], at=vn(2026, 3, 5, 16, 0))
    d = s.dossier_approve(
        dossier_id=d.pk,
        actor=st["s:leader"],
        result_note="Cấp giấy khai sinh",
        at=vn(2026, 3, 6, 8, 0),
    )
    assert d.status == Status.PROCESSED and d.finished_at == vn(2026, 3, 6, 8, 0)
    assert d.current_step == w.steps[3]
    d = s.dossier_return_result(dossier_id=d.pk, actor=st["c:counter"], at=vn(2026, 3, 9, 10, 0))
    assert d.status == Status.RETURNED and d.current_step is None
    d = s.dossier_rate(dossier_id=d.pk, actor=w.citizen, rating=1, criteria={"1": 1})
    assert d.rating == 1
    events = list(d.events.values_list("seq", "action", "from_status", "to_status"))
    assert events == [
        (1, "submit", None, 1),
        (2, "receive", 1, 2),
        (3, "forward", 2, 4),
        (4, "forward", 4, 4),
        (5, "approve", 4, 9),
        (6, "return_result", 9, 10),
        (7, "rate", 10, 10),
    ]
    outcomes = list(d.handovers.order_by("started_at", "pk").values_list("step__order", "outcome"))
    # step 1 (1 h from Wed 09:00) done 09:30: on time, same day; step 2 (18.5 h from Wed 09:30)
    # due Fri 15:00, done Thu 16:00: early; step 3 (2 h from Thu 16:00) due Fri 08:30, done
    # Fri 08:00: on time; step 4 (1 h from Fri 08:00) due 09:00, done Mon 10:00: late.
    assert outcomes == [
        (1, StepOutcome.ON_TIME),
        (2, StepOutcome.EARLY),
        (3, StepOutcome.ON_TIME),
        (4, StepOutcome.LATE),
    ]


def test_codes_are_a_daily_sequence_per_receiving_agency(world):
    w = world
    codes = []
    for at, side in [(T0, w.a), (T0, w.a), (T0, w.b), (T0 + dt.timedelta(days=1), w.a)]:
        d = s.dossier_submit(
            actor=w.citizen,
            procedure=w.procedure,
            receiving_agency=side.center,
            files={w.components[0].pk: [("a.pdf", PDF)]},
            at=at,
        )
        codes.append(s.dossier_receive(dossier_id=d.pk, actor=side.staff["c:counter"], at=at).code)
    assert codes == [
        "000.A.01.H24-260304-0001",
        "000.A.01.H24-260304-0002",
        "000.B.01.H24-260304-0001",
        "000.A.01.H24-260305-0001",
    ]


def test_supplement_pauses_the_clock_and_moves_the_due_moment(world):
    w, _st = world, world.a.staff
    d = advance(w, Status.SUPPLEMENT_REQUESTED)  # requested Wed 04/03 09:20
    due_before = d.due_at
    assert d.paused_at == vn(2026, 3, 4, 9, 20)
    # Supplemented Thu 05/03 09:20: one working day (7.5 h) paused.
    d = s.dossier_supplement(
        dossier_id=d.pk,
        actor=w.citizen,
        files={w.components[1].pk: [("chung-sinh.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)]},
        at=vn(2026, 3, 5, 9, 20),
    )
    assert d.status == Status.PROCESSING and d.paused_at is None
    assert d.paused_seconds == int(7.5 * 3600)
    assert due_before == vn(2026, 3, 9, 9, 10)
    assert d.due_at == vn(2026, 3, 10, 9, 10)
    pause = d.pauses.get()
    assert pause.working_seconds == int(7.5 * 3600) and pause.ended_at == vn(2026, 3, 5, 9, 20)


def test_supplement_must_bring_the_missing_components(world):
    w = world
    d = advance(w, Status.SUPPLEMENT_REQUESTED)
    before = snapshot(d)
    with pytest.raises(ValidationFailed) as e:
        s.dossier_supplement(
            dossier_id=d.pk, actor=w.citizen, files={w.components[0].pk: [("a.pdf", PDF)]}
        )
    assert e.value.code == "missing_components"
    assert snapshot(d) == before


def test_second_supplement_request_is_refused_by_default(world, settings):
    w, st = world, world.a.staff
    d = advance(w, Status.SUPPLEMENT_REQUESTED)
    d = s.dossier_supplement(
        dossier_id=d.pk, actor=w.citizen, files={w.components[1].pk: [("b.pdf", PDF)]}
    )
    before = snapshot(d)
    with pytest.raises(IllegalTransition) as e:
        s.dossier_request_supplement(dossier_id=d.pk, actor=st["s:specialist"], reason="Lần 2")
    assert e.value.code == "supplement_limit"
    assert snapshot(d) == before
    settings.MOTCUA_MAX_SUPPLEMENT_REQUESTS = 2
    d = s.dossier_request_supplement(dossier_id=d.pk, actor=st["s:specialist"], reason="Lần 2")
    assert d.supplement_count == 2


def test_apology_before_deadline_sets_new_date_once(world):
    w, st = world, world.a.staff
    d = advance(w, Status.PROCESSING)
    new = d.due_at + dt.timedelta(days=3)
    with pytest.raises(ValidationFailed) as e:
        s.dossier_apologize(dossier_id=d.pk, actor=st["s:leader"], reason=" ", new_due_at=new)
    assert e.value.field == "reason"
    d = s.dossier_apologize(
        dossier_id=d.pk,
        actor=st["s:leader"],
        reason="Chờ xác minh",
        new_due_at=new,
        at=T0 + dt.timedelta(hours=1),
    )
    assert d.due_at == new and d.original_due_at != new and d.apology_count == 1
    before = snapshot(d)
    with pytest.raises(IllegalTransition) as e:
        s.dossier_apologize(
            dossier_id=d.pk,
            actor=st["s:leader"],
            reason="Lần 2",
            new_due_at=new + dt.timedelta(days=1),
            at=T0 + dt.timedelta(hours=2),
        )
    assert e.value.code == "apology_limit" and snapshot(d) == before


def test_apology_after_deadline_is_refused(world):
    w, st = world, world.a.staff
    d = advance(w, Status.PROCESSING)
    before = snapshot(d)
    with pytest.raises(IllegalTransition) as e:
        s.dossier_apologize(
            dossier_id=d.pk,
            actor=st["s:leader"],
            reason="Muộn",
            new_due_at=d.due_at + dt.timedelta(days=5),
            at=d.due_at + dt.timedelta(minutes=1),
        )
    assert e.value.code == "deadline_passed" and snapshot(d) == before


def test_payment_round_trip(world):
    w, _st = world, world.a.staff
    d = advance(w, Status.FINANCIAL_OBLIGATION)
    assert d.fee_due_vnd == 8000
    counter = _st["c:counter"]
    with pytest.raises(ValidationFailed) as e:
        s.dossier_confirm_payment(
            dossier_id=d.pk, actor=counter, amount_vnd=7000, receipt_number="BL1"
        )
    assert e.value.field == "amount_vnd"
    for blank in ("", "   "):
        with pytest.raises(ValidationFailed) as e:
            s.dossier_confirm_payment(
                dossier_id=d.pk, actor=counter, amount_vnd=8000, receipt_number=blank
            )
        assert e.value.field == "receipt_number"
    with pytest.raises(ValidationFailed) as e:
        s.dossier_confirm_payment(
            dossier_id=d.pk, actor=counter, amount_vnd=8000, receipt_number="BL1", channel="gateway"
        )
    assert e.value.field == "channel"
    # The applicant cannot mark the dossier paid, whatever the channel.
    with pytest.raises(PermissionDenied):
        s.dossier_confirm_payment(
            dossier_id=d.pk, actor=w.citizen, amount_vnd=8000, receipt_number="BL1"
        )
    assert Dossier.objects.get(pk=d.pk).status == Status.FINANCIAL_OBLIGATION
    d = s.dossier_confirm_payment(
        dossier_id=d.pk,
        actor=counter,
        amount_vnd=8000,
        receipt_number=" BL1 ",
        channel="counter_pos",
    )
    assert d.status == Status.PROCESSING and d.paid_online == 0 and d.fee_paid_vnd == 8000
    data = d.events.get(action="confirm_payment").data
    assert (data["channel"], data["receipt_number"], data["paid_online"]) == (
        "counter_pos",
        "BL1",
        0,
    )


@pytest.mark.parametrize(
    ("channel", "paid_online"),
    [("gateway", 2), ("national_platform", 1), ("vietqr_transfer", 2)],
)
def test_a_verified_payment_settles_with_the_channels_paid_online(world, channel, paid_online):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    d = s.dossier_settle_payment(
        dossier_id=d.pk,
        amount_vnd=8000,
        channel=channel,
        reference="REF-1",
        payment_id=7,
        verified_by="ipn",
    )
    assert (d.status, d.paid_online, d.fee_paid_vnd) == (Status.PROCESSING, paid_online, 8000)
    ev = d.events.get(action="confirm_payment")
    assert (ev.actor_id, ev.actor_role) == (None, "payment")
    assert ev.data["payment_id"] == 7 and ev.data["verified_by"] == "ipn"


def test_a_counter_channel_is_never_settled_without_the_officer(world):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    with pytest.raises(ValidationFailed):
        s.dossier_settle_payment(
            dossier_id=d.pk,
            amount_vnd=8000,
            channel="counter_cash",
            reference="R",
            payment_id=1,
            verified_by="ipn",
        )


def test_forward_on_last_processing_step_asks_for_approval(world):
    w, st = world, world.a.staff
    d = advance(w, Status.PROCESSING)
    d = s.dossier_forward(dossier_id=d.pk, actor=st["s:specialist"])
    with pytest.raises(IllegalTransition) as e:
        s.dossier_forward(dossier_id=d.pk, actor=st["s:leader"])
    assert e.value.code == "approve_instead"


def test_approve_with_steps_remaining_is_refused(world):
    w, st = world, world.a.staff
    d = advance(w, Status.PROCESSING)  # at step 2 (specialist)
    before = snapshot(d)
    with pytest.raises((IllegalTransition, PermissionDenied)):
        s.dossier_approve(dossier_id=d.pk, actor=st["s:specialist"])
    assert snapshot(d) == before


def test_stale_version_is_a_conflict_and_changes_nothing(world):
    w, st = world, world.a.staff
    d = advance(w, Status.SUBMITTED)
    before = snapshot(d)
    with pytest.raises(Conflict):
        s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], expected_version=d.version + 1)
    assert snapshot(d) == before


def test_counter_intake_receives_and_is_not_digitized_by_storing_files(world):
    w, st = world, world.a.staff
    d = s.dossier_intake(
        actor=st["c:counter"],
        procedure=w.procedure.code,
        receiving_agency=w.a.center,
        channel=3,
        applicant={"name": "Trần Thị Bưu", "id_number": "027190000001"},
        files={w.components[0].pk: [("scan.pdf", PDF)]},
        at=T0,
    )
    assert d.status == Status.RECEIVED and d.channel == 3 and d.code.endswith("-0001")
    # Only the OCR of a scan digitizes (dossiers.digitized; motcua.digitization's tests).
    assert d.owner_id is None and d.digitized is False
    assert list(d.events.values_list("action", flat=True)) == ["intake", "receive"]
    assert d.attachments.get().digitized is False


def test_counter_intake_refused_keeps_the_record(world):
    w, st = world, world.a.staff
    d = s.dossier_intake(
        actor=st["c:counter"],
        procedure=w.procedure,
        receiving_agency=w.a.center,
        applicant={"name": "Lê Văn C"},
        refuse_reason="Không thuộc thẩm quyền",
        at=T0,
    )
    assert d.status == Status.REFUSED and d.code == "000.A.01.H24-260304-0001"
    assert d.refusal_reason == "Không thuộc thẩm quyền"


def test_intake_by_another_agencys_officer_writes_nothing(world):
    w = world
    n = Dossier.objects.count()
    with pytest.raises(PermissionDenied):
        s.dossier_intake(
            actor=w.b.staff["c:counter"],
            procedure=w.procedure,
            receiving_agency=w.a.center,
            applicant={"name": "X"},
            files={w.components[0].pk: [("a.pdf", PDF)]},
        )
    assert Dossier.objects.count() == n and Attachment.objects.count() == 0


def test_bad_file_leaves_nothing_behind(world, settings):
    w = world
    media = settings.MEDIA_ROOT
    with pytest.raises(ValidationFailed) as e:
        s.dossier_submit(
            actor=w.citizen,
            procedure=w.procedure,
            receiving_agency=w.a.center,
            files={
                w.components[0].pk: [("ok.pdf", PDF)],
                w.components[1].pk: [("virus.exe", b"MZ\x90\x00" + b"0" * 100)],
            },
        )
    assert e.value.code == "file_type_not_allowed"
    assert e.value.field == f"files.{w.components[1].pk}"
    assert Dossier.objects.count() == 0 and Attachment.objects.count() == 0
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_file_stored_then_failure_is_cleaned(world, settings, monkeypatch):
    w = world

    def boom(*a, **k):
        raise RuntimeError("db down")

    # The event is written last (its hash was computed before the dossier's row: chain).
    monkeypatch.setattr(submission, "_append", boom)
    with pytest.raises(RuntimeError):
        submit(w)
    assert Dossier.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_oversized_file_is_refused(world, settings):
    settings.MOTCUA_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationFailed) as e:
        s.dossier_submit(
            actor=world.citizen,
            procedure=world.procedure,
            receiving_agency=world.a.center,
            files={world.components[0].pk: [("big.pdf", PDF + b"0" * 200)]},
        )
    assert e.value.code == "file_too_large"


# ---------------------------------------------------------------- the transition matrix

STAFF_ACTOR = {
    Action.RECEIVE: "c:counter",
    Action.REFUSE: "c:counter",
    Action.RETURN_RESULT: "c:counter",
    Action.REQUEST_SUPPLEMENT: "s:specialist",
    Action.REQUEST_PAYMENT: "s:specialist",
    Action.STOP: "c:counter",
    Action.APOLOGIZE: "s:leader",
    Action.ATTACH_RESULT: "s:leader",
}


def _attempt(w, d, action):
    st = w.a.staff
    d = Dossier.objects.select_related("current_step").get(pk=d.pk)
    if action in (Action.FORWARD, Action.APPROVE):
        step = d.current_step
        key = ("c:" if step is None or step.agency_role == "receiving" else "s:") + (
            step.role if step else "counter"
        )
        actor = st[key]
    else:
        actor = st.get(STAFF_ACTOR.get(action), w.citizen)
    kw = {"dossier_id": d.pk, "actor": actor}
    if action == Action.REFUSE or action in (
        Action.REQUEST_SUPPLEMENT,
        Action.STOP,
        Action.REQUEST_WITHDRAWAL,
    ):
        kw["reason"] = "Lý do"
    if action == Action.SUPPLEMENT:
        kw["actor"] = w.citizen
        kw["files"] = {c.pk: [("x.pdf", PDF)] for c in w.components}
    if action == Action.CONFIRM_PAYMENT:
        kw.update(actor=st["c:counter"], amount_vnd=8000, receipt_number="BL-7")
    if action == Action.REQUEST_WITHDRAWAL:
        kw["actor"] = w.citizen
    if action == Action.APOLOGIZE:
        kw.update(
            reason="Chậm",
            new_due_at=(d.due_at or T0) + dt.timedelta(days=9),
            at=T0 + dt.timedelta(hours=2),
        )
    if action == Action.ATTACH_RESULT:
        kw["file"] = ("kq.pdf", PDF)
    if action == Action.RATE:
        kw.update(actor=w.citizen, rating=1)
    fn = getattr(s, f"dossier_{action}")
    return fn(**kw)


MATRIX_ACTIONS = [a for a in TRANSITIONS if a not in (Action.SUBMIT, Action.INTAKE)]


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", MATRIX_ACTIONS)
def test_transition_matrix(world, status, action):
    """Every action from every status: allowed ones succeed, the rest change nothing."""
    d = advance(world, status)
    sources, target, _ = TRANSITIONS[action]
    if status in sources:
        if action == Action.APPROVE and d.current_step.order != 3:
            # approve needs the leader's step: move there first.
            d = s.dossier_forward(dossier_id=d.pk, actor=world.a.staff["s:specialist"])
        if action == Action.FORWARD and status == Status.PROCESSING and d.current_step.order == 3:
            pytest.skip("covered by test_forward_on_last_processing_step_asks_for_approval")
        result = _attempt(world, d, action)
        assert result.status == (target if target is not None else status)
        ev = result.events.order_by("-seq").first()
        assert ev.action == action and ev.to_status == result.status and ev.seq == result.version
    else:
        before = snapshot(d)
        with pytest.raises(IllegalTransition) as e:
            _attempt(world, d, action)
        assert e.value.code == "illegal_transition" and e.value.status == 409
        assert snapshot(d) == before


def test_event_log_is_append_only(world):
    d = advance(world, Status.RECEIVED)
    ev = d.events.first()
    from motcua.dossiers.models import AppendOnlyError

    ev.reason = "sửa"
    with pytest.raises(AppendOnlyError):
        ev.save()
    with pytest.raises(AppendOnlyError):
        ev.delete()
