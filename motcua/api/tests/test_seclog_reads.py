"""dossier_read and hidden refusals in the security log, through the real pages and API:
a staff member opening a dossier, its files and its forms is logged (who, which dossier,
from where, which view); the owner reading their own is not; lists are not reads; a
dossier another citizen tries is a refusal answered 404 and logged as one."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.dossiers.enums import Status
from motcua.org.tests.otp import otp_login

from .conftest import advance

pytestmark = pytest.mark.django_db
ADDR = "192.0.2.33"


def _page(user, path):
    client = Client()
    otp_login(client, user)  # past the officers' second factor (org/otp.py)
    return client.get(path, REMOTE_ADDR=ADDR)


def test_back_office_page_file_and_form(security_lines, world):
    d = advance(world, Status.RECEIVED)
    officer = world.a.staff["c:counter"]
    att = d.attachments.first()
    assert _page(officer, f"/can-bo/ho-so/{d.pk}/").status_code == 200
    assert _page(officer, f"/can-bo/ho-so/{d.pk}/tep/{att.pk}/").status_code == 200
    assert _page(officer, f"/giay-to/{d.pk}/receipt.pdf").status_code == 200
    lines = security_lines("dossier_read")
    assert [(x["what"], x["view"]) for x in lines] == [
        ("dossier", "backoffice:dossier"),
        ("attachment", "backoffice:attachment"),
        ("document", "documents:dossier_document"),
    ]
    for x in lines:
        assert (x["user_id"], x["user"]) == (officer.pk, officer.username)
        assert (x["dossier_id"], x["dossier_code"]) == (d.pk, d.code)
        assert x["ip"] == ADDR
        assert x["ts"].endswith("+00:00")
    assert lines[1]["attachment_id"] == att.pk
    assert lines[2]["document"] == "receipt"


def test_api_detail_and_file(security_lines, world, api):
    d = advance(world, Status.RECEIVED)
    officer = world.a.staff["c:counter"]
    att = d.attachments.first()
    assert api.get(f"/{d.pk}", officer).status_code == 200
    assert api.get(f"/{d.pk}/attachments/{att.pk}", officer).status_code == 200
    lines = security_lines("dossier_read")
    assert [(x["what"], x["view"], x["dossier_id"], x["user"]) for x in lines] == [
        ("dossier", "api:dossier_detail", d.pk, officer.username),
        ("attachment", "api:dossier_attachment", d.pk, officer.username),
    ]


def test_owner_reads_and_lists_are_not_logged(security_lines, world, api):
    d = advance(world, Status.RECEIVED)
    att = d.attachments.first()
    officer = world.a.staff["c:counter"]
    assert api.get(f"/{d.pk}", world.citizen).status_code == 200
    assert api.get(f"/{d.pk}/attachments/{att.pk}", world.citizen).status_code == 200
    assert _page(world.citizen, f"/ho-so/{d.pk}/").status_code == 200
    assert _page(world.citizen, f"/giay-to/{d.pk}/receipt.pdf").status_code == 200
    assert api.get("/inbox", officer).status_code == 200
    assert api.get("/mine", world.citizen).status_code == 200
    assert _page(officer, "/can-bo/").status_code == 200
    assert security_lines("dossier_read") == []


def test_another_citizens_dossier_is_a_logged_refusal(security_lines, world, api):
    d = advance(world, Status.RECEIVED)
    other = world.citizen2
    assert api.get(f"/{d.pk}", other).status_code == 404
    assert _page(other, f"/ho-so/{d.pk}/").status_code == 404
    assert _page(other, f"/giay-to/{d.pk}/receipt.pdf").status_code == 404
    assert api.get("/999999", other).status_code == 404  # missing: not a refusal
    lines = security_lines("permission_denied")
    assert [(x["status"], x["hidden"], x["code"], x["dossier_id"]) for x in lines] == [
        (404, True, "dossier_not_visible", d.pk)
    ] * 3
    assert [x["view"] for x in lines] == [
        "api:dossier_detail",
        "portal:dossier",
        "documents:dossier_document",
    ]
    assert {x["user"] for x in lines} == {other.username}
    assert security_lines("dossier_read") == []


def test_other_sides_officer_gets_a_logged_404(security_lines, world):
    d = advance(world, Status.RECEIVED)
    b_officer = world.b.staff["c:counter"]
    assert _page(b_officer, f"/can-bo/ho-so/{d.pk}/").status_code == 404
    (line,) = security_lines("permission_denied")
    assert (line["user"], line["dossier_id"], line["view"]) == (
        b_officer.username,
        d.pk,
        "backoffice:dossier",
    )
