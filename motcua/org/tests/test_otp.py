"""Officers' second factor (motcua.org.otp, TOTP with django-otp): who is asked, where,
enrolment, recovery codes, throttling, the admin's reset, the API token. Real codes from
django-otp's TOTP (motcua.org.tests.otp.totp_code); nothing of django-otp is mocked."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.models import AuditEntry
from motcua.org.otp import ENROL_URL, RECOVERY_URL, VERIFY_URL
from motcua.org.services import staff_otp_reset, staff_otp_verify
from motcua.org.tests.otp import otp_login, totp_code, totp_device

pytestmark = pytest.mark.django_db

INBOX = "/can-bo/"
ADMIN = "/admin/"
API_ME = "/api/auth/tokens"  # any API operation that needs a login
WRONG_VI = "Mã xác thực không đúng hoặc đã được dùng."


@pytest.fixture
def seclog(caplog):
    caplog.set_level(logging.INFO, logger="motcua.security")

    def events(name: str) -> list[dict]:
        return [
            r.security
            for r in caplog.records
            if r.name == "motcua.security" and r.security["event"] == name
        ]

    return events


def _people(world) -> dict[str, User]:
    return {
        "officer": world.a.staff["c:counter"],
        "admin": world.admin,
        "citizen": world.citizen,
    }


def _client(user: User, state: str) -> Client:
    """A session of `user` past its password; `state`: no device, a device but the session
    not verified, verified."""
    client = Client()
    if state == "verified":
        otp_login(client, user)
        return client
    if state == "device":
        totp_device(user)
    client.force_login(user)
    return client


# --- the matrix: who × second-factor state × back office, admin, API -----------------------


@pytest.mark.parametrize("state", ["none", "device", "verified"])
@pytest.mark.parametrize("who", ["officer", "admin", "citizen"])
def test_every_staff_entry_needs_the_second_factor_and_citizens_are_never_asked(world, who, state):
    user = _people(world)[who]
    client = _client(user, state)
    staff = who != "citizen"
    held = staff and state != "verified"
    expected_stop = (VERIFY_URL if state == "device" else ENROL_URL) + "?next="

    inbox = client.get(INBOX)
    admin = client.get(ADMIN)
    api = client.get(API_ME)

    if held:
        assert inbox.status_code == 302 and inbox["Location"].startswith(expected_stop)
        assert inbox["Location"].endswith("%2Fcan-bo%2F")
        assert admin.status_code == 302 and admin["Location"].startswith(expected_stop)
        # The API: the half-logged-in session is anonymous.
        assert api.status_code == 401
    elif who == "citizen":
        assert inbox.status_code == 403  # the back office refuses them, no code asked
        assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")
        assert api.status_code == 200
    else:
        assert inbox.status_code == 200
        assert admin.status_code == (302 if who == "officer" else 200)  # officer: not is_staff
        assert api.status_code == 200


def test_citizen_pages_stay_open_to_citizens_but_hold_a_half_logged_in_officer(world):
    citizen = _client(world.citizen, "none")
    assert citizen.get("/ho-so/").status_code == 200
    officer = _client(world.a.staff["c:counter"], "device")
    assert officer.get("/ho-so/")["Location"].startswith(VERIFY_URL)
    # Logging out and the language switch stay open.
    assert officer.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert officer.post("/dang-xuat/").status_code == 302


def test_off_switch_lets_staff_in_without_a_code(world, settings):
    settings.MOTCUA_STAFF_OTP = "off"
    client = _client(world.a.staff["c:counter"], "none")
    assert client.get(INBOX).status_code == 200


# --- the whole login: password, then code -----------------------------------------------


def _password_login(client: Client, user: User, next_url: str = INBOX):
    return client.post(f"/dang-nhap/?next={next_url}", {"username": user.username, "password": "x"})


def test_password_then_code_opens_the_back_office(world, seclog):
    officer = world.a.staff["c:counter"]
    device = totp_device(officer)
    client = Client()
    to = client.get(_password_login(client, officer)["Location"])
    assert to.status_code == 302 and to["Location"] == VERIFY_URL + "?next=%2Fcan-bo%2F"
    page = client.get(to["Location"])
    assert "Xác thực hai lớp" in page.content.decode()
    before = client.session.session_key
    done = client.post(VERIFY_URL, {"otp": totp_code(device), "next": INBOX})
    assert done.status_code == 302 and done["Location"] == INBOX
    assert client.session.session_key != before  # a new key once verified
    assert client.get(INBOX).status_code == 200
    [event] = seclog("otp_verified")
    assert event["user"] == officer.username
    assert event["second_factor"] == "totp" and event["channel"] == "web"


def test_wrong_code_gives_a_vietnamese_error_and_is_logged(world, seclog):
    officer = world.a.staff["c:counter"]
    device = totp_device(officer)
    client = _client(officer, "device")
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    page = client.post(VERIFY_URL, {"otp": wrong, "next": INBOX})
    assert page.status_code == 401
    assert WRONG_VI in page.content.decode()
    assert client.get(INBOX).status_code == 302
    [event] = seclog("otp_failed")
    assert event["user"] == officer.username and event["reason"] == "otp_invalid"
    assert seclog("otp_verified") == []


def test_a_code_works_once(world):
    officer = world.a.staff["c:counter"]
    device = totp_device(officer)
    code = totp_code(device)
    assert staff_otp_verify(user=officer, code=code) == device
    with pytest.raises(Exception) as refused:
        staff_otp_verify(user=officer, code=code)
    assert refused.value.code == "otp_invalid"


def test_next_outside_the_site_is_not_followed(world):
    officer = world.a.staff["c:counter"]
    device = totp_device(officer)
    client = _client(officer, "device")
    done = client.post(VERIFY_URL, {"otp": totp_code(device), "next": "https://evil.example/"})
    assert done["Location"] == "/"


# --- throttling ---------------------------------------------------------------------------


def _wait_out(model, **filters) -> None:
    """As if the throttling delay had passed: the last failure moved an hour back."""
    for device in model.objects.filter(**filters):
        if device.throttling_failure_timestamp is not None:
            model.objects.filter(pk=device.pk).update(
                throttling_failure_timestamp=device.throttling_failure_timestamp
                - dt.timedelta(hours=1)
            )


def test_wrong_codes_in_a_row_throttle_even_the_right_code(world, seclog):
    officer = world.a.staff["c:counter"]
    device = totp_device(officer)
    client = _client(officer, "device")
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for n in range(1, 4):
        assert client.post(VERIFY_URL, {"otp": wrong}).status_code == 401
        device.refresh_from_db()
        assert device.throttling_failure_count == n
        # Straight after a failure (the delay doubles: 1, 2, 4 s) even the right code is
        # refused, and not counted.
        page = client.post(VERIFY_URL, {"otp": right})
        assert page.status_code == 429
        assert "Đã nhập sai mã quá nhiều lần liên tiếp" in page.content.decode()
        assert client.get(INBOX).status_code == 302
        _wait_out(TOTPDevice, pk=device.pk)
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    assert [e["reason"] for e in seclog("otp_failed")] == ["otp_invalid", "otp_throttled"] * 3
    # Past the wait, the right code works and resets the count.
    assert client.post(VERIFY_URL, {"otp": right})["Location"] == "/"
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_recovery_codes_are_throttled_too(world):
    officer = world.a.staff["c:counter"]
    totp_device(officer)
    StaticDevice.objects.create(user=officer, name="r", confirmed=True).token_set.create(
        token="abcd2345"
    )
    client = _client(officer, "device")
    assert client.post(VERIFY_URL, {"otp": "zzzz2345"}).status_code == 401
    assert client.post(VERIFY_URL, {"otp": "abcd2345"}).status_code == 429
    _wait_out(StaticDevice, user=officer)
    assert client.post(VERIFY_URL, {"otp": "abcd2345"}).status_code == 302


def test_throttling_is_on_in_the_settings(settings):
    assert settings.OTP_TOTP_THROTTLE_FACTOR >= 1
    assert settings.OTP_STATIC_THROTTLE_FACTOR >= 1


# --- enrolment and recovery codes ---------------------------------------------------------


def _enrol(client: Client) -> tuple[TOTPDevice, list[str]]:
    page = client.get(ENROL_URL + "?next=/can-bo/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/png;base64,' in html  # the QR code, inline (img-src data:)
    device = TOTPDevice.objects.get(confirmed=False)
    secret = html.split('id="otp-secret">')[1].split("<")[0].replace(" ", "")
    import base64

    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    # The same enrolment on a second look (the QR code already scanned stays valid).
    client.get(ENROL_URL)
    assert TOTPDevice.objects.filter(user=device.user).count() == 1
    done = client.post(ENROL_URL, {"otp": totp_code(device), "next": "/can-bo/"})
    assert done.status_code == 200
    codes = [
        li.split("<code>")[1].split("</code>")[0]
        for li in done.content.decode()
        .split('id="recovery-codes">')[1]
        .split("</ul>")[0]
        .split("<li>")[1:]
    ]
    return device, codes


def test_enrolment_then_recovery_codes_each_working_once(world, seclog):
    officer = world.a.staff["c:counter"]
    client = _client(officer, "none")
    assert client.get(INBOX)["Location"].startswith(ENROL_URL)
    device, codes = _enrol(client)
    device.refresh_from_db()
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(INBOX).status_code == 200  # verified by the enrolment
    assert seclog("otp_enrolled") and seclog("otp_verified")[0]["user"] == officer.username
    # Enrolment again is refused: it goes to the recovery codes.
    assert client.get(ENROL_URL)["Location"] == RECOVERY_URL

    # A new login: a recovery code (typed with capitals and a space) lets the officer in…
    second = Client()
    second.force_login(officer)
    typed = codes[0][:4].upper() + " " + codes[0][4:]
    assert second.post(VERIFY_URL, {"otp": typed, "next": INBOX})["Location"] == INBOX
    assert second.get(INBOX).status_code == 200
    assert seclog("otp_verified")[-1]["second_factor"] == "recovery_code"
    # …once.
    third = Client()
    third.force_login(officer)
    assert third.post(VERIFY_URL, {"otp": codes[0]}).status_code == 401
    _wait_out(StaticDevice, user=officer)
    assert third.post(VERIFY_URL, {"otp": codes[1]}).status_code == 302
    assert StaticToken.objects.filter(device__user=officer).count() == 8


def test_a_new_set_of_recovery_codes_voids_the_old(world, seclog):
    officer = world.a.staff["c:counter"]
    client = _client(officer, "none")
    _device, old = _enrol(client)
    page = client.get(RECOVERY_URL)
    assert '<strong id="codes-left">10</strong>' in page.content.decode()
    new_page = client.post(RECOVERY_URL).content.decode()
    new = [c for c in new_page.split("<code>")[1:]]
    new = [c.split("</code>")[0] for c in new]
    assert len(new) == 10 and not set(new) & set(old)
    assert seclog("otp_recovery_codes")
    other = Client()
    other.force_login(officer)
    assert other.post(VERIFY_URL, {"otp": old[0]}).status_code == 401
    _wait_out(StaticDevice, user=officer)
    assert other.post(VERIFY_URL, {"otp": new[0]}).status_code == 302


def test_recovery_codes_page_needs_a_verified_session(world):
    officer = world.a.staff["c:counter"]
    client = _client(officer, "device")
    assert client.get(RECOVERY_URL)["Location"].startswith(VERIFY_URL)
    assert client.post(RECOVERY_URL)["Location"].startswith(VERIFY_URL)
    assert not StaticDevice.objects.filter(user=officer).exists()


def test_enrolment_with_a_wrong_code_stays_unconfirmed(world):
    officer = world.a.staff["c:counter"]
    client = _client(officer, "none")
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=officer)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    page = client.post(ENROL_URL, {"otp": wrong})
    assert page.status_code == 401 and WRONG_VI in page.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and device.throttling_failure_count == 1
    assert client.get(INBOX)["Location"].startswith(ENROL_URL)


def test_citizens_have_nothing_to_enrol(world):
    client = _client(world.citizen, "none")
    assert client.get(ENROL_URL)["Location"] == "/"
    assert client.get(VERIFY_URL)["Location"] == "/"
    assert not TOTPDevice.objects.exists()


# --- the administrator's reset --------------------------------------------------------------


def test_admin_resets_a_staff_members_second_factor(world, seclog):
    officer = world.a.staff["c:counter"]
    officer_client = Client()
    otp_login(officer_client, officer)
    assert officer_client.get(INBOX).status_code == 200
    StaticDevice.objects.create(user=officer, name="x", confirmed=True).token_set.create(
        token="abcd2345"
    )
    admin = Client()
    otp_login(admin, world.admin)
    page = admin.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [officer.pk]},
        follow=True,
    )
    assert "Đã đặt lại xác thực hai lớp cho 1 tài khoản" in page.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    # The officer's session is no longer verified: to enrolment.
    assert officer_client.get(INBOX)["Location"].startswith(ENROL_URL)
    [event] = seclog("otp_reset")
    assert event["target"] == officer.username and event["user"] == "root"
    entry = AuditEntry.objects.get(operation="staff_otp_reset")
    assert entry.actor_id == world.admin.pk and entry.object_id == str(officer.pk)
    assert entry.before["recovery_codes_left"] == 1 and entry.after["totp_devices"] == []


def test_reset_without_devices_writes_nothing(world):
    assert staff_otp_reset(user=world.citizen, actor=world.admin) == 0
    assert not AuditEntry.objects.filter(operation="staff_otp_reset").exists()


def test_admin_site_refuses_an_unverified_session_even_without_the_middleware(world, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("StaffOTPMiddleware")]
    client = _client(world.admin, "device")
    assert client.get(ADMIN)["Location"].startswith("/admin/login/")
    verified = Client()
    otp_login(verified, world.admin)
    assert verified.get(ADMIN).status_code == 200


# --- the API token ----------------------------------------------------------------------------


def _token(client: Client, user: User, **extra):
    body = {"username": user.username, "password": "x", **extra}
    return client.post("/api/auth/token", json.dumps(body), content_type="application/json")


def test_api_token_for_staff_needs_a_current_code(world, seclog):
    officer = world.a.staff["c:counter"]
    client = Client()
    missing = _token(client, officer)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "otp_not_enrolled"
    device = totp_device(officer)
    missing = _token(client, officer)
    assert missing.status_code == 401
    error = missing.json()["error"]
    assert error["code"] == "otp_required" and error["field"] == "otp"
    assert error["message"].startswith("Tài khoản cán bộ phải nhập mã xác thực hai lớp")
    wrong = _token(client, officer, otp="000000" if totp_code(device) != "000000" else "111111")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "otp_invalid"
    throttled = _token(client, officer, otp=totp_code(device))
    assert throttled.status_code == 429
    assert throttled.json()["error"]["data"]["retry_after_seconds"] >= 1
    _wait_out(TOTPDevice, pk=device.pk)
    ok = _token(client, officer, otp=totp_code(device))
    assert ok.status_code == 201
    token = ok.json()["token"]
    assert Client().get(API_ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert [e["reason"] for e in seclog("otp_failed")] == [
        "otp_not_enrolled",
        "otp_required",
        "otp_invalid",
        "otp_throttled",
    ]
    assert {e["channel"] for e in seclog("otp_failed")} == {"api"}
    assert seclog("otp_verified")[0]["channel"] == "api"


def test_api_token_for_a_citizen_needs_no_code(world):
    assert _token(Client(), world.citizen).status_code == 201


def test_bearer_token_works_beside_a_half_logged_in_session(world):
    from motcua.api.auth import token_create

    officer = world.a.staff["c:counter"]
    _t, plaintext = token_create(user=officer)
    client = _client(officer, "device")
    assert client.get(API_ME).status_code == 401
    assert client.get(API_ME, HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 200


def test_the_session_key_of_django_otp_is_what_verifies(world):
    """The helper leaves the session as the verification page does."""
    client = Client()
    otp_login(client, world.a.staff["c:counter"])
    assert client.session[DEVICE_ID_SESSION_KEY].startswith("otp_totp.totpdevice/")


def test_the_token_operation_documents_the_otp_field():
    schema = Client().get("/api/openapi.json").json()
    login_in = schema["components"]["schemas"]["LoginIn"]["properties"]
    assert "otp" in login_in and "second factor" in login_in["otp"]["description"]
    operation = next(
        op["post"] for path, op in schema["paths"].items() if path.endswith("/auth/token")
    )
    assert "otp_required" in operation["description"]
