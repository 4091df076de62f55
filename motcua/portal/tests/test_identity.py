"""The portal's doors: the applicant is the account's person, filing for someone else is an
explicit authorised representation, every error is shown next to its field, the final
submission step is idempotent per draft, registration allows one account per identifier."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.models import Attachment, AttachmentKind, Dossier
from motcua.dossiers.tests.factories import PDF, PNG
from motcua.org.models import Applicant
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db

FORM = "/thu-tuc/1.001193/nop/"
REVIEW = "/thu-tuc/1.001193/nop/kiem-tra/"


def files(w):
    c1, c2 = w.components
    return {
        f"component_{c1.pk}": SimpleUploadedFile("to-khai.pdf", PDF),
        f"component_{c2.pk}": SimpleUploadedFile("chung-sinh.png", PNG),
    }


def field_error(html: str, key: str) -> str:
    """The error shown inside the field `key` (empty when none)."""
    block = html.split(f'<label for="id_{key}">', 1)[1].split("</div>", 1)[0]
    start = block.find('class="field-error"')
    return "" if start < 0 else block[start:].split(">", 1)[1].split("<", 1)[0]


def test_every_error_is_shown_next_to_its_field_at_once(client, world):
    w = world
    otp_login(client, w.citizen)
    r = client.post(
        FORM,
        {
            "applicant_phone": "123",
            "applicant_email": "not-an-email",
            "represent": "1",
            "principal_name": " ",
            "principal_id_number": "123",
            "receiving_agency": w.a.center.pk,
            **files(w),
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert field_error(html, "applicant_phone").startswith("Số điện thoại không hợp lệ")
    assert field_error(html, "applicant_email").startswith("Địa chỉ thư điện tử không hợp lệ")
    assert field_error(html, "principal_name") == "Cần nhập họ tên (hoặc tên tổ chức)."
    assert field_error(html, "principal_id_number").startswith("Số định danh cá nhân (12 chữ số)")
    assert field_error(html, "authorization").startswith("Cần đính kèm giấy ủy quyền")
    assert field_error(html, "applicant_address") == ""
    assert sorted(r.context["errors"]) == [
        "applicant_email",
        "applicant_phone",
        "authorization",
        "principal_id_number",
        "principal_name",
    ]
    assert not Dossier.objects.exists()


def test_filing_for_a_principal_through_the_portal(client, world):
    w = world
    otp_login(client, w.citizen)
    r = client.post(
        FORM,
        {
            "applicant_phone": "+84 912 345 678",
            "represent": "1",
            "principal_name": "Trần Thị Bình",
            "principal_id_number": "027190000001",
            "authorization": SimpleUploadedFile("uy-quyen.pdf", PDF),
            "receiving_agency": w.a.center.pk,
            **files(w),
        },
    )
    assert r.status_code == 302 and r["Location"] == REVIEW
    review = client.get(REVIEW).content.decode()
    assert "Trần Thị Bình (027190000001)" in review and "uy-quyen.pdf" in review
    r = client.post(REVIEW, {"draft": client.session[f"portal_draft:{w.procedure.code}"]["id"]})
    d = Dossier.objects.get()
    assert r["Location"] == f"/ho-so/{d.pk}/bien-nhan/"
    assert (d.applicant_name, d.applicant_id_number) == ("Nguyễn Văn citizen", "001203000123")
    assert (d.principal_name, d.principal_id_number) == ("Trần Thị Bình", "027190000001")
    assert d.applicant_phone == "0912345678"
    assert d.attachments.get(kind=AttachmentKind.AUTHORIZATION).original_name == "uy-quyen.pdf"
    page = client.get(r["Location"]).content.decode()
    assert "Nguyễn Văn citizen (đại diện theo ủy quyền của Trần Thị Bình)" in page
    assert d.code in page


def test_the_name_and_personal_number_cannot_be_changed_on_the_form(client, world):
    w = world
    otp_login(client, w.citizen)
    client.post(
        FORM,
        {
            "applicant_name": "Nguyễn Văn citizen2",
            "applicant_id_number": "001203000124",
            "receiving_agency": w.a.center.pk,
            **files(w),
        },
    )
    client.post(REVIEW)
    d = Dossier.objects.get()
    assert (d.applicant_name, d.applicant_id_number) == ("Nguyễn Văn citizen", "001203000123")


def test_the_final_step_is_idempotent_per_draft(client, world):
    w = world
    otp_login(client, w.citizen)
    client.post(FORM, {"receiving_agency": w.a.center.pk, **files(w)})
    draft = client.session[f"portal_draft:{w.procedure.code}"]
    stale = client.session.session_key
    first = client.post(REVIEW, {"draft": draft["id"]})
    d = Dossier.objects.get()
    # A second click with the form resubmitted: the same dossier, not a new one.
    second = client.post(REVIEW, {"draft": draft["id"]})
    assert first["Location"] == second["Location"] == f"/ho-so/{d.pk}/bien-nhan/"
    # A concurrent click that still had the draft in its session (same draft id): the key
    # of the draft gives the same dossier back.
    session = client.session
    session[f"portal_draft:{w.procedure.code}"] = draft
    session.save()
    assert client.session.session_key == stale
    third = client.post(REVIEW, {"draft": draft["id"]})
    assert third["Location"] == f"/ho-so/{d.pk}/bien-nhan/"
    assert Dossier.objects.count() == 1
    assert Attachment.objects.count() == 2


def test_register_reports_every_error_at_once_and_one_account_per_identifier(client, world):
    r = client.post(
        "/dang-ky/",
        {
            "kind": "person",
            "username": "",
            "password": "Mat-khau-dai-2026",
            "password2": "Mat-khau-khac-2026",
            "full_name": "",
            "personal_id": "123",
            "phone": "0123",
            "email": "not-an-email",
        },
    )
    assert r.status_code == 400
    assert sorted(r.context["errors"]) == [
        "email",
        "full_name",
        "password2",
        "personal_id",
        "phone",
        "username",
    ]
    html = r.content.decode()
    for key in ("full_name", "personal_id", "phone", "email", "password2"):
        assert field_error(html, key), key
    # One account per personal number: citizen's is taken.
    r = client.post(
        "/dang-ky/",
        {
            "kind": "person",
            "username": "lan",
            "password": "Mat-khau-dai-2026",
            "password2": "Mat-khau-dai-2026",
            "full_name": "Trần Thị Lan",
            "personal_id": "001203000123",
        },
    )
    assert r.status_code == 400
    assert field_error(r.content.decode(), "personal_id") == (
        "Số định danh cá nhân đã được đăng ký cho một tài khoản khác."
    )
    assert Applicant.objects.filter(personal_id="001203000123").count() == 1
