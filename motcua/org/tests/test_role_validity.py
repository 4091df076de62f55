"""Staff rights end when the agency's or the role's validity ends.

The one role lookup (motcua.org.selectors.staff_role_map) decides; the matrix below checks
every consumer agrees for every way a role can be out of force: the services
(access.authorize), the API through a bearer token (also after the token cache learnt the
role), the back office pages and the inbox.
"""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from motcua.api.tests.conftest import Caller
from motcua.core.errors import PermissionDenied
from motcua.dossiers import services as s
from motcua.dossiers.access import allowed_actions, can_view, staff_roles
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance
from motcua.dossiers.tests.factories import make_world
from motcua.org.models import StaffRole
from motcua.org.selectors import staff_role_map
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def today() -> dt.date:
    return timezone.localdate()


def _agency_ended(w, role: StaffRole) -> None:
    agency = role.agency
    agency.valid_from = today() - dt.timedelta(days=400)
    agency.valid_to = today() - dt.timedelta(days=1)
    agency.save()


def _agency_not_yet(w, role: StaffRole) -> None:
    agency = role.agency
    agency.valid_from = today() + dt.timedelta(days=1)
    agency.save()


def _role_ended(w, role: StaffRole) -> None:
    role.valid_to = today() - dt.timedelta(days=1)
    role.save()


def _role_not_yet(w, role: StaffRole) -> None:
    role.valid_from = today() + dt.timedelta(days=1)
    role.save()


def _role_inactive(w, role: StaffRole) -> None:
    role.active = False
    role.save()


OUT_OF_FORCE = {
    "agency ended yesterday": _agency_ended,
    "agency starts tomorrow": _agency_not_yet,
    "role ended yesterday": _role_ended,
    "role starts tomorrow": _role_not_yet,
    "role deactivated": _role_inactive,
}


def counter_role(w) -> StaffRole:
    return StaffRole.objects.get(user=w.a.staff["c:counter"])


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_role_in_force_today_counts_on_its_last_day(world):
    w = world
    role = counter_role(w)
    role.valid_from = today()
    role.valid_to = today()
    role.save()
    agency = role.agency
    agency.valid_to = today()
    agency.save()
    officer = fresh(w.a.staff["c:counter"])
    assert staff_role_map(officer) == {w.a.center.pk: {"counter"}}
    assert staff_roles(officer) == {w.a.center.pk: {"counter"}}


@pytest.mark.parametrize("case", list(OUT_OF_FORCE))
def test_every_consumer_refuses_a_role_out_of_force(world, case):
    """Given a submitted dossier at centre A, when the counter officer's role or agency is
    out of force, then the lookup, the service, the API, the back office and the inbox all
    refuse, and the dossier does not change."""
    w = world
    d = advance(w, Status.SUBMITTED, at=timezone.now() - dt.timedelta(hours=2))
    officer = w.a.staff["c:counter"]
    api = Caller()
    # The API token cache learns the role first (a cached entry must not outlive the change).
    assert api.get(f"/{d.pk}", officer).status_code == 200

    OUT_OF_FORCE[case](w, counter_role(w))

    officer = fresh(officer)
    assert staff_role_map(officer) == {}
    assert not can_view(officer, d)
    assert allowed_actions(officer, d) == []
    with pytest.raises(PermissionDenied):
        s.dossier_receive(dossier_id=d.pk, actor=officer)
    r = api.post(f"/{d.pk}/receive", officer)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    assert api.get(f"/{d.pk}", officer).status_code == 404
    assert api.get("/inbox", officer).json() == {"count": 0, "items": []}
    client = Client()
    otp_login(client, officer)
    assert client.get("/can-bo/").status_code == 403
    assert client.get(f"/can-bo/ho-so/{d.pk}/").status_code == 403
    r = client.post(f"/can-bo/ho-so/{d.pk}/receive/", {"expected_version": d.version})
    assert r.status_code == 403
    assert Dossier.objects.get(pk=d.pk).version == d.version
    assert Dossier.objects.get(pk=d.pk).status == Status.SUBMITTED


def test_other_roles_of_the_same_person_keep_working(world):
    """A role out of force takes away only its own rights."""
    w = world
    officer = w.a.staff["c:counter"]
    StaffRole.objects.create(user=officer, agency=w.b.center, role="counter")
    _role_ended(w, counter_role_at(w, officer, w.a.center))
    assert staff_role_map(fresh(officer)) == {w.b.center.pk: {"counter"}}


def counter_role_at(w, user, agency) -> StaffRole:
    return StaffRole.objects.get(user=user, agency=agency)


def test_an_agency_out_of_force_receives_nothing(world):
    """Its officers have no rights (above), and nobody can send it a dossier."""
    from motcua.catalog.selectors import receiving_agencies
    from motcua.core.errors import ValidationFailed
    from motcua.dossiers.tests.conftest import submit

    w = world
    _agency_ended(w, counter_role(w))
    w.a.center.refresh_from_db()
    assert [a.pk for a in receiving_agencies(w.procedure)] == [w.b.center.pk]
    with pytest.raises(ValidationFailed) as refused:
        submit(w, at=timezone.now())
    assert (refused.value.code, refused.value.field) == ("agency_not_in_force", "receiving_agency")
    assert not Dossier.objects.exists()
