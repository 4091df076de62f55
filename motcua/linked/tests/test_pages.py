"""The portal: the linked procedure's page offers one submission, one form asks each
document once, and the application's page shows one timeline."""

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import PDF
from motcua.linked.models import LinkedApplication
from motcua.org.enums import Role
from motcua.org.tests.otp import otp_login

from .factories import DATA, settle


def _form(lw, **files):
    body = {
        "receiving_agency": str(lw.w.a.center.pk),
        "applicant_phone": "0987654321",
        **{f"data_{k}": v for k, v in DATA.items()},
    }
    if not files:
        files = {k: SimpleUploadedFile(f"{k}.pdf", PDF) for k in ("part_p1", "part_p3", "part_p4")}
    body.update(files)
    return body


def test_the_procedure_page_offers_one_submission_for_all(client, lw):
    html = client.get("/thu-tuc/2.000986/").content.decode()
    assert 'href="/thu-tuc/2.000986/lien-thong/"' in html
    assert "Nộp một lần cho cả 3 thủ tục liên thông" in html
    assert "Đăng ký khai sinh → Đăng ký thường trú → Cấp thẻ bảo hiểm y tế" in html
    # A member procedure's own page has no such offer.
    assert "lien-thong" not in client.get("/thu-tuc/1.001193/").content.decode()


def test_the_form_asks_each_document_once(client, lw):
    otp_login(client, lw.w.citizen)
    html = client.get("/thu-tuc/2.000986/lien-thong/").content.decode()
    names = re.findall(r'<input type="file" id="id_part_(p\d)"', html)
    assert names == ["p1", "p2", "p3", "p4"]
    assert html.count("Tờ khai đăng ký khai sinh") == 1
    assert re.findall(r'name="data_([a-z_]+)"', html) == ["child_name", "birth_date", "address"]


def test_submit_then_one_timeline(client, lw, django_capture_on_commit_callbacks):
    otp_login(client, lw.w.citizen)
    r = client.post("/thu-tuc/2.000986/lien-thong/", _form(lw))
    app = LinkedApplication.objects.get()
    assert (r.status_code, r["Location"]) == (302, f"/ho-so/lien-thong/{app.pk}/")
    first = app.members.get(order=1).dossier
    with django_capture_on_commit_callbacks(execute=True):
        settle(lw, first, timezone.now() - dt.timedelta(hours=5))
    html = client.get(f"/ho-so/lien-thong/{app.pk}/").content.decode()
    second = app.members.get(order=2).dossier
    # The members in order, each with its code and agency; the third still waits.
    assert html.index(first.code) < html.index(second.code) < html.index("Chờ thủ tục trước")
    assert lw.w.a.settling.name in html and lw.police_a.name in html
    assert html.index("Đã trả kết quả") < html.index(lw.police_a.name)
    mine = client.get("/ho-so/").content.decode()
    assert f'href="/ho-so/lien-thong/{app.pk}/"' in mine


def test_errors_are_shown_and_nothing_is_kept(client, lw):
    otp_login(client, lw.w.citizen)
    body = _form(lw, part_p2=SimpleUploadedFile("a.pdf", PDF))
    body["data_birth_date"] = "31/02/2026"
    r = client.post("/thu-tuc/2.000986/lien-thong/", body)
    html = r.content.decode()
    assert r.status_code == 422
    assert 'id="err_data_birth_date"' in html
    assert "Hồ sơ liên thông còn thiếu 3 thành phần bắt buộc" in html
    assert (LinkedApplication.objects.count(), Dossier.objects.count()) == (0, 0)


def test_only_the_owner_sees_the_application_page(client, lw):
    otp_login(client, lw.w.citizen)
    client.post("/thu-tuc/2.000986/lien-thong/", _form(lw))
    app = LinkedApplication.objects.get()
    client.logout()
    for user in (lw.w.citizen2, lw.staff[(lw.w.a.center.code, Role.COUNTER)]):
        otp_login(client, user)
        assert client.get(f"/ho-so/lien-thong/{app.pk}/").status_code == 404
        client.logout()
    assert client.get(f"/ho-so/lien-thong/{app.pk}/").status_code == 302  # to the login
