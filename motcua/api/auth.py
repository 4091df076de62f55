"""Authentication of the API: a bearer token, or the Django session (for the pages).

A token is `mc_` + 43 random URL-safe characters; only its SHA-256 is stored, so a leaked
database does not leak usable keys, and lookup is one indexed equality (no slow hash is
needed for 256-bit random keys). Authenticating costs one query (token + user, joined);
`last_used_at` is written at most once per LAST_USED_RESOLUTION so that the hot path stays
read-only.

A worker process keeps what it learnt of a token (the user, the user's staff roles and
applicant account) for MOTCUA_AUTH_CACHE_SECONDS (default 10 s), so that a busy officer's
requests skip those queries. A process forgets a user's cached tokens as soon as that
token, user, staff role or applicant account is saved or deleted in it; other worker
processes see such a change within the cache period (docs/rules.md, "API tokens"). An
agency saved or deleted makes the process forget every token. Which roles count is decided
by the one role lookup, motcua.org.selectors.staff_role_map (the role's and the agency's
validity).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import secrets
import threading
import time

from django.conf import settings
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


class _Entry:
    __slots__ = ("token_id", "user", "last_used_at", "expires")

    def __init__(self, token_id: int, user, last_used_at, expires: float) -> None:
        self.token_id = token_id
        self.user = user
        self.last_used_at = last_used_at
        self.expires = expires


_CACHE: dict[str, _Entry] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 10_000


def auth_cache_clear() -> None:
    """Forget every cached token."""
    with _CACHE_LOCK:
        _CACHE.clear()


def auth_cache_forget(user_id: int) -> None:
    """Forget the cached tokens of one user."""
    with _CACHE_LOCK:
        for key in [k for k, e in _CACHE.items() if e.user.pk == user_id]:
            del _CACHE[key]


def on_saved_or_deleted(sender, instance, created: bool = False, **_kwargs) -> None:
    """Signal receiver: a change to a token, user, staff role or applicant account makes
    this process forget that user's cached tokens (a new token changes nothing cached)."""
    if sender is ApiToken and created:
        return
    user_id = instance.pk if hasattr(instance, "api_tokens") else instance.user_id
    if user_id is not None:
        auth_cache_forget(user_id)


def on_agency_changed(sender, instance, **_kwargs) -> None:
    """Signal receiver: an agency saved or deleted (its validity bounds its staff's rights)
    makes this process forget every cached token; agencies change rarely."""
    auth_cache_clear()


def _cache_seconds() -> float:
    return float(getattr(settings, "MOTCUA_AUTH_CACHE_SECONDS", 10))


def _load(key_hash: str) -> _Entry | None:
    from motcua.dossiers.access import applicant_id, staff_roles

    found = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash, revoked=False, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    user = found.user
    staff_roles(user)  # memoized on the user object, cached with it
    applicant_id(user)
    return _Entry(found.pk, user, found.last_used_at, time.monotonic() + _cache_seconds())


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        key_hash = _hash(token)
        entry = _CACHE.get(key_hash)
        if entry is None or entry.expires < time.monotonic():
            entry = _load(key_hash)
            if entry is None:
                return None
            if _cache_seconds() > 0:
                with _CACHE_LOCK:
                    if len(_CACHE) >= _CACHE_MAX:
                        _CACHE.clear()
                    _CACHE[key_hash] = entry
        now = timezone.now()
        if entry.last_used_at is None or now - entry.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=entry.token_id).update(last_used_at=now)
            entry.last_used_at = now
        # A copy per request: what a request memoizes on its user stays with that request.
        user = copy.copy(entry.user)
        request.user = user
        return user


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
