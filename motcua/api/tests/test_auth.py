import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from motcua.api.auth import token_auth, token_create, token_revoke
from motcua.api.models import ApiToken
from motcua.dossiers.access import staff_roles
from motcua.org.models import StaffRole
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db

MINE = "/api/dossiers/mine"


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_no_token_is_401_in_the_error_shape(world):
    r = Client().get(MINE)
    assert r.status_code == 401
    assert r.json() == {
        "error": {
            "code": "unauthenticated",
            "message": "Bạn cần đăng nhập.",
            "message_en": "Authentication required.",
        }
    }


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer ", "Token abc", "Bearer " + "x" * 500])
def test_bad_token_is_401(world, header):
    r = Client().get(MINE, headers={"Authorization": header})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"


def test_token_works_and_only_its_hash_is_stored(world):
    token, plaintext = token_create(user=world.citizen, name="phone")
    assert plaintext.startswith("mc_") and token.prefix == plaintext[:10]
    assert plaintext not in token.key_hash and len(token.key_hash) == 64
    r = Client().get(MINE, headers=_bearer(plaintext))
    assert r.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_and_inactive_user_are_401(world):
    token, plaintext = token_create(user=world.citizen)
    token_revoke(token=token)
    assert Client().get(MINE, headers=_bearer(plaintext)).status_code == 401
    _t, other = token_create(user=world.citizen2)
    world.citizen2.is_active = False
    world.citizen2.save()
    assert Client().get(MINE, headers=_bearer(other)).status_code == 401


def test_session_authenticates(world):
    client = Client()
    otp_login(client, world.citizen)
    r = client.get(MINE)
    assert r.status_code == 200 and r.json() == {"count": 0, "items": []}


def test_authentication_is_cached_per_process(world, django_assert_num_queries):
    _token, plaintext = token_create(user=world.citizen)
    ApiToken.objects.update(last_used_at=timezone.now())
    request = RequestFactory().get(MINE, headers=_bearer(plaintext))
    # First sight: the token with its user, the staff roles, the applicant account.
    with django_assert_num_queries(3):
        user = token_auth(request)
    assert user == world.citizen and request.user == world.citizen
    request = RequestFactory().get(MINE, headers=_bearer(plaintext))
    with django_assert_num_queries(0):
        again = token_auth(request)
    assert again == world.citizen and again is not user  # a copy per request


def test_cached_token_forgets_revocation_role_and_user_changes(world):
    token, plaintext = token_create(user=world.citizen)
    assert token_auth(RequestFactory().get(MINE, headers=_bearer(plaintext))) is not None
    token_revoke(token=token)
    assert token_auth(RequestFactory().get(MINE, headers=_bearer(plaintext))) is None

    officer = world.a.staff["c:counter"]
    _t, key = token_create(user=officer)
    first = token_auth(RequestFactory().get(MINE, headers=_bearer(key)))
    assert staff_roles(first)
    StaffRole.objects.filter(user=officer).update(active=False)  # bulk: no signal
    StaffRole.objects.filter(user=officer).first().save()  # any save clears the cache
    assert staff_roles(token_auth(RequestFactory().get(MINE, headers=_bearer(key)))) == {}

    officer.is_active = False
    officer.save()
    assert token_auth(RequestFactory().get(MINE, headers=_bearer(key))) is None


def test_cache_period_zero_disables_the_cache(world, settings, django_assert_num_queries):
    settings.MOTCUA_AUTH_CACHE_SECONDS = 0
    _token, plaintext = token_create(user=world.citizen)
    ApiToken.objects.update(last_used_at=timezone.now())
    token_auth(RequestFactory().get(MINE, headers=_bearer(plaintext)))
    with django_assert_num_queries(3):
        token_auth(RequestFactory().get(MINE, headers=_bearer(plaintext)))


def test_login_endpoint(world):
    r = Client().post(
        "/api/auth/token",
        {"username": "citizen", "password": "x"},
        content_type="application/json",
    )
    assert r.status_code == 201
    body = r.json()
    assert body["username"] == "citizen" and body["token"].startswith(body["prefix"])
    assert Client().get(MINE, headers=_bearer(body["token"])).status_code == 200


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"username": "citizen", "password": "wrong"}, 401, "invalid_credentials"),
        ({"username": "nobody", "password": "x"}, 401, "invalid_credentials"),
        ({"username": "citizen"}, 422, "invalid_input"),
    ],
)
def test_login_refused(world, payload, status, code):
    r = Client().post("/api/auth/token", payload, content_type="application/json")
    assert r.status_code == status
    assert r.json()["error"]["code"] == code
    assert ApiToken.objects.count() == 0


def test_token_command_prints_a_working_token(world, capsys):
    call_command("token", "create", "citizen", "--name", "bench")
    plaintext = capsys.readouterr().out.strip()
    assert ApiToken.objects.get().name == "bench"
    assert Client().get(MINE, headers=_bearer(plaintext)).status_code == 200
