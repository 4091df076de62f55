"""The administration pages the back office links to (Django admin, in Vietnamese): catalog,
internal processes, agencies, staff and roles, declared days off and make-up days."""

import pytest

from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/catalog/procedure/",
        "/admin/catalog/procedureversion/",  # components, fees and the internal process
        "/admin/org/agency/",
        "/admin/org/staffrole/",
        "/admin/workcalendar/declaredday/",
    ],
)
def test_admin_pages_open_in_vietnamese(client, world, url):
    otp_login(client, world.admin)
    r = client.get(url)
    html = r.content.decode()
    assert r.status_code == 200
    assert "Quản trị hệ thống một cửa điện tử" in html
    assert 'lang="vi"' in html


def test_internal_process_is_edited_with_the_version(client, world):
    otp_login(client, world.admin)
    html = client.get(f"/admin/catalog/procedureversion/{world.version.pk}/change/").content
    assert "Thẩm định".encode() in html and "Phê duyệt".encode() in html


def test_officers_without_admin_rights_are_kept_out(client, world):
    otp_login(client, world.a.staff["c:agency_admin"])
    r = client.get("/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/admin/login/")


def test_dossier_admin_search_ignores_accents(client, world):
    from motcua.dossiers.enums import Status

    from .conftest import advance

    d = advance(world, Status.RECEIVED)
    otp_login(client, world.admin)
    for term in (d.applicant_name, "nguyen van", "NGUYEN VĂN", d.code, "dang ky khai sinh"):
        html = client.get("/admin/dossiers/dossier/", {"q": term}).content.decode()
        assert d.code in html, term
    html = client.get("/admin/dossiers/dossier/", {"q": "tran thi"}).content.decode()
    assert d.code not in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_dossier_ids_out_of_range_are_not_found(client, world, method):
    otp_login(client, world.a.staff["c:counter"])
    huge = 10**30
    url = f"/can-bo/ho-so/{huge}/" if method == "get" else f"/can-bo/ho-so/{huge}/receive/"
    assert getattr(client, method)(url).status_code == 404


def test_staff_names_in_vietnamese_order_in_the_admin_lists(client, world):
    user = world.a.staff["c:counter"]
    user.last_name, user.first_name = "Hoàng", "Tiến Hùng"
    user.save()
    otp_login(client, world.admin)
    for url in ("/admin/auth/user/", "/admin/org/staffrole/"):
        html = client.get(url).content.decode()
        assert "Hoàng Tiến Hùng" in html and "Tiến Hùng Hoàng" not in html, url
        assert "họ và tên" in html.lower(), url
