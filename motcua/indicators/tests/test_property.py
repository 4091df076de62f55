"""Property: for random histories of service calls, the incremental figures (facts and
counters kept by the in-transaction hook) equal a full recomputation from the raw dossiers,
for several periods, scopes and judging moments; and the counters equal a rebuild."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from motcua.catalog.enums import AgencyRole
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import DomainError
from motcua.dossiers import services as s
from motcua.indicators.models import Count
from motcua.indicators.selectors import indicators_compute, indicators_full_recompute
from motcua.indicators.services import indicators_rebuild
from motcua.signing.tests.factories import signed_pdf

from .helpers import PDF, vn

pytestmark = pytest.mark.django_db

START = vn(2026, 3, 27, 9, 0)  # a Friday: histories cross a weekend and a month end
ACTIONS = [
    "receive",
    "refuse",
    "forward",
    "request_supplement",
    "supplement",
    "request_payment",
    "confirm_payment",
    "request_withdrawal",
    "stop",
    "apologize",
    "approve",
    "attach_result",
    "return_result",
    "rate",
    # the natural next step of the dossier, weighted so that histories reach the end
    *["progress"] * 14,
]
steps = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.integers(0, 2),  # which dossier (or which side, for a new one)
        st.sampled_from([0, 20, 240, 1440, 4320]),  # minutes later
        st.integers(0, 2),  # a choice (channel, payment kind, rating)
    ),
    min_size=5,
    max_size=40,
)
# The dossiers of a history: (side, how it arrives: 0 online, 1 counter, 2 post).
starts = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 2)), min_size=1, max_size=3)


def _step_actor(w, d):
    side = w.a if d.receiving_agency_id == w.a.center.pk else w.b
    step = d.current_step
    if step is None:
        return side.staff["c:counter"]
    tag = "c" if step.agency_role == AgencyRole.RECEIVING else "s"
    return side.staff[f"{tag}:{step.role}"]


def _next_action(d):
    if d.status == 1:
        return "receive"
    if d.status in (2, 4):
        return "forward_or_approve"
    return {5: "supplement", 6: "confirm_payment", 7: "stop", 9: "return_result"}.get(
        d.status, "rate"
    )


def _do(w, dossiers, action, which, at, choice):
    side = (w.a, w.b)[which % 2]
    files = {w.components[0].pk: [("to-khai.pdf", PDF)]}
    if action == "submit":
        dossiers.append(
            s.dossier_submit(
                actor=w.citizen,
                procedure=w.procedure,
                receiving_agency=side.center,
                files=files,
                at=at,
            )
        )
        return
    if action == "intake":
        dossiers.append(
            s.dossier_intake(
                actor=side.staff["c:counter"],
                procedure=w.procedure,
                receiving_agency=side.center,
                channel=1 if choice == 1 else 3,
                applicant={"name": "Trần Thị B"},
                files=files,
                at=at,
            )
        )
        return
    if not dossiers:
        return
    d = dossiers[which % len(dossiers)]
    d.refresh_from_db()
    side = w.a if d.receiving_agency_id == w.a.center.pk else w.b
    staff = side.staff
    kw = {"dossier_id": d.pk, "at": at}
    if action == "progress":
        action = _next_action(d)
    if action == "forward_or_approve":
        try:
            with transaction.atomic():
                s.dossier_forward(actor=_step_actor(w, d), **kw)
        except DomainError:
            s.dossier_approve(actor=_step_actor(w, d), result_note="Đã cấp", **kw)
    elif action == "receive":
        s.dossier_receive(actor=staff["c:counter"], **kw)
    elif action == "refuse":
        s.dossier_refuse(actor=staff["c:counter"], reason="Sai thẩm quyền", **kw)
    elif action == "forward":
        s.dossier_forward(actor=_step_actor(w, d), **kw)
    elif action == "approve":
        s.dossier_approve(actor=_step_actor(w, d), result_note="Đã cấp", **kw)
    elif action == "request_supplement":
        s.dossier_request_supplement(actor=staff["s:specialist"], reason="Thiếu giấy", **kw)
    elif action == "supplement":
        s.dossier_supplement(actor=w.citizen, note="Đã bổ sung", **kw)
    elif action == "request_payment":
        s.dossier_request_payment(actor=staff["s:specialist"], **kw)
    elif action == "confirm_payment":
        if choice == 0:
            s.dossier_confirm_payment(
                actor=staff["c:counter"], amount_vnd=8000, receipt_number="BL", **kw
            )
        else:
            channel = "national_platform" if choice == 1 else "gateway"
            s.dossier_settle_payment(
                amount_vnd=8000,
                channel=channel,
                reference="R",
                payment_id=1,
                verified_by="ipn",
                **{k: v for k, v in kw.items() if k in ("dossier_id", "at")},
            )
    elif action == "request_withdrawal":
        s.dossier_request_withdrawal(actor=staff["c:counter"], reason="Rút", **kw)
    elif action == "stop":
        s.dossier_stop(actor=staff["c:counter"], reason="Rút", **kw)
    elif action == "apologize":
        new_due = (d.due_at or at) + dt.timedelta(days=3)
        s.dossier_apologize(actor=staff["s:leader"], reason="Chậm", new_due_at=new_due, **kw)
    elif action == "attach_result":
        s.dossier_attach_result(actor=staff["s:specialist"], file=("kq.pdf", signed_pdf()), **kw)
    elif action == "return_result":
        s.dossier_return_result(actor=staff["c:counter"], **kw)
    elif action == "rate":
        s.dossier_rate(actor=w.citizen, rating=choice - 1, **kw)


def _counts():
    names = [f.name for f in Count._meta.fields if f.name not in ("id",)]
    key = ("grain", "day", "receiving_agency", "settling_agency", "procedure", "field")
    out = {}
    for row in Count.objects.values_list(*names):
        values = dict(zip(names, row, strict=True))
        counters = {k: v for k, v in values.items() if k not in key and v}
        if counters:
            out[tuple(values[k] for k in key)] = counters
    return out


PERIODS = [
    (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    (dt.date(2026, 3, 27), dt.date(2026, 3, 30)),
    (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
]


@hsettings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(arrivals=starts, history=steps)
def test_incremental_equals_full_recomputation(world, settings, arrivals, history):
    settings.MOTCUA_MAX_SUPPLEMENT_REQUESTS = 2
    settings.MOTCUA_MAX_APOLOGIES = 2
    ProcedureVersion.objects.filter(pk=world.version.pk).update(eligible_full_online=True)
    sid = transaction.savepoint()
    try:
        dossiers, at = [], START
        for which, channel in arrivals:
            _do(world, dossiers, "submit" if channel == 0 else "intake", which, at, channel)
        for action, which, minutes, choice in history:
            at += dt.timedelta(minutes=minutes)
            try:
                with transaction.atomic():
                    _do(world, dossiers, action, which, at, choice)
            except DomainError:
                pass
        scopes = [{}, {"agency": world.a.center.code}, {"agency": world.b.settling.code}]
        scopes += [{"unit": "07000"}]
        for date_from, date_to in PERIODS:
            for scope in scopes:
                for as_of in (START + dt.timedelta(days=2), at + dt.timedelta(days=10)):
                    kw = {"date_from": date_from, "date_to": date_to, "as_of": as_of, **scope}
                    assert indicators_compute(**kw).as_dict() == (
                        indicators_full_recompute(**kw).as_dict()
                    ), (kw, history)
        live = _counts()
        indicators_rebuild()
        assert _counts() == live
    finally:
        transaction.savepoint_rollback(sid)
