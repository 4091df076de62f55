"""Role × action matrix through HTTP: on a side-A dossier in a state where the action is
allowed, exactly the expected callers succeed; the others get 401 (anonymous), 403 (they may
see the dossier) or 404 (they may not), and the dossier's version does not move."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import PDF
from motcua.org.enums import Role

from .conftest import advance

pytestmark = pytest.mark.django_db


def actors(w):
    out = []
    for side_name, side in (("A", w.a), ("B", w.b)):
        for tag in ("c", "s"):
            for role in Role.values:
                out.append((f"{side_name} {tag}:{role}", side.staff[f"{tag}:{role}"]))
    out += [("citizen", w.citizen), ("citizen2", w.citizen2), ("anonymous", None)]
    return out


def at_last_step(w):
    d = advance(w, Status.PROCESSING)
    return s.dossier_forward(dossier_id=d.pk, actor=w.a.staff["s:specialist"])


def pdf():
    return SimpleUploadedFile("ket-qua.pdf", PDF, content_type="application/pdf")


def future():
    return (timezone.now() + dt.timedelta(days=60)).isoformat()


# action path, how to build the dossier, body (callable of world), multipart?, winners
CASES = {
    "receive": (lambda w: advance(w, Status.SUBMITTED), None, False, {"A c:counter"}),
    "refuse": (
        lambda w: advance(w, Status.SUBMITTED),
        lambda w: {"reason": "Sai"},
        False,
        {"A c:counter"},
    ),
    "forward": (lambda w: advance(w, Status.RECEIVED), None, False, {"A c:counter"}),
    "approve": (at_last_step, lambda w: {"result_note": "Đã cấp"}, False, {"A s:leader"}),
    "return": (lambda w: advance(w, Status.PROCESSED), None, False, {"A c:counter"}),
    "result": (
        lambda w: advance(w, Status.PROCESSED),
        lambda w: {"file": pdf()},
        True,
        {"A s:specialist", "A s:leader"},
    ),
    "supplement-request": (
        lambda w: advance(w, Status.PROCESSING),
        lambda w: {"reason": "Thiếu", "missing_components": [w.components[1].pk]},
        False,
        {
            "A c:counter",
            "A c:specialist",
            "A c:leader",
            "A s:counter",
            "A s:specialist",
            "A s:leader",
        },
    ),
    "supplement": (
        lambda w: advance(w, Status.SUPPLEMENT_REQUESTED),
        lambda w: {f"component_{w.components[1].pk}": pdf(), "note": "Bổ sung"},
        True,
        {"A c:counter", "citizen"},
    ),
    "payment-request": (
        lambda w: advance(w, Status.PROCESSING),
        None,
        False,
        {
            "A c:counter",
            "A c:specialist",
            "A c:leader",
            "A s:counter",
            "A s:specialist",
            "A s:leader",
        },
    ),
    "payment": (
        lambda w: advance(w, Status.FINANCIAL_OBLIGATION),
        # Counter payments only, with the receipt: the applicant never marks it paid.
        lambda w: {"amount_vnd": 8000, "channel": "counter_cash", "receipt_number": "0001"},
        False,
        {"A c:counter"},
    ),
    "withdrawal": (
        lambda w: advance(w, Status.RECEIVED),
        lambda w: {"reason": "Không cần"},
        False,
        {"A c:counter", "citizen"},
    ),
    "stop": (
        lambda w: advance(w, Status.WITHDRAWAL_REQUESTED),
        lambda w: {"reason": "Công dân rút"},
        False,
        {"A c:counter", "A c:leader", "A s:counter", "A s:leader"},
    ),
    "apology": (
        lambda w: advance(w, Status.PROCESSING),
        lambda w: {"reason": "Chậm xác minh", "new_due_at": future()},
        False,
        {"A s:leader"},
    ),
    "rating": (
        lambda w: advance(w, Status.RETURNED),
        lambda w: {"rating": 1, "criteria": {"thai_do": 1}, "comment": "Tốt"},
        False,
        {"citizen"},
    ),
}


def _call(api, path, d, user, body, multipart):
    if multipart:
        return api.multipart(f"/{d.pk}/{path}", user, body)
    return api.post(f"/{d.pk}/{path}", user, body)


@pytest.mark.parametrize("path", list(CASES))
def test_action_matrix(world, api, path):
    setup, body, multipart, winners = CASES[path]
    d = setup(world)
    succeeded = set()
    for name, user in actors(world):
        before = Dossier.objects.get(pk=d.pk).version
        r = _call(api, path, d, user, body(world) if body else {}, multipart)
        if name in winners:
            assert r.status_code == 200, (name, r.json())
            assert r.json()["version"] == before + 1
            succeeded.add(name)
            d = setup(world)
            continue
        if user is None:
            expected = 401
        elif name.startswith("A ") or name == "citizen":
            expected = 403
        else:
            expected = 404
        assert r.status_code == expected, (name, r.status_code, r.json())
        assert (
            r.json()["error"]["code"]
            == {401: "unauthenticated", 403: "forbidden", 404: "not_found"}[expected]
        )
        assert Dossier.objects.get(pk=d.pk).version == before, name
    assert succeeded == winners


def test_submit_matrix(world, api):
    w = world
    for name, user in actors(w):
        r = api.multipart(
            "",
            user,
            {
                "procedure": w.procedure.code,
                "receiving_agency": w.a.center.code,
                f"component_{w.components[0].pk}": pdf(),
            },
        )
        if name in ("citizen", "citizen2"):
            assert r.status_code == 201, (name, r.json())
        elif user is None:
            assert r.status_code == 401
        else:
            assert r.status_code == 403, (name, r.json())
            assert r.json()["error"]["code"] == "not_an_applicant"
    assert Dossier.objects.count() == 2


def test_intake_matrix(world, api):
    w = world
    body = {
        "procedure": w.procedure.code,
        "receiving_agency": w.a.center.code,
        "channel": 1,
        "applicant": {"name": "Trần Thị Bình", "id_number": "001203000999"},
        "received": [{"component": w.components[0].pk, "originals": 1}],
    }
    for name, user in actors(w):
        r = api.post("/intake", user, body)
        if name == "A c:counter":
            assert r.status_code == 201, r.json()
            assert r.json()["status"]["value"] == Status.RECEIVED
        elif user is None:
            assert r.status_code == 401
        else:
            assert r.status_code == 403, (name, r.json())
    assert Dossier.objects.count() == 1


@pytest.mark.parametrize("path", list(CASES))
def test_action_matrix_for_roles_out_of_force(world, api, path):
    """Every staff winner of the matrix whose role ended yesterday — or whose agency's
    validity ended yesterday — may no longer act nor see the dossier (404), and the dossier
    does not change (the one role lookup, motcua.org.selectors.staff_role_map)."""
    from motcua.org.models import StaffRole

    setup, body, multipart, winners = CASES[path]
    staff = {name: user for name, user in actors(world) if name in winners and name[0] == "A"}
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for how in ("role", "agency"):
        for name, user in staff.items():
            d = setup(world)
            before = Dossier.objects.get(pk=d.pk).version
            role = StaffRole.objects.select_related("agency").get(user=user)
            if how == "role":
                role.valid_to = yesterday
                role.save()
            else:
                role.agency.valid_from = yesterday - dt.timedelta(days=365)
                role.agency.valid_to = yesterday
                role.agency.save()
            r = _call(api, path, d, user, body(world) if body else {}, multipart)
            assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found"), (how, name)
            assert Dossier.objects.get(pk=d.pk).version == before, (how, name)
            role.valid_to = None
            role.save()
            role.agency.valid_to = None
            role.agency.save()
