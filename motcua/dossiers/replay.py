"""Apply a dossier's events in memory, exactly as the services would: the shared layer of
the bulk writers (the CSV importer, the demo's history) that bypass the services.

A `Life` holds what the services would leave on the Dossier row (`values`, named as its
fields), the DossierEvent rows (`events`), the control sheet (`handovers`) and the clock
pauses (`pauses`). Each method is one service's effect, with the same rules: the
TRANSITIONS table, the appointment and step deadlines (timing), the one pause rule and
the regime (deadlines). No locks, no authorization, no files: the caller vouches for the
facts. A property test holds Life and the services equal on random lives
(motcua/dossiers/tests/test_replay.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from motcua.catalog.enums import AgencyRole

from . import deadlines, rules, timing
from .enums import (
    COUNTER_CHANNELS,
    PAYMENT_PROVIDER,
    TRANSITIONS,
    Action,
    PaidOnline,
    PaymentChannel,
    Status,
)

if TYPE_CHECKING:
    from motcua.core.errors import IllegalTransition

    from .models import Dossier

PAYMENT_PAUSE_REASON = deadlines.PAYMENT_PAUSE_REASON

# The channel a past payment's DuocThanhToanTrucTuyen implies (the inverse of
# rules.paid_online_for, taking the province's gateway for 2).
CHANNEL_OF_PAID_ONLINE = {
    int(PaidOnline.NO): str(PaymentChannel.COUNTER_CASH),
    int(PaidOnline.NATIONAL_PORTAL): str(PaymentChannel.NATIONAL_PLATFORM),
    int(PaidOnline.PROVINCIAL_PORTAL): str(PaymentChannel.GATEWAY),
}


class Illegal(Exception):
    """The event is not allowed from the dossier's status (TRANSITIONS)."""


@dataclass
class Actor:
    """Who acted, as an event records it: the user (or None), the role and the agency."""

    user: Any = None
    role: str = ""
    agency: Any = None


NOBODY = Actor()
# The payment system settling an online payment its provider proved (enums.PAYMENT_PROVIDER).
PAYMENT_SYSTEM = Actor(role=PAYMENT_PROVIDER)


@dataclass
class Life:
    version: Any  # ProcedureVersion
    steps: list[Any]  # its ProcessSteps, in order
    receiving: Any  # Agency
    settling: Any  # Agency
    channel: int
    fee_total: int = 0  # the amount due assessed at submission (đồng)
    # The assessment kept on the dossier (catalog.fees.FeeQuote.as_json), as the services
    # keep it at submission; None where the caller has none (imported history).
    assessment: dict[str, Any] | None = None
    payment_pauses: bool = False  # rules.payment_pauses_clock for the version
    values: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    handovers: list[dict[str, Any]] = field(default_factory=list)
    pauses: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.values = {
            "status": None,
            "channel": int(self.channel),
            "rule_set": None,
            "submitted_at": None,
            "received_at": None,
            "due_at": None,
            "original_due_at": None,
            "finished_at": None,
            "returned_at": None,
            "stopped_at": None,
            "paused_at": None,
            "paused_seconds": 0,
            "supplement_count": 0,
            "apology_count": 0,
            "current_step": None,
            "current_step_started_at": None,
            "current_step_due_at": None,
            "fee_due_vnd": 0,
            "fee_paid_vnd": 0,
            "fee_assessment": None,
            "paid_online": int(PaidOnline.NO),
            "electronic_result": False,
            "rating": None,
            "result_note": "",
            "refusal_reason": "",
        }

    @classmethod
    def for_version(
        cls,
        version: Any,
        steps: Iterable[Any],
        receiving: Any,
        settling: Any,
        channel: int,
        *,
        field_name: str,
        fee_total: int,
    ) -> Life:
        return cls(
            version=version,
            steps=list(steps),
            receiving=receiving,
            settling=settling,
            channel=channel,
            fee_total=fee_total,
            payment_pauses=rules.payment_pauses_clock(version, field_name),
        )

    # ------------------------------------------------------------------ plumbing

    @property
    def status(self) -> int | None:
        status: int | None = self.values["status"]
        return status

    def _check(self, action: str) -> None:
        if self.status not in TRANSITIONS[action][0]:
            raise Illegal(f"{action} from {self.status}")

    def _event(
        self,
        action: str,
        at: dt.datetime,
        actor: Actor,
        from_status: int | None,
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        e = {
            "seq": len(self.events) + 1,
            "action": str(action),
            "at": at,
            "actor": actor.user,
            "actor_role": actor.role,
            "actor_agency": actor.agency,
            "from_status": from_status,
            "to_status": int(cast(int, self.status)),
            "reason": reason,
            "data": data or {},
        }
        self.events.append(e)
        return e

    def _step_agency(self, step: Any) -> Any:
        return self.receiving if step.agency_role == AgencyRole.RECEIVING else self.settling

    def _open_step(self, index: int | None, at: dt.datetime) -> None:
        v = self.values
        if index is None or index >= len(self.steps):
            v.update(current_step=None, current_step_started_at=None, current_step_due_at=None)
            return
        step = self.steps[index]
        agency = self._step_agency(step)
        due = timing.step_due(agency, at, step.duration_hours)
        v.update(current_step=step, current_step_started_at=at, current_step_due_at=due)
        self.handovers.append(
            {
                "step": step,
                "agency": agency,
                "started_at": at,
                "due_at": due,
                "finished_at": None,
                "finished_by": None,
                "outcome": "",
                "note": "",
            }
        )

    def _close_step(self, at: dt.datetime, actor: Actor, note: str = "") -> str | None:
        v = self.values
        if v["current_step"] is None or v["current_step_due_at"] is None:
            return None
        outcome = str(timing.classify(at, v["current_step_due_at"]))
        h = self.handovers[-1]
        h.update(finished_at=at, finished_by=actor.user, outcome=outcome, note=note)
        return outcome

    def _index(self) -> int:
        step = self.values["current_step"]
        return next(i for i, s in enumerate(self.steps) if s.pk == step.pk)

    def _pause(self, at: dt.datetime, reason: str, missing: Iterable[int] = ()) -> None:
        self.values["paused_at"] = at
        self.pauses.append(
            {
                "started_at": at,
                "ended_at": None,
                "reason": reason,
                "missing_components": list(missing),
                "working_seconds": None,
            }
        )

    def _end_pause(self, at: dt.datetime) -> dict[str, Any]:
        """The one pause rule (deadlines.pause_shift), as services._end_pause applies it."""
        v = self.values
        pause = self.pauses[-1]
        step_agency = None
        if v["current_step_due_at"] is not None and v["current_step"] is not None:
            step_agency = self._step_agency(v["current_step"])
        shift = deadlines.pause_shift(
            settling_agency=self.settling,
            step_agency=step_agency,
            started_at=pause["started_at"],
            ended_at=at,
            due_at=v["due_at"],
            original_due_at=v["original_due_at"],
            step_due_at=v["current_step_due_at"] if step_agency is not None else None,
        )
        pause.update(ended_at=at, working_seconds=shift.seconds)
        v["paused_seconds"] += shift.seconds
        v.update(paused_at=None, due_at=shift.due_at, original_due_at=shift.original_due_at)
        if step_agency is not None:
            v["current_step_due_at"] = shift.step_due_at
            self.handovers[-1]["due_at"] = shift.step_due_at
        first = shift.original_due_at
        return {
            "paused_seconds": shift.seconds,
            "due_at": None if shift.due_at is None else shift.due_at.isoformat(),
            "original_due_at": None if first is None else first.isoformat(),
        }

    # ------------------------------------------------------------------ the events

    def submit(self, at: dt.datetime, actor: Actor = NOBODY, files: int = 1) -> None:
        self.values.update(
            status=int(Status.SUBMITTED),
            submitted_at=at,
            rule_set=deadlines.dossier_rule_set(None, at),
            # The amount due is assessed once, at submission (catalog.fees.quote).
            fee_due_vnd=self.fee_total,
            fee_assessment=self.assessment,
        )
        self._event(Action.SUBMIT, at, actor, None, data={"files": files})

    def intake(self, at: dt.datetime, actor: Actor = NOBODY) -> None:
        self.values.update(
            status=int(Status.SUBMITTED),
            submitted_at=at,
            rule_set=deadlines.dossier_rule_set(None, at),
            fee_due_vnd=self.fee_total,
            fee_assessment=self.assessment,
        )
        self._event(Action.INTAKE, at, actor, None, data={"channel": self.values["channel"]})

    def receive(
        self,
        at: dt.datetime,
        actor: Actor = NOBODY,
        code: str | None = None,
        due_at: dt.datetime | None = None,
    ) -> None:
        """`due_at`: an appointment known from elsewhere (historical data); by default the
        one the services compute (timing.appointment)."""
        self._check(Action.RECEIVE)
        v = self.values
        due = due_at or timing.appointment(self.version, self.settling, at, v["channel"])
        v.update(
            received_at=at,
            rule_set=deadlines.dossier_rule_set(at, v["submitted_at"]),
            due_at=due,
            original_due_at=due,
            status=int(Status.RECEIVED),
        )
        self._open_step(0 if self.steps else None, at)
        self._event(
            Action.RECEIVE,
            at,
            actor,
            Status.SUBMITTED,
            data={"code": code, "due_at": due.isoformat()},
        )

    def refuse(self, at: dt.datetime, reason: str, actor: Actor = NOBODY) -> None:
        self._check(Action.REFUSE)
        self.values.update(status=int(Status.REFUSED), refusal_reason=reason, finished_at=at)
        if self.values["channel"] != 2:
            # Refused at the counter (intake): nothing is assessed, nothing owed.
            self.values.update(fee_due_vnd=0, fee_assessment=None)
        self._event(Action.REFUSE, at, actor, Status.SUBMITTED, reason=reason)

    def forward(self, at: dt.datetime, actor: Actor = NOBODY, note: str = "") -> None:
        self._check(Action.FORWARD)
        if not self.steps:  # a version without an internal process (historical data)
            from_status, self.values["status"] = self.status, int(Status.PROCESSING)
            self._event(Action.FORWARD, at, actor, from_status, reason=note, data={})
            return
        if not self.can_forward():
            raise Illegal("forward at the last processing step")
        index = self._index()
        from_status = self.status
        outcome = self._close_step(at, actor, note)
        self.values["status"] = int(Status.PROCESSING)
        self._open_step(index + 1, at)
        self._event(
            Action.FORWARD,
            at,
            actor,
            from_status,
            reason=note,
            data={
                "from_step": self.steps[index].order,
                "to_step": self.steps[index + 1].order,
                "outcome": outcome,
            },
        )

    def request_supplement(
        self, at: dt.datetime, reason: str, actor: Actor = NOBODY, missing: Sequence[int] = ()
    ) -> None:
        self._check(Action.REQUEST_SUPPLEMENT)
        from_status = self.status
        v = self.values
        v["status"] = int(Status.SUPPLEMENT_REQUESTED)
        v["supplement_count"] += 1
        self._pause(at, reason, missing)
        self._event(
            Action.REQUEST_SUPPLEMENT,
            at,
            actor,
            from_status,
            reason=reason,
            data={"missing_components": list(missing)},
        )

    def supplement(
        self, at: dt.datetime, actor: Actor = NOBODY, note: str = "", files: int = 0
    ) -> None:
        self._check(Action.SUPPLEMENT)
        data = self._end_pause(at)
        self.values["status"] = int(Status.PROCESSING)
        self._event(
            Action.SUPPLEMENT,
            at,
            actor,
            Status.SUPPLEMENT_REQUESTED,
            reason=note,
            data={"files": files, **data},
        )

    def request_payment(
        self, at: dt.datetime, amount: int | None = None, actor: Actor = NOBODY, reason: str = ""
    ) -> None:
        self._check(Action.REQUEST_PAYMENT)
        from_status = self.status
        amount = self.fee_total if amount is None else amount
        self.values.update(fee_due_vnd=amount, status=int(Status.FINANCIAL_OBLIGATION))
        data: dict[str, Any] = {"amount_vnd": amount}
        if self.payment_pauses:
            self._pause(at, PAYMENT_PAUSE_REASON)
            data["paused"] = True
        self._event(Action.REQUEST_PAYMENT, at, actor, from_status, reason=reason, data=data)

    def confirm_payment(
        self,
        at: dt.datetime,
        amount: int,
        paid_online: int = 0,
        actor: Actor = NOBODY,
        ref: str = "",
        *,
        channel: str | None = None,
        verified_by: str = "",
    ) -> None:
        """A payment of the past. With `channel` (the demo's history: a payment whose
        evidence the caller also writes, motcua.payments.history), the services' one rule:
        the amount must settle what is due (rules.settlement_refusal) and
        DuocThanhToanTrucTuyen is the channel's (rules.paid_online_for); `verified_by` names
        the evidence of an online payment, `ref` is its reference (a counter payment's: its
        receipt number). Without it (an import of history), `paid_online` is the source's
        and the channel the one that value implies. An online payment is settled by the
        payment system (PAYMENT_SYSTEM), as motcua records one today; the applicant never
        is."""
        self._check(Action.CONFIRM_PAYMENT)
        v = self.values
        if channel is None:
            channel = CHANNEL_OF_PAID_ONLINE[int(paid_online)]
        else:
            refusal = rules.settlement_refusal(amount, int(v["fee_due_vnd"]))
            if refusal is not None:
                raise refusal
            paid_online = rules.paid_online_for(channel)
        v.update(fee_paid_vnd=amount, paid_online=int(paid_online), status=int(Status.PROCESSING))
        data = {
            "amount_vnd": amount,
            "paid_online": int(paid_online),
            "channel": str(channel),
            "reference": ref,
        }
        if channel in COUNTER_CHANNELS:
            data["receipt_number"] = ref
        else:
            actor = PAYMENT_SYSTEM
            if verified_by:
                data["verified_by"] = verified_by
        if v["paused_at"] is not None:
            data.update(self._end_pause(at))
        self._event(Action.CONFIRM_PAYMENT, at, actor, Status.FINANCIAL_OBLIGATION, data=data)

    def request_withdrawal(self, at: dt.datetime, reason: str, actor: Actor = NOBODY) -> None:
        self._check(Action.REQUEST_WITHDRAWAL)
        from_status = self.status
        self.values["status"] = int(Status.WITHDRAWAL_REQUESTED)
        self._event(Action.REQUEST_WITHDRAWAL, at, actor, from_status, reason=reason)

    def stop(self, at: dt.datetime, reason: str, actor: Actor = NOBODY) -> None:
        self._check(Action.STOP)
        v = self.values
        data = self._end_pause(at) if v["paused_at"] is not None else {}
        self._close_step(at, actor, reason)
        v.update(current_step=None, current_step_started_at=None, current_step_due_at=None)
        v.update(paused_at=None, status=int(Status.STOPPED), stopped_at=at)
        self._event(Action.STOP, at, actor, Status.WITHDRAWAL_REQUESTED, reason=reason, data=data)

    def apologize(
        self, at: dt.datetime, new_due_at: dt.datetime, reason: str, actor: Actor = NOBODY
    ) -> None:
        """Mẫu 04; the caller checks `rules.apology_refusal` (the regime's lead, the limit)."""
        self._check(Action.APOLOGIZE)
        v = self.values
        old = v["due_at"]
        v["due_at"] = new_due_at
        v["apology_count"] += 1
        self._event(
            Action.APOLOGIZE,
            at,
            actor,
            self.status,
            reason=reason,
            data={"old_due_at": old.isoformat(), "new_due_at": new_due_at.isoformat()},
        )

    def approve(self, at: dt.datetime, actor: Actor = NOBODY, note: str = "") -> None:
        self._check(Action.APPROVE)
        if self.steps and rules.approve_refusal(_probe(self)) is not None:
            raise Illegal("approve before the last processing step")
        step_outcome = self._close_step(at, actor, note)
        v = self.values
        v.update(status=int(Status.PROCESSED), finished_at=at, result_note=note)
        if self.steps:
            self._open_step(self._index() + 1, at)
        self._event(
            Action.APPROVE,
            at,
            actor,
            Status.PROCESSING,
            reason=note,
            data={"outcome": str(timing.classify(at, v["due_at"])), "step_outcome": step_outcome},
        )

    def attach_result(
        self, at: dt.datetime, actor: Actor = NOBODY, data: dict[str, Any] | None = None
    ) -> None:
        self._check(Action.ATTACH_RESULT)
        self.values["electronic_result"] = True
        self._event(Action.ATTACH_RESULT, at, actor, self.status, data=data or {})

    def return_result(
        self, at: dt.datetime, actor: Actor = NOBODY, method: str = "counter"
    ) -> None:
        self._check(Action.RETURN_RESULT)
        v = self.values
        self._close_step(at, actor)
        v.update(current_step=None, current_step_started_at=None, current_step_due_at=None)
        v.update(status=int(Status.RETURNED), returned_at=at)
        self._event(Action.RETURN_RESULT, at, actor, Status.PROCESSED, data={"method": method})

    def rate(
        self,
        at: dt.datetime,
        rating: int,
        actor: Actor = NOBODY,
        criteria: Mapping[str, int] | None = None,
    ) -> None:
        self._check(Action.RATE)
        self.values["rating"] = rating
        self._event(
            Action.RATE,
            at,
            actor,
            self.status,
            data={"rating": rating, "criteria": dict(criteria or {})},
        )

    # ------------------------------------------------------------------ reading

    def can_forward(self) -> bool:
        """A next step that still processes exists (else the result step is approved)."""
        if not self.steps:
            return self.status == Status.RECEIVED
        return self.values["current_step"] is not None and (
            rules.forward_refusal(_probe(self)) is None
        )

    def apology_refusal(self, at: dt.datetime) -> IllegalTransition | None:
        """rules.apology_refusal on this life (the regime's lead, the apology limit)."""
        return rules.apology_refusal(_probe(self), at)

    def verdict(self, now: dt.datetime) -> str | None:
        return deadlines.verdict(_Probe(self), now)


class _Probe:
    """A Life seen through a Dossier's attribute names (for rules and deadlines)."""

    def __init__(self, life: Life) -> None:
        self._life = life

    def __getattr__(self, name: str) -> Any:
        v = self._life.values
        if name in v:
            return v[name]
        if name == "procedure_version_id":
            return self._life.version.pk
        if name == "current_step_id":
            step = v["current_step"]
            return None if step is None else step.pk
        if name == "settling_agency_id":
            return self._life.settling.pk
        raise AttributeError(name)


def _probe(life: Life) -> Dossier:
    """The probe where the rules want a Dossier: they read only the attributes it answers."""
    return cast("Dossier", _Probe(life))
