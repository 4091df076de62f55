import datetime as dt

import pytest

from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.org.models import Applicant

from .factories import PDF, make_world, vn


@pytest.fixture
def world(db):
    return make_world()


# A Wednesday morning, clear of holidays.
T0 = vn(2026, 3, 4, 9, 0)


def submit(w, at=T0, user=None, applicant=None):
    """An online submission by the citizen (or `user`). The applicant is the account's
    person: a name or personal number in `applicant` is given to the account first."""
    user = user or w.citizen
    identity = {k: v for k, v in (applicant or {}).items() if k in ("name", "id_number")}
    if identity:
        Applicant.objects.filter(user=user).update(
            **{{"name": "full_name", "id_number": "personal_id"}[k]: v for k, v in identity.items()}
        )
        applicant = {k: v for k, v in applicant.items() if k not in identity}
    return s.dossier_submit(
        actor=user,
        procedure=w.procedure,
        receiving_agency=w.a.center,
        applicant=applicant,
        files={w.components[0].pk: [("to-khai.pdf", PDF)]},
        at=at,
    )


def advance(w, status: int, at=T0, applicant=None):
    """Build a dossier of side A in the given status, through the services; `applicant`
    overrides the account's details ({"name": …})."""
    st = w.a.staff
    d = submit(w, at, applicant=applicant)
    if status == Status.SUBMITTED:
        return d
    if status == Status.REFUSED:
        return s.dossier_refuse(
            dossier_id=d.pk, actor=st["c:counter"], reason="Sai thẩm quyền", at=at
        )
    t = at + dt.timedelta(minutes=10)
    d = s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], at=t)
    if status == Status.RECEIVED:
        return d
    if status == Status.WITHDRAWAL_REQUESTED:
        return s.dossier_request_withdrawal(
            dossier_id=d.pk, actor=w.citizen, reason="Không cần nữa", at=t
        )
    if status == Status.STOPPED:
        d = s.dossier_request_withdrawal(
            dossier_id=d.pk, actor=w.citizen, reason="Không cần nữa", at=t
        )
        return s.dossier_stop(dossier_id=d.pk, actor=st["c:counter"], reason="Công dân rút", at=t)
    t += dt.timedelta(minutes=10)
    d = s.dossier_forward(dossier_id=d.pk, actor=st["c:counter"], at=t)
    if status == Status.PROCESSING:
        return d
    if status == Status.SUPPLEMENT_REQUESTED:
        return s.dossier_request_supplement(
            dossier_id=d.pk,
            actor=st["s:specialist"],
            reason="Thiếu giấy chứng sinh",
            missing_components=[w.components[1].pk],
            at=t,
        )
    if status == Status.FINANCIAL_OBLIGATION:
        return s.dossier_request_payment(dossier_id=d.pk, actor=st["s:specialist"], at=t)
    t += dt.timedelta(hours=1)
    d = s.dossier_forward(dossier_id=d.pk, actor=st["s:specialist"], at=t)
    t += dt.timedelta(hours=1)
    d = s.dossier_approve(dossier_id=d.pk, actor=st["s:leader"], result_note="Đã cấp", at=t)
    if status == Status.PROCESSED:
        return d
    t += dt.timedelta(hours=1)
    return s.dossier_return_result(dossier_id=d.pk, actor=st["c:counter"], at=t)
