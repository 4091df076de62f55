"""token_created / token_revoked in the security log: minted by a login, revoked by
DELETE /api/auth/tokens/{id}, by the per-user cap and in the admin; the id and name,
never the secret; nothing when the transaction is rolled back."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from motcua.api.auth import token_create
from motcua.api.models import ApiToken
from motcua.org.tests.otp import fresh_code, otp_login

pytestmark = pytest.mark.django_db
PASSWORD = "dung-mat-khau-1"


@pytest.fixture
def user():
    return get_user_model().objects.create_user(
        "canbo", password=PASSWORD, is_staff=True, is_superuser=True
    )


def test_login_mints_and_delete_revokes(security_lines, user, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/api/auth/token",
            {
                "username": "canbo",
                "password": PASSWORD,
                "name": "máy trạm",
                "otp": fresh_code(user),
            },
            content_type="application/json",
        )
    assert r.status_code == 201
    secret = r.json()["token"]
    token = ApiToken.objects.get(prefix=r.json()["prefix"])
    (made,) = security_lines("token_created")
    assert made["token_id"] == token.pk
    assert made["token_name"] == "máy trạm"
    assert (made["owner_id"], made["owner"]) == (user.pk, "canbo")

    with django_capture_on_commit_callbacks(execute=True):
        r = client.delete(
            f"/api/auth/tokens/{token.pk}", headers={"Authorization": f"Bearer {secret}"}
        )
    assert r.status_code == 204
    (gone,) = security_lines("token_revoked")
    assert (gone["token_id"], gone["reason"], gone["owner_id"]) == (token.pk, "revoked", user.pk)
    assert gone["user"] == "canbo"  # who revoked it
    raw = "\n".join(str(line) for line in security_lines.all())
    assert secret not in raw and secret[:10] not in raw


def test_the_cap_revokes_the_oldest(
    security_lines, user, settings, django_capture_on_commit_callbacks
):
    settings.MOTCUA_API_TOKENS_PER_USER = 2
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = token_create(user=user, name="một")
        token_create(user=user, name="hai")
        token_create(user=user, name="ba")
    assert [line["token_name"] for line in security_lines("token_created")] == ["một", "hai", "ba"]
    (gone,) = security_lines("token_revoked")
    assert (gone["token_id"], gone["reason"]) == (first.pk, "cap")


def test_rolled_back_token_is_not_logged(security_lines, user, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        token_create(user=user, name="hỏng")
        raise RuntimeError
    assert security_lines("token_created") == []


def test_admin_revocation_goes_through_token_revoke(
    security_lines, user, django_capture_on_commit_callbacks
):
    token, _ = token_create(user=user, name="cũ")
    client = Client()
    otp_login(client, user)
    url = f"/admin/api/apitoken/{token.pk}/change/"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"name": "cũ", "revoked": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    token.refresh_from_db()
    assert token.revoked
    (gone,) = security_lines("token_revoked")
    assert (gone["token_id"], gone["reason"], gone["user"]) == (token.pk, "admin", "canbo")
    # Revoked stays revoked: the admin form no longer offers the box.
    r = client.post(url, {"name": "cũ"})
    token.refresh_from_db()
    assert token.revoked
