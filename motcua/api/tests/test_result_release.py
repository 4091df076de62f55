"""A result reaches the applicant only after approval (status 9 or 10): a specialist's draft
attached while the dossier is processed stays with the staff, in the API and on the portal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.models import AttachmentKind
from motcua.org.tests.otp import otp_login
from motcua.signing.tests.factories import signed_pdf

from .conftest import advance

pytestmark = pytest.mark.django_db


def draft_result(w):
    d = advance(w, Status.PROCESSING)
    d = s.dossier_forward(dossier_id=d.pk, actor=w.a.staff["s:specialist"])
    d = s.dossier_attach_result(
        dossier_id=d.pk,
        actor=w.a.staff["s:specialist"],
        file=SimpleUploadedFile("ket-qua.pdf", signed_pdf(), content_type="application/pdf"),
    )
    att = d.attachments.get(kind=AttachmentKind.RESULT)
    return d, att


def _citizen_sees(api, w, d, att) -> tuple[list, bool, int, int, bool]:
    body = api.get(f"/{d.pk}", w.citizen).json()
    listed = [a["id"] for a in body["results"]]
    listed_in_components = [a["id"] for c in body["components"] for a in c["attachments"]]
    download = api.get(f"/{d.pk}/attachments/{att.pk}", w.citizen).status_code
    portal = Client()
    otp_login(portal, w.citizen)
    page = portal.get(f"/ho-so/{d.pk}/")
    shown = f"/ho-so/{d.pk}/tep/{att.pk}/" in page.content.decode()
    portal_download = portal.get(f"/ho-so/{d.pk}/tep/{att.pk}/").status_code
    return listed, att.pk in listed_in_components, download, portal_download, shown


def test_draft_result_is_hidden_from_the_applicant_until_approval(world, api):
    w = world
    d, att = draft_result(w)
    assert d.status == Status.PROCESSING

    assert _citizen_sees(api, w, d, att) == ([], False, 404, 404, False)
    # The staff see the draft.
    staff = api.get(f"/{d.pk}", w.a.staff["s:leader"]).json()
    assert [a["id"] for a in staff["results"]] == [att.pk]
    assert api.get(f"/{d.pk}/attachments/{att.pk}", w.a.staff["s:leader"]).status_code == 200

    d = s.dossier_approve(dossier_id=d.pk, actor=w.a.staff["s:leader"], result_note="Đã cấp")
    assert d.status == Status.PROCESSED
    assert _citizen_sees(api, w, d, att) == ([att.pk], False, 200, 200, True)

    d = s.dossier_return_result(dossier_id=d.pk, actor=w.a.staff["c:counter"])
    assert _citizen_sees(api, w, d, att) == ([att.pk], False, 200, 200, True)


def test_the_attach_form_does_not_claim_a_signature(world):
    w = world
    d, _att = draft_result(w)
    client = Client()
    otp_login(client, w.a.staff["s:leader"])
    page = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    # The attach form (the leader's signing form beside it signs for real: motcua.signing).
    form = page[page.index('id="act-attach_result"') :]
    form = form[: form.index("</details>")]
    assert "Tệp kết quả (PDF)" in form
    assert "ký số" not in form
    assert "signed" not in form.lower()


def test_before_approval_the_applicant_does_not_learn_a_draft_exists(world, api):
    w = world
    d, _att = draft_result(w)
    body = api.get(f"/{d.pk}", w.citizen).json()
    assert body["electronic_result"] is False
    assert "attach_result" not in [e["action"] for e in body["events"]]
    staff = api.get(f"/{d.pk}", w.a.staff["s:leader"]).json()
    assert staff["electronic_result"] is True
    assert "attach_result" in [e["action"] for e in staff["events"]]
    portal = Client()
    otp_login(portal, w.citizen)
    timeline = [e["event"].action for e in portal.get(f"/ho-so/{d.pk}/").context["timeline"]]
    assert "attach_result" not in timeline

    s.dossier_approve(dossier_id=d.pk, actor=w.a.staff["s:leader"], result_note="Đã cấp")
    body = api.get(f"/{d.pk}", w.citizen).json()
    assert body["electronic_result"] is True
    assert "attach_result" in [e["action"] for e in body["events"]]
    timeline = [e["event"].action for e in portal.get(f"/ho-so/{d.pk}/").context["timeline"]]
    assert "attach_result" in timeline
