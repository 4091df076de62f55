"""The digitization page: the counter scans a component and follows the OCR without
JavaScript (the page refreshes while it runs), reads the text, retries a failure; the
other roles and agencies see no form and are refused the POST."""

import pytest

from motcua.digitization.models import Scan
from motcua.digitization.tasks import run_scan
from motcua.org.tests.otp import otp_login

from .conftest import BROKEN_PNG, SAMPLE, intake

# The OCR engine's suite (make test-ocr), apart from the parallel unit suite.
pytestmark = pytest.mark.ocr


def _url(d, tail=""):
    return f"/can-bo/ho-so/{d.pk}/so-hoa/{tail}"


def _post_scan(client, d, component, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(_url(d, "quet/"), {"component": component.pk, "files": [f]})


def test_the_counter_scans_a_component_and_sees_it_digitized(client, world):
    w = world
    d = intake(w)
    otp_login(client, w.a.staff["c:counter"])
    page = client.get(_url(d)).content.decode()
    assert 'type="file" name="files" multiple' in page and 'http-equiv="refresh"' not in page
    r = _post_scan(client, d, w.components[0], "trang-1.png", SAMPLE.read_bytes())
    assert r.status_code == 302  # queued; the test does not commit, nothing has run yet
    page = client.get(_url(d)).content.decode()
    assert 'http-equiv="refresh"' in page and "Đang chờ nhận dạng" in page
    scan = Scan.objects.get()
    assert run_scan(scan.pk) == "done"  # what the worker does with the queued task
    scan.refresh_from_db()
    page = client.get(_url(d)).content.decode()
    assert scan.code in page and "Đã số hóa" in page and 'http-equiv="refresh"' not in page
    text = client.get(_url(d, f"{scan.pk}/")).content.decode()
    assert "Nguyễn Thị Hương" in text
    pdf = client.get(f"/can-bo/ho-so/{d.pk}/tep/{scan.attachment_id}/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content)[:5] == b"%PDF-"


def test_a_failed_scan_shows_its_error_and_a_retry(
    client, world, django_capture_on_commit_callbacks
):
    w = world
    d = intake(w)
    otp_login(client, w.a.staff["c:counter"])
    with django_capture_on_commit_callbacks(execute=True):
        _post_scan(client, d, w.components[0], "hong.png", BROKEN_PNG)
    scan = Scan.objects.get()
    page = client.get(_url(d)).content.decode()
    assert "Lỗi, có thể thử lại" in page and _url(d, f"{scan.pk}/thu-lai/") in page
    r = client.post(_url(d, f"{scan.pk}/thu-lai/"))
    assert r.status_code == 302 and Scan.objects.get().status == "queued"


def test_an_unknown_type_is_refused_with_a_message(client, world):
    w = world
    d = intake(w)
    otp_login(client, w.a.staff["c:counter"])
    r = _post_scan(client, d, w.components[0], "a.png", b"not an image")
    assert r.status_code == 302 and not Scan.objects.exists()
    assert "không đúng định dạng" in client.get(_url(d)).content.decode()


@pytest.mark.parametrize("who", ["c:specialist", "c:leader", "s:counter", "s:specialist"])
def test_other_staff_of_the_dossier_see_no_form_and_are_refused(client, world, who):
    w = world
    d = intake(w)
    otp_login(client, w.a.staff[who])
    page = client.get(_url(d))
    assert page.status_code == 200 and 'name="files"' not in page.content.decode()
    r = _post_scan(client, d, w.components[0], "trang-1.png", SAMPLE.read_bytes())
    assert r.status_code == 403 and not Scan.objects.exists()


def test_staff_of_another_agency_and_citizens_cannot_open_the_page(client, world):
    w = world
    d = intake(w)
    otp_login(client, w.b.staff["c:counter"])
    assert client.get(_url(d)).status_code == 404
    assert _post_scan(client, d, w.components[0], "t.png", SAMPLE.read_bytes()).status_code == 404
    client.logout()
    client.force_login(w.citizen)
    assert client.get(_url(d)).status_code == 403
    assert not Scan.objects.exists()
