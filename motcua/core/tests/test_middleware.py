import pytest
from django.conf import settings
from django.test import Client

from motcua.dossiers.tests.conftest import world  # noqa: F401
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db


def test_pages_are_vietnamese_whatever_the_browser_asks():
    r = Client().get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert r["Content-Language"] == "vi"
    assert '<html lang="vi">' in r.content.decode()
    assert "Accept-Language" not in r["Vary"]
    assert "Cookie" in r["Vary"]


def test_english_only_when_chosen_with_the_language_switch():
    c = Client()
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 302
    assert c.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    r = c.get("/", HTTP_ACCEPT_LANGUAGE="vi")
    assert r["Content-Language"] == "en"
    assert '<html lang="en">' in r.content.decode()
    # Back to Vietnamese with the switch.
    c.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    r = c.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert r["Content-Language"] == "vi"


def test_an_unknown_language_cookie_falls_back_to_vietnamese():
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    r = c.get("/", HTTP_ACCEPT_LANGUAGE="fr,en;q=0.8")
    assert r["Content-Language"] == "vi"


def test_the_api_skips_language_negotiation():
    r = Client().get(
        "/api/calendar/due",
        {"from": "2027-02-03 10:00", "value": "5"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 200
    assert not r.has_header("Content-Language")


def test_nul_in_a_query_field_is_a_400_naming_it():
    r = Client().get("/api/catalog/procedures", {"q": "khai\x00sinh"})
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": "invalid_input",
        "message": "Trường 'q' chứa ký tự không hợp lệ (NUL).",
        "message_en": "Field 'q' contains an invalid character (NUL).",
        "field": "q",
    }


def test_nul_in_a_json_body_or_a_page_form_is_a_400():
    r = Client().post(
        "/api/auth/token",
        '{"username": "a\\u0000b", "password": "x"}',
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "body"
    r = Client().post("/dang-nhap/", {"username": "a\x00", "password": "x"})
    assert r.status_code == 400 and "NUL" in r.content.decode()


def test_files_may_hold_nul_bytes(world):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.dossiers.tests.factories import PNG

    assert b"\x00" in PNG
    c = Client()
    otp_login(c, world.citizen)
    r = c.post(
        "/api/dossiers",
        {
            "procedure": world.procedure.code,
            "receiving_agency": world.a.center.code,
            f"component_{world.components[0].pk}": SimpleUploadedFile("a.png", PNG, "image/png"),
        },
    )
    assert r.status_code == 201, r.content
