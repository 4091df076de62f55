"""Access as a matrix: who sees the application (its owner only) and which member dossier
each agency sees (its own: the one it settles; the one-stop center that received them
all sees all three)."""

import datetime as dt

import pytest
from django.test import Client

from motcua.api.auth import token_create
from motcua.dossiers.access import can_view
from motcua.linked.selectors import application_get
from motcua.linked.services import chain_parts, linked_application_submit
from motcua.org.enums import Role

from .factories import DATA, T0, files_for, settle


@pytest.fixture
def full(lw, django_capture_on_commit_callbacks):
    app = linked_application_submit(
        actor=lw.w.citizen,
        linked=lw.linked,
        receiving_agency=lw.w.a.center,
        data=DATA,
        files=files_for(chain_parts(lw.linked, T0.date())),
        at=T0,
    )
    for i in range(2):
        row = app.members.get(order=i + 1)
        with django_capture_on_commit_callbacks(execute=True):
            settle(lw, row.dossier, T0 + dt.timedelta(days=i))
    dossiers = [r.dossier for r in app.members.order_by("order")]
    assert all(dossiers)
    return lw, app, dossiers


# who → (sees the application, sees member dossiers 1, 2, 3)
MATRIX = {
    "owner": (True, (True, True, True)),
    "other_citizen": (False, (False, False, False)),
    "center_a_counter": (False, (True, True, True)),
    "committee_a_specialist": (False, (True, False, False)),
    "police_a_specialist": (False, (False, True, False)),
    "insurance_specialist": (False, (False, False, True)),
    "police_b_specialist": (False, (False, False, False)),
    "committee_b_leader": (False, (False, False, False)),
}


def _who(lw, name):
    return {
        "owner": lw.w.citizen,
        "other_citizen": lw.w.citizen2,
        "center_a_counter": lw.staff[(lw.w.a.center.code, Role.COUNTER)],
        "committee_a_specialist": lw.staff[(lw.w.a.settling.code, Role.SPECIALIST)],
        "police_a_specialist": lw.staff[(lw.police_a.code, Role.SPECIALIST)],
        "insurance_specialist": lw.staff[(lw.insurance.code, Role.SPECIALIST)],
        "police_b_specialist": lw.staff[(lw.police_b.code, Role.SPECIALIST)],
        "committee_b_leader": lw.staff[(lw.w.b.settling.code, Role.LEADER)],
    }[name]


@pytest.mark.parametrize("who", list(MATRIX))
def test_access_matrix(full, who):
    lw, app, dossiers = full
    user = _who(lw, who)
    sees_app, sees = MATRIX[who]
    headers = {"Authorization": f"Bearer {token_create(user=user)[1]}"}
    r = Client().get(f"/api/linked/applications/{app.pk}", headers=headers)
    assert r.status_code == (200 if sees_app else 404)
    listed = Client().get("/api/linked/applications", headers=headers).json()
    assert [a["id"] for a in listed["items"]] == ([app.pk] if sees_app else [])
    assert tuple(can_view(user, d) for d in dossiers) == sees
    codes = tuple(
        Client().get(f"/api/dossiers/{d.pk}", headers=headers).status_code for d in dossiers
    )
    assert codes == tuple(200 if s else 404 for s in sees)
    if not sees_app:
        from motcua.core.errors import NotFound

        with pytest.raises(NotFound):
            application_get(user=user, application_id=app.pk)
