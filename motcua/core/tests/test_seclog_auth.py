"""The security log's login, login_failed, logout and lockout lines, through the real login
views (portal, admin, POST /api/auth/token), and its permission_denied line for every 403:
the back office's 403 page, Django's CSRF refusal, the API's 403 (core/seclog.py,
core/signals.py)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client

from motcua.org.tests.otp import fresh_code, otp_login

pytestmark = pytest.mark.django_db

PASSWORD = "dung-mat-khau-1"
ADDR = "203.0.113.9"


@pytest.fixture
def staff_user():
    return get_user_model().objects.create_user(
        "quantri", password=PASSWORD, is_staff=True, is_superuser=True
    )


def _post(client, path, data, as_json):
    if as_json:
        return client.post(path, data, content_type="application/json", REMOTE_ADDR=ADDR)
    return client.post(path, data, REMOTE_ADDR=ADDR)


ENTRIES = [
    ("portal", "/dang-nhap/", False, 302),
    ("admin", "/admin/login/", False, 302),
    ("api_token", "/api/auth/token", True, 201),
]


@pytest.mark.parametrize(("channel", "path", "as_json", "ok"), ENTRIES, ids=[e[0] for e in ENTRIES])
def test_login_and_failed_login_name_the_channel_never_the_password(
    security_lines, staff_user, channel, path, as_json, ok
):
    client = Client()
    r = _post(client, path, {"username": "quantri", "password": "mat-khau-sai-123"}, as_json)
    assert r.status_code in (200, 401)
    data = {"username": "quantri", "password": PASSWORD}
    if as_json:
        data["otp"] = fresh_code(staff_user)  # the officers' second factor (org/otp.py)
    r = _post(client, path, data, as_json)
    assert r.status_code == ok

    (failed,) = security_lines("login_failed")
    assert failed["username"] == "quantri"
    assert failed["channel"] == channel
    assert failed["ip"] == ADDR
    assert failed["path"] == path
    assert "user_id" not in failed  # nobody is logged in yet
    (login,) = security_lines("login")
    assert login["user_id"] == staff_user.pk
    assert login["user"] == "quantri"
    assert login["channel"] == channel
    assert login["ip"] == ADDR
    raw = "\n".join(str(line) for line in security_lines.all())
    assert "mat-khau-sai-123" not in raw and PASSWORD not in raw
    if channel == "api_token":
        assert login["token_id"] > 0
        assert r.json()["token"] not in raw


def test_logout_is_logged_with_who_logged_out(security_lines, staff_user):
    client = Client()
    client.force_login(staff_user)
    r = client.post("/dang-xuat/", REMOTE_ADDR=ADDR)
    assert r.status_code == 302
    (line,) = security_lines("logout")
    assert (line["user"], line["user_id"], line["ip"]) == ("quantri", staff_user.pk, ADDR)


@pytest.mark.parametrize(("channel", "path", "as_json", "ok"), ENTRIES, ids=[e[0] for e in ENTRIES])
def test_one_lockout_line_at_the_failure_that_locks(
    security_lines, staff_user, channel, path, as_json, ok
):
    limit = django_settings.MOTCUA_LOGIN_FAILURE_LIMIT
    client = Client()
    for _ in range(limit + 2):  # two more tries while locked
        r = _post(client, path, {"username": "quantri", "password": "sai"}, as_json)
    assert r.status_code == 429
    (line,) = security_lines("lockout")
    assert line["username"] == "quantri"
    assert line["address"] == ADDR
    assert line["ip"] == ADDR
    assert (line["failures"], line["limit"]) == (limit, limit)
    assert line["channel"] == channel
    assert len(security_lines("login_failed")) == limit + 2
    assert security_lines("login") == []


# --- permission_denied ---------------------------------------------------------------------


def test_back_office_403_page_is_logged(security_lines):
    citizen = get_user_model().objects.create_user("congdan", password=PASSWORD)
    client = Client()
    client.force_login(citizen)
    r = client.get("/can-bo/", REMOTE_ADDR=ADDR)
    assert r.status_code == 403
    (line,) = security_lines("permission_denied")
    assert line["status"] == 403
    assert line["code"] == "not_staff"
    assert line["user"] == "congdan"
    assert line["path"] == "/can-bo/"
    assert line["view"] == "backoffice:inbox"
    assert line["ip"] == ADDR


def test_csrf_refusal_is_logged_with_its_reason(security_lines, staff_user):
    client = Client(enforce_csrf_checks=True)
    r = client.post("/dang-nhap/", {"username": "quantri", "password": PASSWORD})
    assert r.status_code == 403
    (line,) = security_lines("permission_denied")
    assert line["code"] == "csrf"
    assert "CSRF" in line["detail"]
    assert security_lines("login") == []


def test_api_403_is_logged_with_the_error_code(security_lines, staff_user):
    """A session-authenticated API call without its CSRF token: ninja's 403."""
    client = Client(enforce_csrf_checks=True)
    otp_login(client, staff_user)
    r = client.post("/api/dossiers", {}, content_type="application/json", REMOTE_ADDR=ADDR)
    assert r.status_code == 403, r.content
    (line,) = security_lines("permission_denied")
    assert line["code"] == "csrf_failed"  # the API error's own code
    assert line["user"] == "quantri"
    assert line["path"] == "/api/dossiers"


def test_an_ordinary_answer_writes_nothing(security_lines, staff_user):
    client = Client()
    otp_login(client, staff_user)
    security_lines.clear()  # force_login is a login too
    assert client.get("/").status_code == 200
    assert client.get("/khong-co-trang-nay/").status_code == 404
    assert security_lines.all() == []
