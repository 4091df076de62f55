"""Portal pages through the Django test client: given a small province, when a citizen
uses a page, then the page shows (or the services record) exactly what it should."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Attachment, Dossier, DossierEvent
from motcua.dossiers.tests.conftest import advance
from motcua.dossiers.tests.conftest import submit as service_submit
from motcua.dossiers.tests.factories import PDF, PNG
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    """Procedure names listed in the search results, in order."""
    html = response.content.decode()
    block = html.split('aria-label="Kết quả tìm kiếm"', 1)
    if len(block) < 2:
        return []
    return re.findall(r'<h2><a href="/thu-tuc/[^"]+/">([^<]+)</a></h2>', block[1])


def login(client, user):
    otp_login(client, user)
    return client


# ---------------------------------------------------------------------------- frame


def test_home_has_the_frame(client, world):
    r = client.get("/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Cổng dịch vụ công – Hệ thống một cửa điện tử" in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert 'action="/i18n/setlang/"' in html
    assert "/static/motcua/site.css" in html
    assert 'href="/can-bo/"' not in html  # anonymous: no staff link


def test_staff_link_only_for_officers(client, world):
    login(client, world.a.staff["c:counter"])
    assert 'href="/can-bo/"' in client.get("/").content.decode()
    otp_login(client, world.citizen)
    assert 'href="/can-bo/"' not in client.get("/").content.decode()


def test_language_switch_shows_english(client, world):
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/thu-tuc/"})
    assert r.status_code == 302 and r["Location"] == "/thu-tuc/"
    html = client.get("/thu-tuc/").content.decode()
    assert '<html lang="en">' in html
    assert "Administrative procedures" in html
    assert "My dossiers" in html
    html = client.get("/thu-tuc/1.001193/").content.decode()
    assert "If you submit now, the result is due on" in html
    assert "3 working days" in html and "Commune level" in html
    assert "At the counter, Online, By post" in html
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Hồ sơ của tôi" in client.get("/").content.decode()


# ---------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    "q, first",
    [
        ("dang ky khai sinh", "Đăng ký khai sinh"),
        ("khai sinh", "Đăng ký khai sinh"),
        ("Đăng Ký Khai Sinh", "Đăng ký khai sinh"),
        ("ho kinh doanh", "Đăng ký thành lập hộ kinh doanh"),
    ],
)
def test_search_ignores_accents_and_case(client, world, q, first):
    r = client.get("/thu-tuc/", {"q": q})
    assert r.status_code == 200
    assert names(r)[0] == first
    assert r.context["result"].corrected is None


def test_search_forgives_a_typo(client, world):
    r = client.get("/thu-tuc/", {"q": "khai sinhh"})
    assert names(r) == ["Đăng ký khai sinh"]
    assert r.context["result"].corrected == "khai sinh"
    assert "Kết quả cho" in r.content.decode()


def test_search_forgives_typos_in_two_words(client, world):
    r = client.get("/thu-tuc/", {"q": "ho kinh doan thanh lapp"})
    # the field name ("Thành lập và hoạt động của hộ kinh doanh") is searched too
    assert names(r) == [
        "Đăng ký thành lập hộ kinh doanh",
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
    ]
    assert r.context["result"].corrected == "ho kinh doanh thanh lap"


def test_search_ranks_by_similarity_when_no_correction_matches(client, world):
    # "ket hon" and "khai" are in different procedures: no corrected query matches every
    # word, so procedures are ranked by how close their words are to the query's.
    r = client.get("/thu-tuc/", {"q": "ket honn khaii"})
    assert r.context["result"].fuzzy is True
    found = names(r)
    # kết hôn is closest (ket, hon); khai sinh / khai tử are close to "khaii" and, through
    # their field "Hộ tịch", to "honn"; nothing else is close to two words of three
    assert found[0] == "Đăng ký kết hôn"
    assert sorted(found[1:]) == ["Đăng ký khai sinh", "Đăng ký lại khai tử"]
    assert "Đây là các thủ tục có tên gần giống" in r.content.decode()


def test_search_filters_by_field_level_and_agency(client, world):
    r = client.get("/thu-tuc/", {"q": "dang ky", "linh_vuc": "kinh-doanh"})
    assert sorted(names(r)) == [
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "Đăng ký thành lập hộ kinh doanh",
    ]
    r = client.get("/thu-tuc/", {"q": "dang ky", "co_quan": world.a.settling.code})
    assert names(r) == ["Đăng ký khai sinh"]
    r = client.get("/thu-tuc/", {"q": "dang ky", "cap": "tinh"})
    assert names(r) == []


def test_search_nothing_found(client, world):
    r = client.get("/thu-tuc/", {"q": "xyzzy qwerty"})
    assert r.context["result"].page.count == 0
    assert "Không tìm thấy thủ tục nào" in r.content.decode()


def test_submit_start_lists_online_procedures_with_a_button(client, world):
    html = client.get("/nop-ho-so/", {"q": "dang ky"}).content.decode()
    assert 'href="/thu-tuc/1.001193/nop/"' in html
    assert 'href="/thu-tuc/2.000575/nop/"' not in html  # counter only


# ---------------------------------------------------------------------------- procedure


def test_procedure_page_shows_details_and_due_preview(client, world):
    r = client.get("/thu-tuc/1.001193/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Đăng ký khai sinh" in html
    assert "Giấy chứng sinh" in html
    assert "8.000 đ" in html
    assert "3 ngày làm việc" in html
    assert "Nếu nộp ngay bây giờ, ngày hẹn trả kết quả dự kiến là" in html
    due = r.context["due_preview"]
    assert due.tzinfo is not None
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", html)
    assert 'href="/thu-tuc/1.001193/nop/"' in html


def test_procedure_page_shows_the_limit_of_each_channel(client, world):
    from motcua.catalog.models import ProcedureTimeLimit

    w = world
    ProcedureTimeLimit.objects.filter(version=w.version, channel=2).update(value=1)
    ProcedureTimeLimit.objects.filter(version=w.version, channel=3).update(
        value=None, unit="same_day", cutoff=dt.time(15)
    )
    w.version.time_limits_stamp += 1
    w.version.save(update_fields=["time_limits_stamp"])
    html = client.get("/thu-tuc/1.001193/").content.decode()
    assert "<li>Trực tiếp: 3 ngày làm việc</li>" in html
    assert "<li>Trực tuyến: 1 ngày làm việc</li>" in html
    assert (
        "<li>Qua bưu chính công ích: Trong ngày (sau 15 giờ: ngày làm việc tiếp theo)</li>" in html
    )


def test_a_procedure_without_an_online_limit_is_not_offered_online_and_says_why(client, world):
    from motcua.catalog.models import ProcedureTimeLimit

    w = world
    ProcedureTimeLimit.objects.filter(version=w.version, channel=2).delete()
    w.version.time_limits_stamp += 1
    w.version.save(update_fields=["time_limits_stamp"])
    r = client.get("/thu-tuc/1.001193/")
    html = r.content.decode()
    assert 'href="/thu-tuc/1.001193/nop/"' not in html
    assert "chưa có thời hạn giải quyết cho hồ sơ nộp trực tuyến" in html
    assert "<li>Trực tuyến: Chưa có thời hạn giải quyết</li>" in html
    # the preview is the counter's: 3 working days
    assert r.context["due_preview"] is not None
    listing = client.get("/nop-ho-so/", {"q": "khai sinh"}).content.decode()
    assert 'href="/thu-tuc/1.001193/nop/"' not in listing
    assert "Chưa nhận trực tuyến: chưa có thời hạn giải quyết" in listing
    otp_login(client, w.citizen)
    form = client.get("/thu-tuc/1.001193/nop/").content.decode()
    assert "chưa có thời hạn giải quyết cho hồ sơ nộp trực tuyến" in form


def test_unknown_procedure_is_404(client, world):
    assert client.get("/thu-tuc/9.999999/").status_code == 404


# ---------------------------------------------------------------------------- submission


def _files(world, first=PDF, second=PNG):
    c1, c2 = world.components
    return {
        f"component_{c1.pk}": SimpleUploadedFile("to-khai.pdf", first),
        f"component_{c2.pk}": SimpleUploadedFile("chung-sinh.png", second),
    }


def test_submit_needs_login(client, world):
    r = client.get("/thu-tuc/1.001193/nop/")
    assert r.status_code == 302 and r["Location"].startswith("/dang-nhap/?next=")


def test_submit_form_is_prefilled_from_the_account(client, world):
    login(client, world.citizen)
    html = client.get("/thu-tuc/1.001193/nop/").content.decode()
    # The name and personal number are the account's, shown, not editable.
    assert "<strong>Họ tên / tên tổ chức:</strong> Nguyễn Văn citizen" in html
    assert 'name="applicant_name"' not in html and 'name="applicant_id_number"' not in html
    assert 'value="0912345678"' in html
    assert f'name="component_{world.components[0].pk}"' in html
    assert f'name="component_{world.components[1].pk}"' in html


REVIEW = "/thu-tuc/1.001193/nop/kiem-tra/"


def test_submit_with_good_files_reviews_then_creates_the_dossier(client, world):
    login(client, world.citizen)
    r = client.post(
        "/thu-tuc/1.001193/nop/",
        {
            "applicant_name": "Nguyễn Văn citizen",
            "applicant_phone": "0987654321",
            "receiving_agency": world.a.center.pk,
            **_files(world),
        },
    )
    assert r.status_code == 302 and r["Location"] == REVIEW
    assert Dossier.objects.count() == 0  # nothing is sent before the review
    r = client.get(REVIEW)
    html = r.content.decode()
    assert "to-khai.pdf" in html and "chung-sinh.png" in html
    assert "0987654321" in html and "Trung tâm PVHCC A" in html and "8.000 đ" in html
    r = client.post(REVIEW)
    d = Dossier.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/ho-so/{d.pk}/bien-nhan/"
    assert d.status == Status.SUBMITTED
    assert d.owner.user == world.citizen
    assert d.applicant_phone == "0987654321"
    assert d.receiving_agency == world.a.center
    stored = {a.original_name: a.file.read() for a in Attachment.objects.all()}
    assert stored == {"to-khai.pdf": PDF, "chung-sinh.png": PNG}
    html = client.get(r["Location"]).content.decode()
    assert "Hồ sơ đã được nộp thành công." in html
    assert d.secret in html
    assert d.code in html  # the code is given at submission
    assert f'href="/giay-to/{d.pk}/acknowledgement.pdf"' in html
    assert f'href="/giay-to/{d.pk}/receipt.pdf"' not in html  # Mẫu 01 comes at receipt
    # the draft is gone: the review page sends back to the form
    assert client.get(REVIEW)["Location"] == "/thu-tuc/1.001193/nop/"


def test_bad_files_get_a_message_each_and_nothing_is_created(client, world):
    login(client, world.citizen)
    c1, c2 = world.components
    r = client.post(
        "/thu-tuc/1.001193/nop/",
        {"receiving_agency": world.a.center.pk, **_files(world, b"plain text", b"")},
    )
    assert r.status_code == 400
    assert Dossier.objects.count() == 0 and Attachment.objects.count() == 0
    errors = r.context["component_errors"]
    assert [e.code for e in errors[c1.pk]] == ["file_type_not_allowed"]
    assert [e.code for e in errors[c2.pk]] == ["empty_file"]
    html = r.content.decode()
    block = html.split(f'<label for="id_component_{c1.pk}">', 1)[1].split("</div>", 1)[0]
    assert "Tệp &#x27;to-khai.pdf&#x27; không đúng định dạng" in block
    block = html.split(f'<label for="id_component_{c2.pk}">', 1)[1].split("</div>", 1)[0]
    assert "Tệp &#x27;chung-sinh.png&#x27; rỗng." in block


def test_good_files_are_kept_while_a_bad_one_is_corrected(client, world):
    login(client, world.citizen)
    c1, c2 = world.components
    r = client.post(
        "/thu-tuc/1.001193/nop/",
        {"receiving_agency": world.a.center.pk, **_files(world, PDF, b"")},
    )
    assert r.status_code == 400
    block = r.content.decode().split(f'<label for="id_component_{c1.pk}">', 1)[1]
    assert "Đã đính kèm" in block.split("</div>", 1)[0]
    r = client.post(
        "/thu-tuc/1.001193/nop/",
        {
            "receiving_agency": world.a.center.pk,
            f"component_{c2.pk}": SimpleUploadedFile("chung-sinh.png", PNG),
        },
    )
    assert r.status_code == 302
    client.post(REVIEW)
    d = Dossier.objects.get()
    assert sorted(a.component_id for a in d.attachments.all()) == [c1.pk, c2.pk]


def test_submit_without_files_names_the_missing_documents(client, world):
    login(client, world.citizen)
    r = client.post("/thu-tuc/1.001193/nop/", {"receiving_agency": world.a.center.pk})
    assert r.status_code == 400
    errors = r.context["component_errors"]
    assert list(errors) == [world.components[0].pk]  # the birth certificate is optional
    assert [e.code for e in errors[world.components[0].pk]] == ["component_required"]
    assert "Tờ khai đăng ký khai sinh: Chưa đính kèm giấy tờ bắt buộc này." in r.content.decode()
    # The service guards the same rule when the review is posted anyway.
    r = client.post(REVIEW)
    assert r.status_code == 400
    assert r.context["errors"]["files"].code == "files_required"
    assert "Cần đính kèm ít nhất một thành phần hồ sơ." in r.content.decode()
    assert Dossier.objects.count() == 0


def test_the_applicant_declares_the_cases_that_apply(client, world):
    from motcua.catalog.models import Component

    proxy = Component.objects.create(
        version=world.version,
        order=3,
        name="Biên bản về việc trẻ bị bỏ rơi",
        original_count=1,
        case="Trường hợp trẻ em bị bỏ rơi",
    )
    login(client, world.citizen)
    page = client.get("/thu-tuc/1.001193/nop/").content.decode()
    assert 'name="cases" value="Trường hợp trẻ em bị bỏ rơi"' in page
    assert "Chỉ nộp trong trường hợp: Trường hợp trẻ em bị bỏ rơi" in page
    data = {
        "receiving_agency": world.a.center.pk,
        "cases": ["Trường hợp trẻ em bị bỏ rơi"],
        **_files(world),
    }
    r = client.post("/thu-tuc/1.001193/nop/", data)
    assert r.status_code == 400 and list(r.context["component_errors"]) == [proxy.pk]
    r = client.post(
        "/thu-tuc/1.001193/nop/",
        {
            "receiving_agency": world.a.center.pk,
            "cases": ["Trường hợp trẻ em bị bỏ rơi"],
            f"component_{proxy.pk}": SimpleUploadedFile("bien-ban.pdf", PDF),
        },
    )
    assert r["Location"] == REVIEW
    assert "Trường hợp trẻ em bị bỏ rơi" in client.get(REVIEW).content.decode()
    client.post(REVIEW)
    d = Dossier.objects.get()
    assert d.events.get(action="submit").data == {
        "files": 3,
        "cases": ["Trường hợp trẻ em bị bỏ rơi"],
        "code": d.code,  # the code is given at submission
    }


def test_an_unknown_receiving_agency_is_refused(client, world):
    login(client, world.citizen)
    r = client.post(
        "/thu-tuc/1.001193/nop/", {"receiving_agency": world.a.settling.pk, **_files(world)}
    )
    assert r.status_code == 400
    assert r.context["errors"]["receiving_agency"].code == "receiving_agency_required"


def test_officer_cannot_submit_online(client, world):
    login(client, world.a.staff["c:counter"])
    client.post(
        "/thu-tuc/1.001193/nop/",
        {"applicant_name": "X", "receiving_agency": world.a.center.pk, **_files(world)},
    )
    r = client.post(REVIEW)
    assert r.status_code == 400
    assert r.context["errors"]["actor"].code == "not_an_applicant"
    assert Dossier.objects.count() == 0


# ---------------------------------------------------------------------------- my dossiers


def test_my_dossiers_only_shows_own(client, world):
    mine = service_submit(world)
    other = service_submit(world, user=world.citizen2)
    login(client, world.citizen)
    r = client.get("/ho-so/")
    assert [row["dossier"].pk for row in r.context["rows"]] == [mine.pk]
    assert "Đã nộp, chờ tiếp nhận" in r.content.decode()
    assert client.get(f"/ho-so/{other.pk}/").status_code == 404
    assert client.get(f"/ho-so/{other.pk}/bien-nhan/").status_code == 404
    att = other.attachments.get()
    assert client.get(f"/ho-so/{other.pk}/tep/{att.pk}/").status_code == 404


def test_officer_sees_no_dossier_in_the_portal(client, world):
    d = service_submit(world)
    login(client, world.a.staff["c:counter"])
    assert client.get(f"/ho-so/{d.pk}/").status_code == 404


def test_dossier_page_timeline_in_plain_words(client, world):
    d = advance(world, Status.PROCESSING)
    login(client, world.citizen)
    r = client.get(f"/ho-so/{d.pk}/")
    html = r.content.decode()
    assert [t["text"] for t in r.context["timeline"]] == [
        "Bạn đã nộp hồ sơ trực tuyến",
        "Bộ phận một cửa đã tiếp nhận hồ sơ",
        "Hồ sơ được chuyển cho bộ phận xử lý",
    ]
    assert "Đang xử lý" in html
    assert d.code in html
    assert "request_withdrawal" in r.context["actions"]
    assert f'action="/ho-so/{d.pk}/rut/"' in html
    assert f'action="/ho-so/{d.pk}/danh-gia/"' not in html  # no rating before the result


def test_own_attachment_downloads(client, world):
    d = service_submit(world)
    att = d.attachments.get()
    login(client, world.citizen)
    r = client.get(f"/ho-so/{d.pk}/tep/{att.pk}/")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PDF
    assert 'filename="to-khai.pdf"' in r["Content-Disposition"]


def test_supplement_response(client, world):
    d = advance(world, Status.SUPPLEMENT_REQUESTED)
    c2 = world.components[1]
    login(client, world.citizen)
    html = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert "Chờ bạn bổ sung giấy tờ" in html
    assert "Thiếu giấy chứng sinh" in html
    assert f'name="component_{c2.pk}"' in html
    r = client.post(
        f"/ho-so/{d.pk}/bo-sung/",
        {f"component_{c2.pk}": SimpleUploadedFile("chung-sinh.pdf", PDF), "note": "Đã có"},
    )
    assert r.status_code == 302 and r["Location"] == f"/ho-so/{d.pk}/"
    d.refresh_from_db()
    assert d.status == Status.PROCESSING
    assert d.attachments.filter(kind="supplement").count() == 1
    assert "Đã gửi giấy tờ bổ sung." in client.get(r["Location"]).content.decode()


def test_supplement_missing_component_shows_the_error_and_changes_nothing(client, world):
    d = advance(world, Status.SUPPLEMENT_REQUESTED)
    login(client, world.citizen)
    r = client.post(f"/ho-so/{d.pk}/bo-sung/", {"note": "quên tệp"})
    assert r.status_code == 400
    assert "Chưa đính kèm đủ các thành phần được yêu cầu bổ sung." in r.content.decode()
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT_REQUESTED


def test_withdrawal(client, world):
    d = advance(world, Status.RECEIVED)
    login(client, world.citizen)
    r = client.post(f"/ho-so/{d.pk}/rut/", {"reason": ""})
    assert r.status_code == 400
    assert r.context["errors"]["reason"].field == "reason"
    d.refresh_from_db()
    assert d.status == Status.RECEIVED
    r = client.post(f"/ho-so/{d.pk}/rut/", {"reason": "Không cần nữa", "version": d.version})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.WITHDRAWAL_REQUESTED
    html = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert "Đã yêu cầu rút hồ sơ" in html
    assert f'action="/ho-so/{d.pk}/rut/"' not in html


def test_another_citizen_cannot_withdraw(client, world):
    d = advance(world, Status.RECEIVED)
    login(client, world.citizen2)
    r = client.post(f"/ho-so/{d.pk}/rut/", {"reason": "x"})
    assert r.status_code == 404
    d.refresh_from_db()
    assert d.status == Status.RECEIVED


def test_stale_version_is_refused(client, world):
    d = advance(world, Status.RECEIVED)
    login(client, world.citizen)
    r = client.post(f"/ho-so/{d.pk}/rut/", {"reason": "x", "version": d.version - 1})
    assert r.status_code == 400
    assert len(r.context["general_errors"]) == 1
    d.refresh_from_db()
    assert d.status == Status.RECEIVED


def test_the_applicant_cannot_mark_the_dossier_paid(client, world, settings):
    """The old "Xác nhận đã thanh toán" with any transaction code is gone: the button goes to
    the gateway (motcua.payments), and nothing the browser posts marks the dossier paid."""
    settings.MOTCUA_VNPAY_TMN_CODE, settings.MOTCUA_VNPAY_HASH_SECRET = "TESTTMN1", "s" * 32
    settings.MOTCUA_VNPAY_PAY_URL = "https://gateway.invalid/paymentv2/vpcpay.html"
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    login(client, world.citizen)
    r = client.get(f"/ho-so/{d.pk}/")
    page = r.content.decode()
    assert "Thanh toán trực tuyến" in page and "Xác nhận đã thanh toán" not in page
    # The form's redirect goes to the gateway: the page's CSP lets the form go there.
    assert "form-action 'self' https://gateway.invalid" in r["Content-Security-Policy"]
    r = client.post(f"/ho-so/{d.pk}/thanh-toan/", {"paid_online": "2", "reference": "GD1"})
    assert r.status_code == 302
    assert r["Location"].startswith("https://gateway.invalid/paymentv2/vpcpay.html?")
    d.refresh_from_db()
    assert (d.status, d.paid_online, d.fee_paid_vnd) == (Status.FINANCIAL_OBLIGATION, 0, 0)


def test_without_a_gateway_the_page_says_to_pay_at_the_counter(client, world, settings):
    settings.MOTCUA_VNPAY_TMN_CODE = ""
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    login(client, world.citizen)
    r = client.post(f"/ho-so/{d.pk}/thanh-toan/")
    assert r.status_code == 503 and "bộ phận một cửa" in r.content.decode()
    d.refresh_from_db()
    assert d.status == Status.FINANCIAL_OBLIGATION


def test_rating_only_after_the_result(client, world):
    d = advance(world, Status.PROCESSED)
    login(client, world.citizen)
    assert f'action="/ho-so/{d.pk}/danh-gia/"' not in client.get(f"/ho-so/{d.pk}/").content.decode()
    r = client.post(f"/ho-so/{d.pk}/danh-gia/", {"rating": "1"})
    assert r.status_code == 400
    d.refresh_from_db()
    assert d.rating is None
    d = s.dossier_return_result(dossier_id=d.pk, actor=world.a.staff["c:counter"])
    html = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert f'action="/ho-so/{d.pk}/danh-gia/"' in html
    assert "Thái độ của cán bộ, công chức" in html
    r = client.post(
        f"/ho-so/{d.pk}/danh-gia/",
        {"rating": "1", "criterion_attitude": "1", "criterion_contacts": "2", "comment": "Tốt"},
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.rating == 1
    event = DossierEvent.objects.get(dossier=d, action="rate")
    assert event.data == {"rating": 1, "criteria": {"attitude": 1, "contacts": 2}}
    html = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert "Bạn đã đánh giá" in html
    assert f'action="/ho-so/{d.pk}/danh-gia/"' not in html


def test_rating_without_a_choice_is_refused(client, world):
    d = advance(world, Status.RETURNED)
    login(client, world.citizen)
    r = client.post(f"/ho-so/{d.pk}/danh-gia/", {})
    assert r.status_code == 400
    assert r.context["errors"]["rating"].code == "invalid_rating"


# ---------------------------------------------------------------------------- lookup


def test_lookup_by_code_and_secret(client, world):
    d = advance(world, Status.RECEIVED)
    r = client.get("/tra-cuu/", {"code": d.code, "secret": d.secret})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Đã tiếp nhận" in html and "Đăng ký khai sinh" in html
    assert d.applicant_name not in html  # no personal data on a public page


def test_lookup_secret_is_case_insensitive(client, world):
    d = advance(world, Status.RECEIVED)
    r = client.get("/tra-cuu/", {"code": d.code, "secret": d.secret.lower()})
    assert r.context["dossier"].pk == d.pk


def test_lookup_with_a_wrong_secret(client, world):
    d = advance(world, Status.RECEIVED)
    r = client.get("/tra-cuu/", {"code": d.code, "secret": "WRONG234"})
    assert r.status_code == 404
    assert r.context["dossier"] is None
    assert "Không tìm thấy hồ sơ với mã và mã tra cứu này." in r.content.decode()


def test_lookup_page_pauses_after_too_many_failures(client, world, settings):
    settings.MOTCUA_LOOKUP_MAX_FAILURES = 2
    d = advance(world, Status.RECEIVED)
    for _ in range(2):
        assert client.get("/tra-cuu/", {"code": d.code, "secret": "WRONG234"}).status_code == 404
    r = client.get("/tra-cuu/", {"code": d.code, "secret": d.secret})
    assert r.status_code == 429
    assert r.context["dossier"] is None
    assert "Tạm dừng tra cứu" in r.content.decode()


def test_lookup_form(client, world):
    r = client.get("/tra-cuu/")
    assert r.status_code == 200 and 'name="secret"' in r.content.decode()


# ---------------------------------------------------------------------------- accounts


def test_login_and_logout(client, world):
    html = client.get("/dang-nhap/").content.decode()
    assert 'name="username"' in html
    r = client.post("/dang-nhap/", {"username": "citizen", "password": "x"})
    assert r.status_code == 302
    assert "Đăng xuất" in client.get("/").content.decode()
    r = client.post("/dang-xuat/")
    assert r.status_code == 302
    assert "Đăng nhập" in client.get("/").content.decode()


def test_wrong_password(client, world):
    r = client.post("/dang-nhap/", {"username": "citizen", "password": "nope"})
    assert r.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in r.content.decode()


def test_register_a_citizen(client, world):
    r = client.post(
        "/dang-ky/",
        {
            "kind": "person",
            "username": "lan",
            "password": "Mat-khau-dai-2026",
            "password2": "Mat-khau-dai-2026",
            "full_name": "Trần Thị Lan",
            "personal_id": "001203000999",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/ho-so/"
    r = client.get("/ho-so/")
    assert r.wsgi_request.user.username == "lan"
    assert r.wsgi_request.user.applicant.full_name == "Trần Thị Lan"


def test_register_errors_show_next_to_the_field(client, world):
    r = client.post(
        "/dang-ky/",
        {
            "kind": "person",
            "username": "lan",
            "password": "Mat-khau-dai-2026",
            "password2": "Mat-khau-dai-2026",
            "full_name": "Trần Thị Lan",
            "personal_id": "123",
        },
    )
    assert r.status_code == 400
    assert list(r.context["errors"]) == ["personal_id"]
    html = r.content.decode()
    block = html.split('<label for="id_personal_id">', 1)[1].split("</div>", 1)[0]
    assert 'class="field-error"' in block


def test_register_passwords_must_match(client, world):
    r = client.post("/dang-ky/", {"kind": "person", "password": "a", "password2": "b"})
    assert r.status_code == 400
    assert "Hai lần nhập mật khẩu không giống nhau." in r.content.decode()


def test_dossier_page_links_the_agency_papers(client, world):
    d = advance(world, Status.SUPPLEMENT_REQUESTED)
    login(client, world.citizen)
    r = client.get(f"/ho-so/{d.pk}/")
    assert [kind for kind, _ in r.context["documents"]] == [
        "acknowledgement",
        "receipt",
        "supplement_request",
    ]
    assert "Cần bạn gửi giấy tờ bổ sung bên dưới." in r.content.decode()
    pdf = client.get(f"/giay-to/{d.pk}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_not_found_page_uses_the_frame(client, world, settings):
    settings.DEBUG = False
    r = client.get("/thu-tuc/9.999999/")
    assert r.status_code == 404
    assert "Không tìm thấy trang" in r.content.decode()
    assert "Cổng dịch vụ công – Hệ thống một cửa điện tử" in r.content.decode()


def test_nav_marks_the_current_section(client, world):
    html = client.get("/thu-tuc/").content.decode()
    assert '<a href="/thu-tuc/" aria-current="page">' in html
    assert '<a href="/tra-cuu/">' in html


def test_procedure_page_marks_the_components_of_a_case(client, world):
    from motcua.catalog.models import Component

    Component.objects.create(
        version=world.version,
        order=3,
        name="Văn bản ủy quyền",
        original_count=1,
        group="Trường hợp ủy quyền thực hiện thủ tục",
        case="Trường hợp ủy quyền thực hiện thủ tục",
    )
    html = client.get("/thu-tuc/1.001193/").content.decode()
    row = html.split("Văn bản ủy quyền")[1].split("</td>")[0]
    assert "theo trường hợp" in row and "bắt buộc" not in row
