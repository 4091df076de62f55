"""Who the record says acted, from the moment of submission, through the API:

- the online applicant is the account's person; filing for someone else names the
  principal and attaches the authorisation;
- every input error is reported at once, naming each field;
- the code is given at submission and the public lookup finds the dossier at once;
- a retried submission (same Idempotency-Key) never makes two dossiers;
- the catalog API gives the component ids a client names its files with.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.dossiers.models import Attachment, AttachmentKind, Dossier, DossierEvent
from motcua.dossiers.tests.factories import PDF, applicant
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db

OTHER_PID = "001203000124"  # citizen2's personal number in the test world


def pdf(name="to-khai.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def form(w, **extra):
    return {
        "procedure": w.procedure.code,
        "receiving_agency": w.a.center.code,
        f"component_{w.components[0].pk}": pdf(),
        **extra,
    }


def errors(r) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in r.json()["error"]["data"]["errors"]]


# ---------------------------------------------------------------------------- identity


def test_applicant_identity_comes_from_the_account(world, api):
    w = world
    r = api.multipart("", w.citizen, form(w, applicant_phone="+84 912 000 111"))
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["applicant"] == {
        "name": "Nguyễn Văn citizen",
        "id_number": "001203000123",
        "phone": "0912000111",  # +84 normalized
        "email": "citizen@example.vn",
        "address": "Bắc Ninh",
    }
    assert body["principal"] is None


def test_another_citizens_personal_number_is_refused(world, api):
    w = world
    assert w.citizen2.applicant.personal_id == OTHER_PID
    r = api.multipart(
        "",
        w.citizen,
        form(w, applicant_id_number=OTHER_PID, applicant_name="Nguyễn Văn citizen2"),
    )
    assert r.status_code == 422
    assert errors(r) == [
        ("applicant.name", "applicant_is_account"),
        ("applicant.id_number", "applicant_is_account"),
    ]
    assert not Dossier.objects.exists() and not Attachment.objects.exists()
    # Giving the account's own identity is not an error.
    r = api.multipart("", w.citizen, form(w, applicant_id_number="0012 0300 0123"))
    assert r.status_code == 201, r.json()


def test_filing_for_a_principal_with_the_authorisation(world, api):
    w = world
    r = api.multipart(
        "",
        w.citizen,
        form(
            w,
            principal_name="Trần  Thị Bình",
            principal_id_number="027190000001",
            authorization=pdf("giay-uy-quyen.pdf"),
        ),
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["applicant"]["name"] == "Nguyễn Văn citizen"
    assert body["principal"] == {"name": "Trần Thị Bình", "id_number": "027190000001"}
    d = Dossier.objects.get(pk=body["id"])
    assert d.applicant_display == "Nguyễn Văn citizen (đại diện theo ủy quyền của Trần Thị Bình)"
    auth = d.attachments.get(kind=AttachmentKind.AUTHORIZATION)
    assert (auth.original_name, auth.component_id) == ("giay-uy-quyen.pdf", None)
    event = d.events.get(seq=1)
    assert event.data["principal"] == {"name": "Trần Thị Bình", "id_number": "027190000001"}
    detail = api.get(f"/{d.pk}", w.a.staff["c:counter"]).json()
    assert [(a["id"], a["kind"], a["name"]) for a in detail["authorizations"]] == [
        (auth.pk, "authorization", "giay-uy-quyen.pdf")
    ]
    download = api.get(f"/{d.pk}/attachments/{auth.pk}", w.a.staff["c:counter"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # The back office shows it as such.
    client = Client()
    otp_login(client, w.a.staff["c:counter"])
    page = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert "đại diện theo ủy quyền của Trần Thị Bình (027190000001)" in page


def test_a_principal_needs_a_checked_identity_and_the_authorisation(world, api):
    w = world
    r = api.multipart("", w.citizen, form(w, principal_name="", principal_id_number="123"))
    assert r.status_code == 422
    assert errors(r) == [
        ("principal.name", "name_required"),
        ("principal.id_number", "invalid_id_number"),
        ("authorization", "authorization_required"),
    ]
    r = api.multipart(
        "",
        w.citizen,
        form(w, principal_name="Trần Thị Bình", principal_id_number="001203000123"),
    )
    assert errors(r) == [
        ("principal.id_number", "principal_is_applicant"),
        ("authorization", "authorization_required"),
    ]
    assert not Dossier.objects.exists() and not Attachment.objects.exists()


# ---------------------------------------------------------------------------- every error


def test_submission_reports_every_error_at_once(world, api):
    w = world
    r = api.multipart(
        "",
        w.citizen,
        {
            "procedure": w.procedure.code,
            "receiving_agency": w.a.center.code,
            "applicant_email": "not-an-email",
            "applicant_phone": "123",
            "principal_name": "Trần Thị Bình",
            "principal_id_number": "123",
        },
    )
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["code"] == "invalid_input" and body["field"] == "applicant.phone"
    assert errors(r) == [
        ("applicant.phone", "invalid_phone"),
        ("applicant.email", "invalid_email"),
        ("principal.id_number", "invalid_id_number"),
        ("authorization", "authorization_required"),
        ("files", "files_required"),
    ]
    assert body["message"].startswith("Có 5 trường chưa hợp lệ: applicant.phone: Số điện thoại")
    assert not Dossier.objects.exists()


def test_intake_reports_every_error_at_once(world, api):
    w = world
    r = api.post(
        "/intake",
        w.a.staff["c:counter"],
        {
            "procedure": w.procedure.code,
            "receiving_agency": w.a.center.code,
            "channel": 1,
            "applicant": {"name": " ", "email": "not-an-email", "id_number": "123"},
        },
    )
    assert r.status_code == 422
    assert errors(r) == [
        ("applicant.name", "name_required"),
        ("applicant.id_number", "invalid_id_number"),
        ("applicant.email", "invalid_email"),
        ("received", "components_missing"),  # nothing handed in, with the rest
    ]
    assert not Dossier.objects.exists()


# ---------------------------------------------------------------------------- code at once


def test_code_at_submission_and_the_lookup_finds_it_at_once(world, api):
    w = world
    r = api.multipart("", w.citizen, form(w))
    body = r.json()
    d = Dossier.objects.get(pk=body["id"])
    assert body["code"] == d.code and d.code.startswith("000.A.01.H24-")
    assert d.received_at is None
    assert DossierEvent.objects.get(dossier=d, seq=1).data["code"] == d.code
    found = api.get("/lookup", code=d.code, secret=d.secret)
    assert found.status_code == 200
    assert found.json()["status"]["value"] == 1 and found.json()["received_at"] is None
    page = Client().get("/tra-cuu/", {"code": d.code, "secret": d.secret})
    assert page.status_code == 200 and f"Tình trạng hồ sơ {d.code}" in page.content.decode()


def test_the_acknowledgement_is_downloadable_at_submission_not_the_receipt(world, api):
    w = world
    d = Dossier.objects.get(pk=api.multipart("", w.citizen, form(w)).json()["id"])
    client = Client()
    otp_login(client, w.citizen)
    ack = client.get(f"/giay-to/{d.pk}/acknowledgement.pdf")
    assert ack.status_code == 200 and ack.content.startswith(b"%PDF")
    assert f"giay-xac-nhan-nop-truc-tuyen-{d.code}.pdf" in ack["Content-Disposition"]
    # Mẫu 01 certifies receipt: there is none before the counter receives the dossier.
    assert client.get(f"/giay-to/{d.pk}/receipt.pdf").status_code == 404
    # Another citizen does not get it.
    other = Client()
    otp_login(other, w.citizen2)
    assert other.get(f"/giay-to/{d.pk}/acknowledgement.pdf").status_code == 404


# ---------------------------------------------------------------------------- idempotency


def test_same_key_same_request_gives_the_same_dossier(world, api):
    w = world
    first = api.client.post(
        "/api/dossiers",
        form(w),
        headers={**api.headers(w.citizen), "Idempotency-Key": "k-1"},
    )
    again = api.client.post(
        "/api/dossiers",
        form(w),
        headers={**api.headers(w.citizen), "Idempotency-Key": "k-1"},
    )
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert again.json() == first.json()
    assert Dossier.objects.count() == 1 and Attachment.objects.count() == 1


def test_same_key_different_request_is_refused(world, api):
    w = world
    h = {**api.headers(w.citizen), "Idempotency-Key": "k-1"}
    assert api.client.post("/api/dossiers", form(w), headers=h).status_code == 201
    r = api.client.post("/api/dossiers", form(w, request_summary="Khác"), headers=h)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "idempotency_key_reused"
    assert r.json()["error"]["field"] == "Idempotency-Key"
    assert Dossier.objects.count() == 1


def test_keys_are_per_account(world, api):
    w = world
    for user in (w.citizen, w.citizen2):
        h = {**api.headers(user), "Idempotency-Key": "same"}
        assert api.client.post("/api/dossiers", form(w), headers=h).status_code == 201
    assert Dossier.objects.count() == 2


def test_without_a_key_each_request_is_a_new_dossier(world, api):
    w = world
    api.multipart("", w.citizen, form(w))
    api.multipart("", w.citizen, form(w))
    assert Dossier.objects.count() == 2


# ---------------------------------------------------------------------------- catalog


def test_catalog_gives_component_ids_a_client_submits_with(world, api):
    w = world
    detail = Client().get(f"/api/catalog/procedures/{w.procedure.code}").json()
    assert detail["receiving_agencies"] == [
        {"code": w.a.center.code, "name": w.a.center.name},
        {"code": w.b.center.code, "name": w.b.center.name},
    ]
    comps = detail["components"]
    assert [(c["id"], c["order"], c["name"]) for c in comps] == [
        (c.pk, c.order, c.name) for c in w.components
    ]
    assert {"original_count", "copy_count", "group", "required"} <= set(comps[0])
    r = api.multipart(
        "",
        w.citizen,
        {
            "procedure": w.procedure.code,
            "receiving_agency": detail["receiving_agencies"][0]["code"],
            **{f"component_{c['id']}": pdf(f"giay-to-{c['order']}.pdf") for c in comps},
        },
    )
    assert r.status_code == 201, r.json()
    d = Dossier.objects.get(pk=r.json()["id"])
    assert sorted(a.component_id for a in d.attachments.all()) == sorted(c["id"] for c in comps)


def test_a_business_account_files_with_its_tax_code(world, api):
    w = world
    r = api.multipart("", w.business, form(w))
    assert r.status_code == 201
    assert r.json()["applicant"]["id_number"] == w.business.applicant.tax_code


def test_new_account_created_in_test_files_as_itself(world, api):
    user = applicant("citizen3", ident="027190000002")
    r = api.multipart("", user, form(world))
    assert r.json()["applicant"]["id_number"] == "027190000002"


def test_intake_for_a_principal_through_the_api(world, api):
    w = world
    r = api.multipart(
        "/intake",
        w.a.staff["c:counter"],
        {
            "procedure": w.procedure.code,
            "receiving_agency": w.a.center.code,
            "applicant_name": "Lê Văn Cường",
            "principal_name": "Công ty A",
            "principal_id_number": "0100109106",
            "authorization": pdf("uy-quyen.pdf"),
            f"component_{w.components[0].pk}": pdf(),
        },
    )
    assert r.status_code == 201, r.json()
    assert r.json()["principal"] == {"name": "Công ty A", "id_number": "0100109106"}
    assert r.json()["code"] is not None
