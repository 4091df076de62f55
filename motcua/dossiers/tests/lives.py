"""Dossier lives as scripts: [(action, moment, extra)] played through the services.

Shared by the verdict tests (one dossier per status × timing case) and the property test
of the writers (services, CSV importer, demo generator: the same events give the same
dossier).
"""

from __future__ import annotations

import datetime as dt

from motcua.catalog.enums import AgencyRole
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier

from .factories import PDF, World


def _step_actor(w: World, d: Dossier):
    step = d.current_step
    tag = "c" if step.agency_role == AgencyRole.RECEIVING else "s"
    return w.a.staff[f"{tag}:{step.role}"]


def play(w: World, script: list[tuple]) -> Dossier:
    """Play a life on side A. The first action is "submit" (online, by the citizen) or
    "intake" (at the counter, received at once); then any of: receive, refuse, forward,
    ask (supplement request), supplement, pay_request, pay, apologize (extra: the new
    date), withdraw, stop, approve, return."""
    st = w.a.staff
    d = None
    for action, at, *extra in script:
        if action == "submit":
            d = s.dossier_submit(
                actor=w.citizen,
                procedure=w.procedure,
                receiving_agency=w.a.center,
                files={w.components[0].pk: [("to-khai.pdf", PDF)]},
                at=at,
            )
            continue
        if action == "intake":
            d = s.dossier_intake(
                actor=st["c:counter"],
                procedure=w.procedure,
                receiving_agency=w.a.center,
                applicant={"name": "Nguyễn Văn A"},
                at=at,
            )
            continue
        kw = {"dossier_id": d.pk, "at": at}
        if action == "receive":
            d = s.dossier_receive(actor=st["c:counter"], **kw)
        elif action == "refuse":
            d = s.dossier_refuse(actor=st["c:counter"], reason="Sai thẩm quyền", **kw)
        elif action == "forward":
            d = s.dossier_forward(actor=_step_actor(w, d), **kw)
        elif action == "approve":
            d = s.dossier_approve(actor=_step_actor(w, d), result_note="Đã cấp", **kw)
        elif action == "return":
            d = s.dossier_return_result(actor=st["c:counter"], **kw)
        elif action == "ask":
            d = s.dossier_request_supplement(
                actor=st["s:specialist"], reason="Thiếu giấy chứng sinh", **kw
            )
        elif action == "supplement":
            d = s.dossier_supplement(actor=st["c:counter"], note="Đã bổ sung bản giấy", **kw)
        elif action == "pay_request":
            d = s.dossier_request_payment(actor=st["s:specialist"], **kw)
        elif action == "pay":
            d = s.dossier_confirm_payment(
                actor=st["c:counter"], amount_vnd=d.fee_due_vnd, receipt_number="BL-0001", **kw
            )
        elif action == "apologize":
            d = s.dossier_apologize(
                actor=st["s:leader"], reason="Cần xác minh thêm", new_due_at=extra[0], **kw
            )
        elif action == "withdraw":
            d = s.dossier_request_withdrawal(actor=w.citizen, reason="Không cần nữa", **kw)
        elif action == "stop":
            d = s.dossier_stop(actor=st["c:counter"], reason="Công dân rút hồ sơ", **kw)
        else:  # pragma: no cover - a typo in a script
            raise ValueError(action)
    d.refresh_from_db()
    return d


def processed(received: dt.datetime, finished: dt.datetime) -> list[tuple]:
    """Received online, forwarded through the steps, result approved at `finished`."""
    return [
        ("submit", received - dt.timedelta(minutes=10)),
        ("receive", received),
        ("forward", received + dt.timedelta(minutes=5)),
        ("forward", finished - dt.timedelta(minutes=10)),
        ("approve", finished),
    ]
