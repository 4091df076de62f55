"""Replay a dossier's event log through the services, and compare two dossiers.

The writers' property tests take a dossier written in bulk (CSV importer, demo history),
play the very same events — same actions, same moments, same data — through the services
into a new dossier, and assert that both dossiers are the same (`differences`).
"""

from __future__ import annotations

import datetime as dt
import re

from motcua.catalog import cases
from motcua.dossiers import deadlines
from motcua.dossiers import services as s
from motcua.dossiers.enums import Action
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.signing.tests.factories import signed_pdf

from .factories import PDF

# What a dossier is, for "the same dossier" (reference §1.5 list of what must be stored).
ROW_FIELDS = (
    "status",
    "channel",
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
    "current_step_id",
    "current_step_started_at",
    "current_step_due_at",
    "fee_due_vnd",
    "fee_paid_vnd",
    "paid_online",
    "electronic_result",
    "rating",
)
CODE_SHAPE = re.compile(r"^(?P<agency>.+)-(?P<day>\d{6})-\d{4,}$")


def _files(components) -> dict:
    return {c: [(f"tp-{c}.pdf", PDF)] for c in components}


def _answers(source):
    """The answers the fee items asked for, as the source dossier's assessment kept them."""
    return (source.fee_assessment or {}).get("answers") or {}


def replay(source: Dossier, actor_of, applicant_name: str = "Nguyễn Văn A") -> Dossier:
    """A new dossier with `source`'s life, played through the services. `actor_of(event,
    dossier)` returns the user who performs an event on the replayed dossier."""
    events = list(DossierEvent.objects.filter(dossier=source).order_by("seq"))
    first, rest = events[0], events[1:]
    version = source.procedure_version
    components = list(version.components.order_by("order"))
    # What the services insist on: every required component (no case declared).
    needed = [c.pk for c in components if cases.needed(c)] or [c.pk for c in components[:1]]
    d = None
    if first.action == Action.SUBMIT:
        d = s.dossier_submit(
            actor=actor_of(first, None),
            procedure=source.procedure,
            receiving_agency=source.receiving_agency,
            settling_agency=source.settling_agency,
            files=_files(needed),
            fee_answers=_answers(source),
            at=first.at,
        )
    else:
        refuse = rest and rest[0].action == Action.REFUSE
        d = s.dossier_intake(
            actor=actor_of(first, None),
            procedure=source.procedure,
            receiving_agency=source.receiving_agency,
            settling_agency=source.settling_agency,
            channel=source.channel,
            applicant={"name": applicant_name},
            owner=source.owner,
            received={c: {"originals": 1} for c in needed},
            refuse_reason=rest[0].reason if refuse else None,
            fee_answers=_answers(source),
            at=first.at,
        )
        rest = rest[1:]  # the intake's receipt (or refusal) is written with it
    for e in rest:
        kw = {"dossier_id": d.pk, "actor": actor_of(e, d), "at": e.at}
        data = e.data or {}
        a = e.action
        if a == Action.RECEIVE:
            d = s.dossier_receive(**kw)
        elif a == Action.REFUSE:
            d = s.dossier_refuse(reason=e.reason, **kw)
        elif a == Action.FORWARD:
            d = s.dossier_forward(note=e.reason, **kw)
        elif a == Action.APPROVE:
            d = s.dossier_approve(result_note=e.reason, **kw)
        elif a == Action.RETURN_RESULT:
            d = s.dossier_return_result(method=data.get("method", "counter"), **kw)
        elif a == Action.REQUEST_SUPPLEMENT:
            missing = data.get("missing_components", [])
            d = s.dossier_request_supplement(reason=e.reason, missing_components=missing, **kw)
        elif a == Action.SUPPLEMENT:
            pause = d.pauses.get(ended_at=None)
            d = s.dossier_supplement(
                files=_files(pause.missing_components), note=e.reason or "Bổ sung", **kw
            )
        elif a == Action.REQUEST_PAYMENT:
            d = s.dossier_request_payment(amount_vnd=data["amount_vnd"], reason=e.reason, **kw)
        elif a == Action.CONFIRM_PAYMENT:
            d = replay_payment(d, data, kw)
        elif a == Action.REQUEST_WITHDRAWAL:
            d = s.dossier_request_withdrawal(reason=e.reason or "Rút hồ sơ", **kw)
        elif a == Action.STOP:
            d = s.dossier_stop(reason=e.reason or "Dừng", **kw)
        elif a == Action.APOLOGIZE:
            new_due = dt.datetime.fromisoformat(data["new_due_at"])
            d = s.dossier_apologize(reason=e.reason, new_due_at=new_due, **kw)
        elif a == Action.ATTACH_RESULT:
            d = s.dossier_attach_result(file=("ket-qua.pdf", signed_pdf()), **kw)
        elif a == Action.RATE:
            d = s.dossier_rate(rating=data["rating"], **kw)
        else:  # pragma: no cover
            raise AssertionError(a)
    return Dossier.objects.get(pk=d.pk)


def snapshot(d: Dossier, now) -> dict:
    """Everything that must be equal between two writers of the same life."""
    return {
        **{f: getattr(d, f) for f in ROW_FIELDS},
        "events": [
            (e.seq, e.action, e.at, e.from_status, e.to_status) for e in d.events.order_by("seq")
        ],
        "handovers": [
            (h.step_id, h.agency_id, h.started_at, h.due_at, h.finished_at, h.outcome)
            for h in d.handovers.order_by("started_at", "pk")
        ],
        "pauses": [
            (p.started_at, p.ended_at, p.working_seconds)
            for p in d.pauses.order_by("started_at", "pk")
        ],
        "verdict": deadlines.verdict(d, now),
        "code": code_shape(d.code),
    }


def code_shape(code: str | None):
    """(agency, day) of a code: the numbering itself belongs to each writer's sequence."""
    if code is None:
        return None
    m = CODE_SHAPE.match(code)
    return (m["agency"], m["day"]) if m else code


def replay_payment(d, data, kw):
    """A recorded payment again: at the counter by its officer, with the receipt; online
    through the verified-payment path (the payments app's call) with its channel."""
    from motcua.dossiers.replay import CHANNEL_OF_PAID_ONLINE

    paid_online = int(data.get("paid_online", 0))
    if paid_online == 0:
        return s.dossier_confirm_payment(
            amount_vnd=data["amount_vnd"],
            receipt_number=data.get("receipt_number") or data.get("reference") or "BL",
            channel=data.get("channel") or "counter_cash",
            **kw,
        )
    kw = {k: v for k, v in kw.items() if k in ("dossier_id", "at")}
    return s.dossier_settle_payment(
        amount_vnd=data["amount_vnd"],
        channel=data.get("channel") or CHANNEL_OF_PAID_ONLINE[paid_online],
        reference=data.get("reference", ""),
        payment_id=0,
        verified_by="ipn",
        **kw,
    )
