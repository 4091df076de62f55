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
    # The summary links each error to its field.
    assert '<a href="#id_data_birth_date">' in html and '<a href="#id_part_p1">' in html
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


def test_the_next_agency_sees_the_data_and_result_passed_to_its_dossier(
    client, lw, django_capture_on_commit_callbacks
):
    otp_login(client, lw.w.citizen)
    client.post("/thu-tuc/2.000986/lien-thong/", _form(lw))
    client.logout()
    app = LinkedApplication.objects.get()
    first = app.members.get(order=1).dossier
    with django_capture_on_commit_callbacks(execute=True):
        settle(lw, first, timezone.now() - dt.timedelta(hours=5))
    second = app.members.get(order=2).dossier
    otp_login(client, lw.staff[(lw.police_a.code, Role.SPECIALIST)])
    html = client.get(f"/can-bo/ho-so/{second.pk}/").content.decode()
    start = html.index('id="linked"')
    section = html[start : html.index("<h2", start)]
    assert f"LT-{app.pk}" in section and "thủ tục thứ 2/3" in section
    assert "<dt>Họ, chữ đệm, tên của trẻ</dt><dd>Nguyễn Thị Bống</dd>" in section
    assert "<dt>Nơi đăng ký thường trú của trẻ</dt><dd>Thôn Đông</dd>" in section
    assert "Ngày sinh" not in section  # not a key the residence receives
    assert f"1.001193 · hồ sơ {first.code} · Đã cấp" in section
    # The first member's page (the commune's) has no previous result.
    client.logout()
    otp_login(client, lw.staff[(lw.w.a.settling.code, Role.SPECIALIST)])
    html = client.get(f"/can-bo/ho-so/{first.pk}/").content.decode()
    assert "thủ tục thứ 1/3" in html and "Kết quả thủ tục trước" not in html


def test_the_chain_is_edited_in_the_admin(admin_client, lw):
    url = f"/admin/catalog/linkedprocedure/{lw.linked.pk}/change/"
    html = admin_client.get(url).content.decode()
    assert 'name="members-TOTAL_FORMS" value="3"' in html
    for i in range(3):
        assert f'name="members-{i}-start"' in html and f'name="members-{i}-agency_kind"' in html
    assert admin_client.get("/admin/catalog/linkedprocedure/").status_code == 200
