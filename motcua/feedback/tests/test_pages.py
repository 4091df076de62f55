"""The pages without JavaScript: the public form (prefilled when logged in), its errors next
to their fields, the tracking page with the rating, the published answers; the officers'
list and handling page only for their agency's feedback."""

import pytest
from django.test import Client

from ..enums import Status
from ..models import Feedback
from .conftest import handled_to, send


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.MOTCUA_STAFF_OTP = "off"


def logged(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_form_sends_and_shows_the_tracking_code(world):
    c = Client()
    r = c.get("/phan-anh-kien-nghi/gui/")
    assert r.status_code == 200
    assert 'name="consent_publish"' in r.content.decode()
    r = c.post(
        "/phan-anh-kien-nghi/gui/",
        {
            "subject": "agency",
            "agency_code": world.a.settling.code,
            "content": "Phòng chờ thiếu ghế",
            "submitter_name": "Phạm Văn Dũng",
            "submitter_phone": "0987654321",
            "consent_publish": "1",
        },
        follow=True,
    )
    f = Feedback.objects.get()
    assert (f.content, f.consent_publish, f.channel) == ("Phòng chờ thiếu ghế", True, "portal")
    page = r.content.decode()
    assert f.code in page and "Đã gửi, chờ tiếp nhận" in page


def test_an_error_is_shown_next_to_its_field_and_the_input_kept(world):
    r = Client().post(
        "/phan-anh-kien-nghi/gui/",
        {
            "subject": "dossier",
            "dossier_code": "KHONG-CO",
            "content": "Nội dung",
            "submitter_name": "A",
            "submitter_phone": "0912345678",
        },
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert "Không tìm thấy hồ sơ có mã &#x27;KHONG-CO&#x27;." in page
    assert 'href="#id_dossier_code"' in page and 'value="KHONG-CO"' in page
    assert Feedback.objects.count() == 0


def test_a_logged_in_citizen_finds_the_form_prefilled(world):
    page = logged(world.citizen).get("/phan-anh-kien-nghi/gui/").content.decode()
    assert 'value="Nguyễn Văn citizen"' in page and 'value="citizen@example.vn"' in page


def test_tracking_and_rating(world):
    f = handled_to(world, send(world), Status.ANSWERED)
    c = Client()
    page = c.get("/phan-anh-kien-nghi/theo-doi/", {"code": f.code}).content.decode()
    assert "Đã chấn chỉnh cán bộ." in page and 'name="satisfaction"' in page
    r = c.post(
        "/phan-anh-kien-nghi/theo-doi/danh-gia/",
        {"code": f.code, "satisfaction": "unsatisfied"},
        follow=True,
    )
    f.refresh_from_db()
    assert f.satisfaction == "unsatisfied"
    assert 'name="satisfaction"' not in r.content.decode()
    assert c.get("/phan-anh-kien-nghi/theo-doi/", {"code": "PA-XXXX"}).status_code == 404


def test_the_published_pages_show_no_personal_data(world):
    f = handled_to(world, send(world), Status.PUBLISHED)
    hidden = handled_to(world, send(world, content="Chưa công khai"), Status.ANSWERED)
    c = Client()
    listing = c.get("/phan-anh-kien-nghi/").content.decode()
    assert f"/phan-anh-kien-nghi/{f.pk}/" in listing and "Chưa công khai" not in listing
    detail = c.get(f"/phan-anh-kien-nghi/{f.pk}/").content.decode()
    assert "Đã chấn chỉnh cán bộ." in detail
    assert "Trần Thị Bình" not in detail and "0912345678" not in detail and f.code not in detail
    assert c.get(f"/phan-anh-kien-nghi/{hidden.pk}/").status_code == 404


def test_officer_pages_are_their_agencys(world):
    w = world
    f = send(w)
    assert Client().get("/can-bo/phan-anh/").status_code == 302
    assert logged(w.citizen).get("/can-bo/phan-anh/").status_code == 403
    assert f.code in logged(w.a.staff["s:counter"]).get("/can-bo/phan-anh/").content.decode()
    assert f.code not in logged(w.b.staff["s:counter"]).get("/can-bo/phan-anh/").content.decode()
    assert logged(w.b.staff["s:leader"]).get(f"/can-bo/phan-anh/{f.pk}/").status_code == 403
    r = logged(w.b.staff["s:leader"]).post(f"/can-bo/phan-anh/{f.pk}/accept/")
    assert r.status_code == 403
    f.refresh_from_db()
    assert f.status == Status.RECEIVED


def test_an_officer_handles_it_through_the_forms(world):
    w = world
    f = send(w)
    leader = logged(w.a.staff["s:leader"])
    base = f"/can-bo/phan-anh/{f.pk}/"
    page = leader.get(base).content.decode()
    assert f'action="{base}accept/"' in page and f'action="{base}answer/"' not in page
    leader.post(base + "accept/")
    leader.post(base + "classify/", {"kind": "kien_nghi", "topic": "regulation"})
    leader.post(
        base + "assign/", {"agency": w.a.settling.pk, "officer": w.a.staff["s:specialist"].pk}
    )
    r = leader.post(base + "answer/", {"answer": ""})
    assert r.status_code == 422 and "Cần nhập nội dung trả lời." in r.content.decode()
    logged(w.a.staff["s:specialist"]).post(base + "answer/", {"answer": "Sẽ sửa quy trình"})
    leader.post(base + "publish/", {"public_content": "Kiến nghị sửa quy trình"})
    f.refresh_from_db()
    assert (f.status, f.kind, f.officer, f.public_content) == (
        Status.PUBLISHED,
        "kien_nghi",
        w.a.staff["s:specialist"],
        "Kiến nghị sửa quy trình",
    )
    assert leader.post(base + "nonsense/").status_code == 404


def test_the_admin_lists_feedback_read_only(world):
    f = handled_to(world, send(world), Status.ANSWERED)
    admin = logged(world.admin)
    page = admin.get("/admin/feedback/feedback/").content.decode()
    assert f"Phản ánh #{f.pk}" in page and f.code not in page
    detail = admin.get(f"/admin/feedback/feedback/{f.pk}/change/")
    assert detail.status_code == 200 and "Đã chấn chỉnh cán bộ." in detail.content.decode()
    assert admin.post(f"/admin/feedback/feedback/{f.pk}/delete/").status_code == 403


def test_a_citizen_finds_their_own_feedback_on_the_tracking_page(world):
    own = send(world, actor=world.citizen)
    other = send(world, actor=world.citizen2)
    page = logged(world.citizen).get("/phan-anh-kien-nghi/theo-doi/").content.decode()
    assert f'href="?code={own.code}"' in page and other.code not in page
    assert (
        "Phản ánh, kiến nghị bạn đã gửi"
        not in Client().get("/phan-anh-kien-nghi/theo-doi/").content.decode()
    )
