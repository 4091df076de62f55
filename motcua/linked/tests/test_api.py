import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from motcua.api.auth import token_create
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import PDF
from motcua.linked.models import LinkedApplication
from motcua.org.enums import Role

from .factories import DATA, settle

URL = "/api/linked"


def _h(user):
    return {"Authorization": f"Bearer {token_create(user=user)[1]}"}


def _post(lw, user, files=None, **fields):
    body = {
        "procedure": "2.000986",
        "receiving_agency": lw.w.a.center.code,
        "data": json.dumps(DATA, ensure_ascii=False),
        "applicant_phone": "0987654321",
        **fields,
    }
    if files is None:
        files = {k: SimpleUploadedFile(f"{k}.pdf", PDF) for k in ("part_p1", "part_p3", "part_p4")}
    body.update(files)
    return Client().post(f"{URL}/applications", body, headers=_h(user))


def test_the_chain_is_public_with_its_parts(lw):
    r = Client().get(f"{URL}/procedures/2.000986")
    assert r.status_code == 200
    body = r.json()
    assert [
        (m["order"], m["procedure"]["code"], m["agency_kind"], m["start"]) for m in body["members"]
    ] == [
        (1, "1.001193", "commune_committee", "at_once"),
        (2, "1.004222", "vertical", "after_previous"),
        (3, "LT.BHYT6", "social_insurance", "after_previous"),
    ]
    assert [(p["key"], p["required"], p["members"]) for p in body["parts"]] == [
        ("p1", True, [1, 2]),
        ("p2", False, [1]),
        ("p3", True, [2]),
        ("p4", True, [3]),
    ]
    assert Client().get(f"{URL}/procedures/1.001193").status_code == 404


def test_post_creates_the_application_and_get_gives_its_timeline(
    lw, django_capture_on_commit_callbacks
):
    r = _post(lw, lw.w.citizen)
    assert r.status_code == 201, r.content
    body = r.json()
    app = LinkedApplication.objects.get()
    assert (body["id"], body["code"], body["state"], body["state_label"]) == (
        app.pk,
        f"LT-{app.pk}",
        "in_progress",
        "Đang giải quyết",
    )
    first = body["members"][0]
    d = Dossier.objects.get()
    assert (first["dossier_code"], first["status"]["value"], first["settling_agency"]["code"]) == (
        d.code,
        1,
        lw.w.a.settling.code,
    )
    assert [e["action"] for e in first["events"]] == ["submit"]
    assert [m["state"] for m in body["members"]] == ["started", "waiting", "waiting"]
    assert body["members"][1]["dossier_id"] is None
    with django_capture_on_commit_callbacks(execute=True):
        settle(lw, d, timezone.now() - dt.timedelta(hours=5))
    got = Client().get(f"{URL}/applications/{app.pk}", headers=_h(lw.w.citizen)).json()
    assert [m["state"] for m in got["members"]] == ["done", "started", "waiting"]
    assert [e["action"] for e in got["members"][0]["events"]] == [
        "submit",
        "receive",
        "forward",
        "forward",
        "approve",
        "return_result",
    ]
    assert got["members"][1]["settling_agency"]["code"] == lw.police_a.code
    assert got["members"][1]["data"] == {"child_name": "Nguyễn Thị Bống", "address": "Thôn Đông"}
    assert got["members"][1]["previous_result"]["dossier_code"] == d.code
    mine = Client().get(f"{URL}/applications", headers=_h(lw.w.citizen)).json()
    assert (mine["count"], [a["id"] for a in mine["items"]]) == (1, [app.pk])


@pytest.mark.parametrize(
    ("fields", "files", "code", "field"),
    [
        ({"data": "[1]"}, None, "invalid_data", "data"),
        ({"receiving_agency": "NOPE"}, None, "unknown_agency", "receiving_agency"),
        ({}, {"part_p2": SimpleUploadedFile("a.pdf", PDF)}, "components_missing", "files"),
        (
            {},
            {"component_1": SimpleUploadedFile("a.pdf", PDF)},
            "invalid_file_field",
            "component_1",
        ),
    ],
)
def test_bad_input_is_named_and_nothing_is_kept(lw, fields, files, code, field):
    r = _post(lw, lw.w.citizen, files=files, **fields)
    assert r.status_code == 422, r.content
    err = r.json()["error"]
    assert (err["code"], err.get("field")) == (code, field)
    assert LinkedApplication.objects.count() == 0


def test_an_unknown_linked_procedure_is_404(lw):
    r = _post(lw, lw.w.citizen, procedure="1.001193")
    assert r.status_code == 404


def test_an_officer_cannot_submit(lw):
    officer = lw.staff[(lw.w.a.center.code, Role.COUNTER)]
    r = _post(lw, officer)
    assert (r.status_code, r.json()["error"]["code"]) == (403, "not_an_applicant")


def test_anonymous_is_401(lw):
    assert Client().get(f"{URL}/applications").status_code == 401
