"""Authentication of the API: a bearer token, or the Django session (for the pages).

A token is `mc_` + 43 random URL-safe characters; only its SHA-256 is stored, so a leaked
database does not leak usable keys, and lookup is one indexed equality (no slow hash is
needed for 256-bit random keys). Authenticating costs one query (token + user, joined);
`last_used_at` is written at most once per LAST_USED_RESOLUTION so that the hot path stays
read-only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import authenticate
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.security import HttpBearer, django_auth
from pydantic import Field

from motcua.core.errors import DomainError

from .models import ApiToken

TOKEN_PREFIX = "mc_"
LAST_USED_RESOLUTION = dt.timedelta(minutes=10)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for `user`; the plaintext is returned once and never stored."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_hash=_hash(plaintext), prefix=plaintext[:10]
    )
    return token, plaintext


def token_revoke(*, token: ApiToken) -> ApiToken:
    token.revoked = True
    token.save(update_fields=["revoked"])
    return token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=_hash(token), revoked=False, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


token_auth = TokenAuth()
# Token first (API clients, the bench), then the session cookie (pages; CSRF applies).
AUTH = [token_auth, django_auth]


class InvalidCredentials(DomainError):
    status = 401

    def __init__(self) -> None:
        super().__init__(
            "invalid_credentials",
            "Tên đăng nhập hoặc mật khẩu không đúng.",
            "Wrong username or password.",
            field="password",
        )


class LoginIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)
    name: str = Field("", max_length=100)


class TokenOut(Schema):
    token: str
    prefix: str
    username: str


router = Router(tags=["auth"])


@router.post("/token", response={201: TokenOut}, auth=None)
def login(request, payload: LoginIn):
    """Exchange a username and password for a new bearer token."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise InvalidCredentials()
    token, plaintext = token_create(user=user, name=payload.name or "login")
    return Status(
        201, {"token": plaintext, "prefix": token.prefix, "username": user.get_username()}
    )
