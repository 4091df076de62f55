"""The applicant's choice (portal account page and API) and the message log (officers'
dossier page and API, admin), with the access matrix."""

from __future__ import annotations

import json

import pytest

from motcua.dossiers.enums import Status
from motcua.notifications.models import Message, Preference
from motcua.org.tests.otp import otp_login

from .conftest import advance, deliver

pytestmark = pytest.mark.django_db
PAGE = "/tai-khoan/thong-bao/"
API = "/api/notifications/preferences"


def test_the_account_page_shows_the_default_then_saves_a_choice(world, client):
    otp_login(client, world.citizen)
    page = client.get(PAGE).content.decode()
    assert "mặc định nhận thư điện tử nếu có địa chỉ và SMS nếu có số điện thoại" in page
    assert 'name="email" value="1" id="id_email" checked' in page
    assert 'name="sms" value="1" id="id_sms" checked' in page
    assert 'name="zalo" value="1" id="id_zalo">' in page

    response = client.post(PAGE, {"sms": "1", "zalo": "1", "language": "en"})
    assert response.status_code == 302 and response["Location"] == PAGE
    pref = Preference.objects.get(user=world.citizen)
    assert (pref.email, pref.sms, pref.zalo, pref.language) == (False, True, True, "en")
    page = client.get(PAGE).content.decode()
    assert "Đã lưu cách nhận thông báo." in page
    assert 'name="email" value="1" id="id_email">' in page


def test_the_account_page_refuses_a_bad_language(world, client):
    otp_login(client, world.citizen)
    response = client.post(PAGE, {"email": "1", "language": "fr"})
    assert response.status_code == 422
    assert "Ngôn ngữ không hỗ trợ" in response.content.decode()
    assert not Preference.objects.exists()


def test_the_choice_over_the_api(world, client):
    otp_login(client, world.citizen)
    got = client.get(API).json()
    assert got == {
        "email": True,
        "sms": True,
        "zalo": False,
        "language": "vi",
        "chosen": False,
        "known_email": "citizen@example.vn",
        "known_phone": "0912345678",
    }
    response = client.put(
        API,
        json.dumps({"email": True, "sms": False, "zalo": False, "language": "en"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["sms"] is False and response.json()["chosen"] is True
    assert Preference.objects.get(user=world.citizen).language == "en"


@pytest.mark.parametrize("who", ["anonymous", "c:counter", "s:leader", "admin"])
def test_only_an_applicant_has_a_choice(world, client, who):
    if who != "anonymous":
        otp_login(client, world.admin if who == "admin" else world.a.staff[who])
    page = client.get(PAGE)
    api = client.get(API)
    put = client.put(API, json.dumps({"email": True, "sms": True}), content_type="application/json")
    if who == "anonymous":
        assert page.status_code == 302 and api.status_code == 401 and put.status_code == 401
    else:
        assert (page.status_code, api.status_code, put.status_code) == (404, 404, 403)
    assert not Preference.objects.exists()


def test_an_applicant_sets_only_their_own_choice(world, client):
    """There is no user id to give: the service takes the caller's own account."""
    otp_login(client, world.citizen2)
    client.put(API, json.dumps({"email": False, "sms": True}), content_type="application/json")
    assert list(Preference.objects.values_list("user__username", flat=True)) == ["citizen2"]


def test_the_dossier_page_shows_each_message_and_its_status(world, channels, client):
    _, gateway = channels
    gateway.fail(times=1)
    d = advance(world, Status.RECEIVED)
    deliver()
    otp_login(client, world.a.staff["c:counter"])
    page = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    section = page[page.index('id="notifications"') :]
    assert "citizen@example.vn" in section and "0912345678" in section
    assert section.count("Tiếp nhận hồ sơ") == 2
    assert "Đã gửi" in section
    assert "Gửi lỗi, sẽ thử lại" in section and "HTTP 503" in section


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("a:c:counter", 200),
        ("a:s:specialist", 200),
        ("b:c:counter", 404),  # another agency's officer
        ("citizen", 404),  # the applicant: not the log
        ("citizen2", 404),
    ],
)
def test_the_message_log_over_the_api(world, channels, client, who, expected):
    d = advance(world, Status.RECEIVED)
    if who.startswith(("a:", "b:")):
        side, role = who.split(":", 1)
        user = getattr(world, side).staff[role]
    else:
        user = getattr(world, who)
    otp_login(client, user)
    response = client.get(f"/api/notifications/dossiers/{d.pk}/messages")
    assert response.status_code == expected
    if expected == 200:
        rows = response.json()
        assert sorted((r["channel"], r["status"]) for r in rows) == [
            ("email", "queued"),
            ("sms", "queued"),
        ]
        assert {r["recipient"] for r in rows} == {"citizen@example.vn", "0912345678"}


def test_the_admin_lists_messages_and_templates(world, channels, client):
    advance(world, Status.RECEIVED)
    deliver()
    otp_login(client, world.admin)
    page = client.get("/admin/notifications/message/?status__exact=sent").content.decode()
    assert page.count("citizen@example.vn") == 1 and "0912345678" in page
    assert client.get("/admin/notifications/template/").status_code == 200
    m = Message.objects.first()
    assert client.get(f"/admin/notifications/message/{m.pk}/change/").status_code == 200
