"""Login throttling (django-axes, motcua.core.lockout) through real HTTP on the three
entry points: the portal login, the admin login and POST /api/auth/token."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice

from motcua.api.models import ApiToken
from motcua.org.tests.otp import otp_login, totp_device

pytestmark = pytest.mark.django_db

PASSWORD = "dung-mat-khau-1"
LIMIT = django_settings.MOTCUA_LOGIN_FAILURE_LIMIT
HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


class Entry:
    """One login entry point: how to post a login and how to tell it succeeded."""

    def __init__(self, name: str, path: str, ok_status: int, as_json: bool) -> None:
        self.name = name
        self.path = path
        self.ok_status = ok_status
        self.as_json = as_json

    def login(self, client: Client, username: str, password: str, addr: str = HOME, **extra):
        data = {"username": username, "password": password}
        if self.as_json:
            # The staff accounts' second factor (motcua.org.otp): a recovery code each time.
            data["otp"] = _recovery_code(username)
            return client.post(
                self.path, data, content_type="application/json", REMOTE_ADDR=addr, **extra
            )
        return client.post(self.path, data, REMOTE_ADDR=addr, **extra)

    def logged_in(self, client: Client, response) -> bool:
        if response.status_code != self.ok_status:
            return False
        if self.as_json:
            return ApiToken.objects.filter(prefix=response.json()["prefix"]).exists()
        return "_auth_user_id" in client.session


ENTRIES = [
    Entry("portal", "/dang-nhap/", 302, as_json=False),
    Entry("admin", "/admin/login/", 302, as_json=False),
    Entry("api", "/api/auth/token", 201, as_json=True),
]


_HANDED: dict[str, int] = {}


def _recovery_code(username: str) -> str:
    """A recovery code of `username` not handed out before (made with the account by
    `users`): a code works once, and a refused login does not use it up."""
    n = _HANDED.get(username, 0)
    _HANDED[username] = n + 1
    return f"code{n:04d}"


@pytest.fixture
def users():
    """Two staff accounts (the admin login takes staff only), enrolled in the second
    factor, with recovery codes for the API logins."""
    model = get_user_model()
    made = [
        model.objects.create_user(name, password=PASSWORD, is_staff=True, is_superuser=True)
        for name in ("canbo1", "canbo2")
    ]
    _HANDED.clear()
    for user in made:
        totp_device(user)
        device = StaticDevice.objects.create(user=user, name="test", confirmed=True)
        for i in range(20):
            device.token_set.create(token=f"code{i:04d}")
    return made


def assert_locked(entry: Entry, response) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == str(django_settings.MOTCUA_LOGIN_COOLOFF_MINUTES * 60)
    if entry.as_json:
        error = response.json()["error"]
        assert error["code"] == "login_locked"
        assert error["message"].startswith("Đăng nhập tạm thời bị khóa")
    else:
        assert "Đăng nhập tạm thời bị khóa" in response.content.decode()


def fail_until_locked(entry: Entry, username: str, addr: str = HOME) -> None:
    client = Client()
    for i in range(LIMIT):
        r = entry.login(client, username, "sai-mat-khau", addr)
        if i < LIMIT - 1:
            assert r.status_code in (200, 401), r.status_code  # refused, not yet locked
        else:
            assert_locked(entry, r)  # the failure that reaches the limit locks


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_right_password_before_the_limit_logs_in(entry, users):
    client = Client()
    for _ in range(LIMIT - 1):
        entry.login(client, "canbo1", "sai-mat-khau")
    r = entry.login(client, "canbo1", PASSWORD)
    assert entry.logged_in(client, r)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_wrong_passwords_then_the_right_one_is_refused(entry, users):
    fail_until_locked(entry, "canbo1")
    client = Client()
    r = entry.login(client, "canbo1", PASSWORD)
    assert_locked(entry, r)
    assert not entry.logged_in(client, r)
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_lock_is_per_account_and_per_address(entry, users):
    fail_until_locked(entry, "canbo1", HOME)
    # The account, from another address: locked (per account).
    assert_locked(entry, entry.login(Client(), "canbo1", PASSWORD, ELSEWHERE))
    # Another account, from the same address: locked (per address).
    assert_locked(entry, entry.login(Client(), "canbo2", PASSWORD, HOME))
    # Another account from another address: free.
    client = Client()
    assert entry.logged_in(client, entry.login(client, "canbo2", PASSWORD, ELSEWHERE))


def test_one_address_spraying_many_accounts_is_locked(users):
    portal = ENTRIES[0]
    client = Client()
    for i in range(LIMIT):
        portal.login(client, f"khong-co-{i}", "sai-mat-khau")
    assert_locked(portal, portal.login(client, "canbo1", PASSWORD))


def test_locks_apply_across_entry_points(users):
    fail_until_locked(ENTRIES[2], "canbo1")  # through the API
    assert_locked(ENTRIES[0], ENTRIES[0].login(Client(), "canbo1", PASSWORD))


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_the_lock_lifts_after_the_cooloff(entry, users):
    fail_until_locked(entry, "canbo1")
    minutes = django_settings.MOTCUA_LOGIN_COOLOFF_MINUTES
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=minutes - 1))
    assert_locked(entry, entry.login(Client(), "canbo1", PASSWORD))
    # That refused attempt counted too (an attacker who keeps trying stays locked).
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=minutes + 1))
    client = Client()
    assert entry.logged_in(client, entry.login(client, "canbo1", PASSWORD))


def test_an_administrator_unlocks_by_command(users):
    portal = ENTRIES[0]
    fail_until_locked(portal, "canbo1")
    call_command("axes_reset_username", "canbo1")
    client = Client()
    assert portal.logged_in(client, portal.login(client, "canbo1", PASSWORD))


def test_an_administrator_unlocks_in_the_admin(users):
    portal = ENTRIES[0]
    fail_until_locked(portal, "canbo1")
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    assert attempts
    admin = Client()
    otp_login(admin, users[1])
    r = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert r.status_code == 302
    assert AccessAttempt.objects.count() == 0
    client = Client()
    assert portal.logged_in(client, portal.login(client, "canbo1", PASSWORD))


def test_the_address_comes_from_the_proxy_header_when_configured(users, settings):
    settings.MOTCUA_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    portal = ENTRIES[0]
    client = Client()
    for i in range(LIMIT):
        portal.login(client, f"khong-co-{i}", "sai", "127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    assert AccessAttempt.objects.filter(ip_address="203.0.113.7").count() == LIMIT
    # Same proxy, another citizen's address: free.
    ok = Client()
    r = portal.login(ok, "canbo1", PASSWORD, "127.0.0.1", HTTP_X_REAL_IP="203.0.113.8")
    assert portal.logged_in(ok, r)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_failure_and_the_lockout_write_a_log_line(entry, users, caplog):
    caplog.set_level(logging.WARNING, logger="axes")
    fail_until_locked(entry, "canbo1")
    entry.login(Client(), "canbo1", PASSWORD)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("axes")]
    failures = [m for m in lines if "login failure by" in m]
    lockouts = [m for m in lines if "Locking out" in m]
    assert len(failures) == LIMIT + 1  # each wrong password, and the refused right one
    assert len(lockouts) == 2
    for line in failures + lockouts:
        assert 'username: "canbo1"' in line and f'ip_address: "{HOME}"' in line
        assert PASSWORD not in line and "sai-mat-khau" not in line


@pytest.mark.parametrize("bad", ["unknown", "' OR 1=1", "300.1.1.1"])
def test_a_malformed_address_is_counted_as_none_not_a_500(users, settings, bad):
    """PostgreSQL's inet column refuses anything but an address."""
    settings.MOTCUA_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    portal = ENTRIES[0]
    for _ in range(LIMIT):
        r = portal.login(Client(), "khong-co", "sai", HTTP_X_REAL_IP=bad)
    assert_locked(portal, r)
    assert AccessAttempt.objects.get().ip_address is None
    client = Client()
    otp_login(client, users[0])  # a request without REMOTE_ADDR: the success log saves
    assert "_auth_user_id" in client.session
