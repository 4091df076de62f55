"""Property: the same sequence of events gives the same dossier through every writer.

Random lives (hypothesis) are played through the services (the database) and through the
bulk writers' shared layer `motcua.dossiers.replay.Life`; everything the services leave —
the Dossier row, the events, the control sheet, the pauses, the verdict — must be equal.
The CSV importer and the demo generator write what a Life holds (their own tests, and
motcua/reports/tests/test_writers_agree.py, check the rows they write).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from motcua.dossiers import deadlines, rules
from motcua.dossiers import services as s
from motcua.dossiers.enums import TRANSITIONS, Action, Status
from motcua.dossiers.models import Dossier, Handover, Pause
from motcua.dossiers.replay import Life

from .factories import PDF, vn

START = vn(2026, 3, 2, 8, 0)
NOW = vn(2026, 6, 1, 0, 0)
ROW_FIELDS = (
    "status",
    "rule_set",
    "submitted_at",
    "received_at",
    "due_at",
    "original_due_at",
    "finished_at",
    "returned_at",
    "stopped_at",
    "paused_at",
    "paused_seconds",
    "supplement_count",
    "apology_count",
    "current_step_started_at",
    "current_step_due_at",
    "fee_due_vnd",
    "fee_paid_vnd",
    "paid_online",
    "electronic_result",
    "rating",
    "refusal_reason",
    "result_note",
)
# Facts the writer assigns or only the services know (files, the receipt's code, the
# forms' numbers in the agency's book, stored attachments).
EXTERNAL_DATA = {"code", "number", "files", "attachment", "sha256"}


def choices(d: Dossier) -> list[str]:
    """The actions the services accept now (the transition table and rules.*_refusal)."""
    out = []
    for action, (sources, _target, _who) in TRANSITIONS.items():
        if d.status not in sources or action in (Action.ATTACH_RESULT, Action.RATE):
            continue
        if action == Action.FORWARD and rules.forward_refusal(d) is not None:
            continue
        if action == Action.APPROVE and rules.approve_refusal(d) is not None:
            continue
        if action == Action.REQUEST_SUPPLEMENT and rules.supplement_refusal(d) is not None:
            continue
        out += [str(action)] * WEIGHT.get(str(action), 3)
    return sorted(out)


# Lives mostly move on (so that many reach a result), sometimes stall or end early.
WEIGHT = {"refuse": 1, "request_withdrawal": 1, "request_supplement": 2, "apologize": 2}


def actor_for(w, d: Dossier, action: str):
    st_ = w.a.staff
    if action in (Action.FORWARD, Action.APPROVE):
        tag = "c" if d.current_step.agency_role == "receiving" else "s"
        return st_[f"{tag}:{d.current_step.role}"]
    if action == Action.APOLOGIZE:
        return st_["s:leader"]
    if action in (Action.REQUEST_SUPPLEMENT, Action.REQUEST_PAYMENT):
        return st_["s:specialist"]
    if action == Action.REQUEST_WITHDRAWAL:
        return w.citizen
    return st_["c:counter"]


def apply(w, life: Life, d: Dossier, action: str, at: dt.datetime, data) -> Dossier | None:
    """One event through the services and through the Life; None when the services refuse
    it for a reason of their own (the apology's lead), which the Life must not be asked."""
    actor = actor_for(w, d, action)
    kw = {"dossier_id": d.pk, "actor": actor, "at": at}
    if action == Action.RECEIVE:
        d = s.dossier_receive(**kw)
        life.receive(at)
    elif action == Action.REFUSE:
        d = s.dossier_refuse(reason="Sai thẩm quyền", **kw)
        life.refuse(at, "Sai thẩm quyền")
    elif action == Action.FORWARD:
        d = s.dossier_forward(**kw)
        life.forward(at)
    elif action == Action.APPROVE:
        d = s.dossier_approve(result_note="Đã cấp", **kw)
        life.approve(at, note="Đã cấp")
    elif action == Action.RETURN_RESULT:
        d = s.dossier_return_result(**kw)
        life.return_result(at)
    elif action == Action.REQUEST_SUPPLEMENT:
        d = s.dossier_request_supplement(reason="Thiếu giấy", **kw)
        life.request_supplement(at, "Thiếu giấy")
    elif action == Action.SUPPLEMENT:
        d = s.dossier_supplement(note="Bổ sung bản giấy", **kw)
        life.supplement(at, note="Bổ sung bản giấy")
    elif action == Action.REQUEST_PAYMENT:
        d = s.dossier_request_payment(**kw)
        life.request_payment(at)
    elif action == Action.CONFIRM_PAYMENT:
        d = s.dossier_confirm_payment(amount_vnd=d.fee_due_vnd, receipt_number="BL 12", **kw)
        life.confirm_payment(at, life.values["fee_due_vnd"], ref="BL 12")
    elif action == Action.REQUEST_WITHDRAWAL:
        d = s.dossier_request_withdrawal(reason="Không cần nữa", **kw)
        life.request_withdrawal(at, "Không cần nữa")
    elif action == Action.STOP:
        d = s.dossier_stop(reason="Rút hồ sơ", **kw)
        life.stop(at, "Rút hồ sơ")
    elif action == Action.APOLOGIZE:
        new_due = deadlines.timing.calendar_for(d.settling_agency).add(
            d.due_at, data.draw(st.integers(1, 5), label="days later"), "working_days"
        )
        if rules.apology_refusal(d, at) is not None:
            return None
        d = s.dossier_apologize(reason="Cần xác minh", new_due_at=new_due, **kw)
        life.apologize(at, new_due, "Cần xác minh")
    else:  # pragma: no cover
        raise AssertionError(action)
    return d


def norm(data: dict) -> dict:
    """Event data without the external facts; moments compared as moments (the services
    write them from the row, in UTC; a Life in the offset it was given)."""
    out = {}
    for k, v in data.items():
        if k in EXTERNAL_DATA:
            continue
        if isinstance(v, str) and len(v) >= 19 and v[4] == "-" and "T" in v:
            v = dt.datetime.fromisoformat(v)
        out[k] = v
    return out


def event_rows(d: Dossier):
    return [
        (
            e.seq,
            e.action,
            e.at,
            e.from_status,
            e.to_status,
            e.reason,
            norm(e.data),
        )
        for e in d.events.order_by("seq")
    ]


def life_events(life: Life):
    return [
        (
            e["seq"],
            e["action"],
            e["at"],
            e["from_status"],
            e["to_status"],
            e["reason"],
            norm(e["data"]),
        )
        for e in life.events
    ]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_life_written_by_the_services_equals_the_shared_replay(world, data):
    land = data.draw(st.booleans(), label="payment pauses the clock")
    world.version.payment_pauses_clock = land
    world.version.save(update_fields=["payment_pauses_clock"])
    at = START + dt.timedelta(minutes=data.draw(st.integers(0, 60 * 24 * 20), label="start"))
    d = s.dossier_submit(
        actor=world.citizen,
        procedure=world.procedure,
        receiving_agency=world.a.center,
        files={world.components[0].pk: [("to-khai.pdf", PDF)]},
        at=at,
    )
    life = Life.for_version(
        world.version,
        world.steps,
        world.a.center,
        world.a.settling,
        2,
        field_name=world.procedure.field.name,
        fee_total=8000,
    )
    life.submit(at)
    for _ in range(data.draw(st.integers(0, 12), label="events")):
        options = choices(d)
        if not options:
            break
        action = data.draw(st.sampled_from(options), label="action")
        at += dt.timedelta(minutes=data.draw(st.integers(1, 60 * 24 * 4), label="gap"))
        d = apply(world, life, d, action, at, data) or d
    d = Dossier.objects.select_related("current_step").get(pk=d.pk)
    event(f"status {d.status}, {d.supplement_count} supplement(s), {d.apology_count} apology")

    assert {f: getattr(d, f) for f in ROW_FIELDS} == {f: life.values[f] for f in ROW_FIELDS}
    assert d.current_step_id == (life.values["current_step"] and life.values["current_step"].pk)
    assert event_rows(d) == life_events(life)
    assert [
        (h.step_id, h.agency_id, h.started_at, h.due_at, h.finished_at, h.outcome, h.note)
        for h in Handover.objects.filter(dossier=d).order_by("started_at", "pk")
    ] == [
        (
            h["step"].pk,
            h["agency"].pk,
            h["started_at"],
            h["due_at"],
            h["finished_at"],
            h["outcome"],
            h["note"],
        )
        for h in life.handovers
    ]
    assert [
        (p.started_at, p.ended_at, p.working_seconds)
        for p in Pause.objects.filter(dossier=d).order_by("started_at")
    ] == [(p["started_at"], p["ended_at"], p["working_seconds"]) for p in life.pauses]
    assert deadlines.verdict(d, NOW) == life.verdict(NOW)
    assert d.status in Status.values
