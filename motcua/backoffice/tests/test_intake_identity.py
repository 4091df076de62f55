"""Counter intake: every error next to its field at once; filing for someone else names the
principal and carries the authorisation's scan."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.models import AttachmentKind, Dossier
from motcua.dossiers.tests.factories import PDF
from motcua.org.tests.otp import otp_login

from .test_pages import _intake

pytestmark = pytest.mark.django_db

URL = "/can-bo/tiep-nhan/"


def error_of(html: str, field: str) -> str:
    marker = f'id="i-{field}-error">'
    return html.split(marker, 1)[1].split("<", 1)[0] if marker in html else ""


def test_intake_shows_every_error_next_to_its_field(client, world, officer):
    otp_login(client, officer)
    r = client.post(
        URL,
        _intake(
            world,
            applicant_name=" ",
            applicant_id_number="123",
            applicant_phone="0123",
            applicant_email="not-an-email",
            principal_name="Trần Thị Bình",
        ),
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert error_of(html, "applicant_name") == "Cần nhập họ tên (hoặc tên tổ chức)."
    assert error_of(html, "applicant_id_number").startswith("Số định danh cá nhân (12 chữ số)")
    assert error_of(html, "applicant_phone").startswith("Số điện thoại không hợp lệ")
    assert error_of(html, "applicant_email").startswith("Địa chỉ thư điện tử không hợp lệ")
    assert error_of(html, "principal_id_number").startswith(
        "Cần nhập số định danh cá nhân hoặc mã số thuế"
    )
    assert error_of(html, "authorization").startswith("Cần đính kèm giấy ủy quyền")
    assert error_of(html, "applicant_address") == ""
    assert not Dossier.objects.exists()


def test_intake_for_a_principal_keeps_the_relation_and_the_scan(client, world, officer):
    otp_login(client, officer)
    r = client.post(
        URL,
        _intake(
            world,
            applicant_phone="+84 988 000 111",
            principal_name="Trần Thị Bình",
            principal_id_number="027190000001",
            authorization=SimpleUploadedFile("uy-quyen.pdf", PDF),
        ),
    )
    d = Dossier.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/can-bo/ho-so/{d.pk}/"
    assert (d.applicant_name, d.applicant_phone) == ("Lê Văn Quầy", "0988000111")
    assert (d.principal_name, d.principal_id_number) == ("Trần Thị Bình", "027190000001")
    scan = d.attachments.get(kind=AttachmentKind.AUTHORIZATION)
    # Kept as handed in; digitized only by its OCR (motcua.digitization, queued by the page).
    assert (scan.original_name, scan.digitized) == ("uy-quyen.pdf", False)
    assert d.events.get(seq=1).data["principal"] == {
        "name": "Trần Thị Bình",
        "id_number": "027190000001",
    }
    page = client.get(r["Location"]).content.decode()
    assert "Lê Văn Quầy (001099000111) — đại diện theo ủy quyền của Trần Thị Bình" in page
