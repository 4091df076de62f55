"""Session limits (motcua.org.sessions): a staff session idle past MOTCUA_STAFF_IDLE_MINUTES
ends, every session ends MOTCUA_SESSION_MAX_HOURS after its login. The clock is the
session's own stamps, set back by the tests: nothing sleeps."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.test import Client

from motcua.org.sessions import SEEN, SEEN_RESOLUTION, STAFF, STARTED
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db

INBOX = "/can-bo/"
MINE = "/ho-so/"
IDLE_VI = "Phiên làm việc đã kết thúc vì không có thao tác trong 30 phút. Xin đăng nhập lại."
LIFETIME_VI = "Phiên đăng nhập đã quá 12 giờ và đã kết thúc. Xin đăng nhập lại."


def _logged_in(user) -> Client:
    client = Client()
    otp_login(client, user)
    return client


def _set_back(client: Client, seconds: int, *keys: str) -> None:
    """Move the session's stamps `seconds` into the past: the clock the middleware reads."""
    session = client.session
    for key in keys:
        session[key] = int(session[key]) - seconds
    session.save()


def _followed_message(client: Client, response) -> str:
    page = client.get(response["Location"])
    return [str(m) for m in page.context["messages"]][0]


def test_login_stamps_the_session_and_tells_staff_from_citizens(world):
    officer = _logged_in(world.a.staff["c:counter"])
    citizen = _logged_in(world.citizen)
    assert officer.session[STAFF] is True
    assert citizen.session[STAFF] is False
    assert officer.session[STARTED] == officer.session[SEEN]


def test_staff_session_idle_past_the_limit_ends_with_a_vietnamese_message(world):
    client = _logged_in(world.a.staff["c:counter"])
    assert client.get(INBOX).status_code == 200
    # Idle 30 minutes and a bit more than the resolution of the last-activity stamp.
    _set_back(client, 30 * 60 + SEEN_RESOLUTION, SEEN, STARTED)
    response = client.get(INBOX + "?q=abc")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/can-bo/%3Fq%3Dabc"
    assert SESSION_KEY not in client.session
    assert _followed_message(client, response) == IDLE_VI
    # Logged out for good: the inbox sends to the login page again, with no new message.
    assert client.get(INBOX)["Location"].startswith("/dang-nhap/")


def test_staff_session_idle_just_under_the_limit_goes_on_and_activity_resets_the_clock(world):
    client = _logged_in(world.a.staff["c:counter"])
    _set_back(client, 30 * 60 - 5, SEEN, STARTED)
    assert client.get(INBOX).status_code == 200
    # The request was activity: the clock starts again from it.
    _set_back(client, 30 * 60 - 5, SEEN)
    assert client.get(INBOX).status_code == 200


def test_english_visitor_gets_the_english_message(world):
    client = _logged_in(world.a.staff["c:counter"])
    client.cookies["django_language"] = "en"
    _set_back(client, 31 * 60 + SEEN_RESOLUTION, SEEN, STARTED)
    response = client.get(INBOX)
    assert _followed_message(client, response) == (
        "Your session ended after 30 minutes without activity. Please log in again."
    )


def test_citizen_session_has_no_idle_limit_but_the_absolute_one(world):
    client = _logged_in(world.citizen)
    _set_back(client, 5 * 3600, SEEN, STARTED)  # idle five hours: still in
    assert client.get(MINE).status_code == 200
    _set_back(client, 7 * 3600, STARTED)  # twelve hours since login, though active
    response = client.get(MINE)
    assert response["Location"] == "/dang-nhap/?next=/ho-so/"
    assert _followed_message(client, response) == LIFETIME_VI


def test_busy_staff_session_still_ends_at_the_absolute_limit(world):
    client = _logged_in(world.a.staff["c:counter"])
    _set_back(client, 12 * 3600 - 10, STARTED)
    assert client.get(INBOX).status_code == 200
    _set_back(client, 10, STARTED)
    assert client.get(INBOX).status_code == 302


def test_limits_come_from_settings(world, settings):
    settings.MOTCUA_STAFF_IDLE_MINUTES = 5
    client = _logged_in(world.a.staff["c:counter"])
    _set_back(client, 5 * 60 + SEEN_RESOLUTION, SEEN)
    assert client.get(INBOX).status_code == 302
    # 0 turns the idle limit off.
    settings.MOTCUA_STAFF_IDLE_MINUTES = 0
    client = _logged_in(world.a.staff["c:counter"])
    _set_back(client, 10 * 3600, SEEN)
    assert client.get(INBOX).status_code == 200


def test_admin_session_is_staff_and_goes_back_to_the_admin_login(world):
    admin = User.objects.create_superuser("quantri", password="x")
    client = _logged_in(admin)
    assert client.session[STAFF] is True
    _set_back(client, 31 * 60 + SEEN_RESOLUTION, SEEN)
    response = client.get("/admin/")
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_api_call_on_an_ended_session_is_anonymous(world):
    client = _logged_in(world.citizen)
    assert client.get("/api/dossiers/mine").status_code == 200
    _set_back(client, 12 * 3600, STARTED)
    assert client.get("/api/dossiers/mine").status_code == 401
    assert SESSION_KEY not in client.session


def test_session_from_before_the_stamps_gets_them_and_goes_on(world):
    client = _logged_in(world.a.staff["c:counter"])
    session = client.session
    for key in (STARTED, SEEN, STAFF):
        del session[key]
    session.save()
    assert client.get(INBOX).status_code == 200
    assert client.session[STAFF] is True


def test_last_activity_is_written_at_most_once_a_minute(world):
    client = _logged_in(world.a.staff["c:counter"])
    _set_back(client, 30, SEEN)
    seen = client.session[SEEN]
    client.get(INBOX)
    assert client.session[SEEN] == seen  # 30 s: not rewritten
    _set_back(client, SEEN_RESOLUTION, SEEN)
    client.get(INBOX)
    assert client.session[SEEN] > seen
