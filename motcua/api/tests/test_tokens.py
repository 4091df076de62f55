"""API tokens: a name and an expiry, listed and revoked by their owner, and a cap on the live
tokens a user holds (a login cannot hand back an earlier token: its secret is not kept)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory
from django.utils import timezone

from motcua.api.auth import token_auth, token_create, tokens_live
from motcua.api.models import ApiToken
from motcua.core.errors import ValidationFailed
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db

MINE = "/api/dossiers/mine"
TOKENS = "/api/auth/tokens"


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _login(name: str = "", username: str = "citizen"):
    payload = {"username": username, "password": "x"}
    if name:
        payload["name"] = name
    return Client().post("/api/auth/token", payload, content_type="application/json")


def test_a_token_has_a_name_and_expires_after_the_set_days(world, settings):
    settings.MOTCUA_API_TOKEN_DAYS = 7
    before = timezone.now()
    token, _plain = token_create(user=world.citizen, name="  Máy chủ tích hợp  ")
    assert token.name == "Máy chủ tích hợp"
    assert before + dt.timedelta(days=7) <= token.expires_at
    assert token.expires_at <= timezone.now() + dt.timedelta(days=7)


def test_login_answer_gives_the_name_and_the_expiry(world):
    body = _login(name="điện thoại").json()
    token = ApiToken.objects.get()
    assert body["name"] == "điện thoại"
    # (the JSON carries milliseconds)
    answered = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(answered - token.expires_at) < dt.timedelta(milliseconds=1)


def test_an_expired_token_is_refused(world):
    token, plain = token_create(user=world.citizen)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = Client().get(MINE, headers=_bearer(plain))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"


def test_a_token_that_expires_while_a_process_keeps_it_is_refused(world):
    # The process caches the token (MOTCUA_AUTH_CACHE_SECONDS); its expiry is checked on
    # every request, from what was kept, without asking the database.
    token, plain = token_create(user=world.citizen)
    request = RequestFactory().get(MINE, headers=_bearer(plain))
    assert token_auth(request) == world.citizen
    entry = next(iter(token_auth.cache.entries.values()))
    entry.token_expires_at = timezone.now() - dt.timedelta(seconds=1)
    assert token_auth(RequestFactory().get(MINE, headers=_bearer(plain))) is None


def test_days_must_be_positive(world):
    with pytest.raises(ValidationFailed) as caught:
        token_create(user=world.citizen, days=0)
    assert caught.value.field == "days"
    assert ApiToken.objects.count() == 0


def test_the_owner_lists_live_tokens_newest_first_without_secrets(world):
    old, _ = token_create(user=world.citizen, name="cũ")
    revoked, _ = token_create(user=world.citizen, name="đã thu hồi")
    revoked.revoked = True
    revoked.save()
    expired, _ = token_create(user=world.citizen, name="hết hạn")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    token_create(user=world.a.staff["c:counter"])  # someone else's
    current, plain = token_create(user=world.citizen, name="đang dùng")
    r = Client().get(TOKENS, headers=_bearer(plain))
    assert r.status_code == 200
    listed = r.json()
    assert [(t["id"], t["name"], t["current"]) for t in listed] == [
        (current.pk, "đang dùng", True),
        (old.pk, "cũ", False),
    ]
    assert set(listed[0]) == {
        "id",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "current",
    }


def test_listing_through_the_session_works_and_anonymous_is_401(world):
    token_create(user=world.citizen, name="a")
    client = Client()
    assert client.get(TOKENS).status_code == 401
    otp_login(client, world.citizen)
    listed = client.get(TOKENS).json()
    assert [t["current"] for t in listed] == [False]


def test_the_owner_revokes_one_token_and_it_stops_working(world):
    keep, keep_plain = token_create(user=world.citizen, name="giữ")
    drop, drop_plain = token_create(user=world.citizen, name="bỏ")
    r = Client().delete(f"{TOKENS}/{drop.pk}", headers=_bearer(keep_plain))
    assert r.status_code == 204
    assert Client().get(MINE, headers=_bearer(drop_plain)).status_code == 401
    assert Client().get(MINE, headers=_bearer(keep_plain)).status_code == 200
    assert list(tokens_live(world.citizen)) == [keep]


def test_revoking_the_token_in_use_logs_out(world):
    token, plain = token_create(user=world.citizen)
    assert Client().delete(f"{TOKENS}/{token.pk}", headers=_bearer(plain)).status_code == 204
    assert Client().get(TOKENS, headers=_bearer(plain)).status_code == 401


def test_nobody_revokes_another_users_token_and_revoked_ones_are_404(world):
    officer = world.a.staff["c:counter"]
    theirs, theirs_plain = token_create(user=officer)
    _mine, plain = token_create(user=world.citizen)
    r = Client().delete(f"{TOKENS}/{theirs.pk}", headers=_bearer(plain))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.revoked is False
    assert Client().get(MINE, headers=_bearer(theirs_plain)).status_code in (200, 403)
    # Already revoked: 404 as well, nothing changes.
    theirs.revoked = True
    theirs.save()
    own_gone, _ = token_create(user=world.citizen)
    own_gone.revoked = True
    own_gone.save()
    assert Client().delete(f"{TOKENS}/{own_gone.pk}", headers=_bearer(plain)).status_code == 404


def test_logins_do_not_pile_up_tokens_past_the_cap(world, settings):
    settings.MOTCUA_API_TOKENS_PER_USER = 3
    answers = [_login(name=f"lần {i}").json() for i in range(5)]
    live = list(tokens_live(world.citizen).order_by("created_at", "pk"))
    assert [t.name for t in live] == ["lần 2", "lần 3", "lần 4"]
    assert ApiToken.objects.filter(user=world.citizen, revoked=True).count() == 2
    # The oldest logins' tokens no longer open the API; the newest do.
    assert Client().get(MINE, headers=_bearer(answers[0]["token"])).status_code == 401
    assert Client().get(MINE, headers=_bearer(answers[4]["token"])).status_code == 200


def test_the_cap_counts_live_tokens_only_and_is_per_user(world, settings):
    settings.MOTCUA_API_TOKENS_PER_USER = 2
    officer = world.a.staff["c:counter"]
    other, _ = token_create(user=officer)
    expired, _ = token_create(user=world.citizen)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    first, _ = token_create(user=world.citizen)
    second, _ = token_create(user=world.citizen)
    assert set(tokens_live(world.citizen)) == {first, second}
    other.refresh_from_db()
    assert other.revoked is False


def test_token_command_takes_days_and_refuses_zero(world, capsys):
    call_command("token", "create", "citizen", "--name", "tích hợp", "--days", "2")
    token = ApiToken.objects.get()
    assert token.expires_at <= timezone.now() + dt.timedelta(days=2)
    with pytest.raises(CommandError, match="ít nhất|từ 1 ngày"):
        call_command("token", "create", "citizen", "--days", "0")
