"""Authentication of the API: a bearer token, or the Django session (for the pages).

A token is `mc_` + 43 random URL-safe characters; only its SHA-256 is stored, so a leaked
database does not leak usable keys, and lookup is one indexed equality (no slow hash is
needed for 256-bit random keys). Authenticating costs one query (token + user, joined);
`last_used_at` is written at most once per LAST_USED_RESOLUTION so that the hot path stays
read-only.

A worker process keeps what it learnt of a token (the user, the user's staff roles and
applicant account) for MOTCUA_AUTH_CACHE_SECONDS (default 10 s), so that a busy officer's
requests skip those queries. A process forgets a user's cached tokens as soon as that
token, user, staff role or applicant account is saved or deleted in it. An agency saved or
deleted makes the process forget every token. Which roles count is decided by the one role
lookup, motcua.org.selectors.staff_role_map (the role's and the agency's validity).

Other processes: with a shared cache (MOTCUA_CACHE_URL, Redis), such a change also gives
the tokens concerned a new version in it once the transaction commits, and every process
reads the versions of the token it serves (one Redis round trip, no database query) before
trusting what it keeps: a change is then seen at once by every process. The versions are
read before the database, so a change committed in between is never kept under its new
version. Without a shared cache, other processes see a change within the cache period
(docs/rules.md, "API tokens"); when the shared cache cannot be read, nothing kept is
trusted (the database is asked on every request) until it can.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import logging
import secrets
import threading
import time

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from pydantic import Field

from motcua.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from motcua.core.lockout import LoginLocked
from motcua.core.seclog import security_event, security_event_on_commit
from motcua.core.text import nfc
from motcua.org.otp import needs_second_factor
from motcua.org.selectors import applicant_id, staff_role_map
from motcua.org.services import staff_otp_verify

from .models import ApiToken
from .openapi import declare

log = logging.getLogger(__name__)
TOKEN_PREFIX = "mc_"
LAST_USED_RESOLUTION = dt.timedelta(minutes=10)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _token_days() -> int:
    return int(getattr(settings, "MOTCUA_API_TOKEN_DAYS", 30))


def tokens_live(user) -> QuerySet[ApiToken]:
    """`user`'s tokens that still open the API (not revoked, not expired), newest first."""
    return ApiToken.objects.filter(user=user, revoked=False, expires_at__gt=timezone.now())


@transaction.atomic
def token_create(*, user, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; the plaintext is returned once and never stored.

    Rules: it expires after `days` (default MOTCUA_API_TOKEN_DAYS); a user holds at most
    MOTCUA_API_TOKENS_PER_USER live tokens, so making one more revokes the oldest. That
    cap is how a login does not pile up tokens: a login cannot hand back the token an
    earlier one made, whose secret was shown once and is not kept (only its hash is).
    The user's row is locked so that two logins at once cannot both skip the cap.
    """
    days = _token_days() if days is None else days
    if days <= 0:
        raise ValidationFailed(
            "invalid_days",
            "Thời hạn của khóa API phải từ 1 ngày trở lên.",
            "A token must last at least one day.",
            field="days",
        )
    type(user).objects.select_for_update().filter(pk=user.pk).exists()
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(nfc(name) or "").strip()[:100],
        key_hash=_hash(plaintext),
        prefix=plaintext[:10],
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    cap = int(getattr(settings, "MOTCUA_API_TOKENS_PER_USER", 10))
    if cap > 0:
        for old in tokens_live(user).exclude(pk=token.pk).order_by("-created_at", "-pk")[cap - 1 :]:
            token_revoke(token=old, reason="cap")
    log.info("api token %s created for user %s (%s)", token.prefix, user.pk, token.name)
    # The security log: the token's id and name, never its secret nor its prefix.
    security_event_on_commit(
        "token_created",
        token_id=token.pk,
        token_name=token.name,
        owner_id=user.pk,
        owner=user.get_username(),
        expires_at=token.expires_at.isoformat(),
    )
    return token, plaintext


def token_revoke(*, token: ApiToken, reason: str = "revoked") -> ApiToken:
    """Revoke a token: refused from the next request on, by every process at once when
    the cache is shared (see the module docstring). `reason` goes to the security log
    ("revoked" by its owner, "cap": the oldest past MOTCUA_API_TOKENS_PER_USER)."""
    token.revoked = True
    token.save(update_fields=["revoked"])
    log.info("api token %s of user %s revoked", token.prefix, token.user_id)
    security_event_on_commit(
        "token_revoked",
        token_id=token.pk,
        token_name=token.name,
        owner_id=token.user_id,
        reason=reason,
    )
    return token


class _Entry:
    __slots__ = ("token_id", "user", "last_used_at", "expires", "versions", "token_expires_at")

    def __init__(
        self, token_id: int, user, last_used_at, expires: float, versions, token_expires_at
    ) -> None:
        self.token_id = token_id
        self.user = user
        self.last_used_at = last_used_at
        self.expires = expires  # until when this process trusts the entry (monotonic)
        self.versions = versions
        self.token_expires_at = token_expires_at  # the token's own expiry (a datetime)


class TokenCache:
    """What one server process keeps of the tokens it has checked."""

    MAX = 10_000

    def __init__(self) -> None:
        self.entries: dict[str, _Entry] = {}
        self.lock = threading.Lock()

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()

    def forget(self, user_id: int) -> None:
        with self.lock:
            for key in [k for k, e in self.entries.items() if e.user.pk == user_id]:
                del self.entries[key]

    def put(self, key_hash: str, entry: _Entry) -> None:
        with self.lock:
            if len(self.entries) >= self.MAX:
                self.entries.clear()
            self.entries[key_hash] = entry


# This process's tokens (the signal receivers below forget in it).
PROCESS_CACHE = TokenCache()


def auth_cache_clear() -> None:
    """Forget every cached token."""
    PROCESS_CACHE.clear()


def auth_cache_forget(user_id: int) -> None:
    """Forget the cached tokens of one user."""
    PROCESS_CACHE.forget(user_id)


# --- versions in the shared cache (MOTCUA_CACHE_URL) ------------------------------------

_ALL = "motcua:auth:v"
_UNREADABLE = object()  # never equal to what an entry holds: nothing is trusted


def _shared() -> bool:
    return bool(getattr(settings, "MOTCUA_CACHE_URL", ""))


def _version_key(key_hash: str) -> str:
    return f"motcua:auth:v:{key_hash[:32]}"


def _versions(key_hash: str):
    """The shared versions of everything (agencies) and of one token; () when no cache is
    shared."""
    if not _shared() or _cache_seconds() <= 0:
        return ()
    try:
        got = cache.get_many([_ALL, _version_key(key_hash)])
    except Exception:
        log.warning("shared cache unreadable: API tokens checked in the database", exc_info=True)
        return _UNREADABLE
    return (got.get(_ALL), got.get(_version_key(key_hash)))


def _bump(keys: list[str]) -> None:
    """New versions: every process stops trusting what it keeps under these keys. They
    outlive any entry read under the old ones, then expire."""
    if not keys:
        return
    try:
        version = secrets.token_hex(8)
        cache.set_many(dict.fromkeys(keys, version), timeout=_cache_seconds() + 60)
    except Exception:
        log.exception("shared cache unwritable: other processes see the change late")


def _bump_user_after_commit(user_id: int, key_hash: str | None = None) -> None:
    def bump() -> None:
        hashes = set(ApiToken.objects.filter(user_id=user_id).values_list("key_hash", flat=True))
        if key_hash:
            hashes.add(key_hash)
        _bump([_version_key(h) for h in hashes])

    transaction.on_commit(bump)


def on_saved_or_deleted(sender, instance, created: bool = False, **_kwargs) -> None:
    """Signal receiver: a change to a token, user, staff role or applicant account makes
    this process forget that user's cached tokens (a new token changes nothing cached), and
    with a shared cache every process, once committed."""
    if sender is ApiToken and created:
        return
    user_id = instance.pk if hasattr(instance, "api_tokens") else instance.user_id
    if user_id is not None:
        auth_cache_forget(user_id)
        if _shared():
            _bump_user_after_commit(user_id, getattr(instance, "key_hash", None))


def on_agency_changed(sender, instance, **_kwargs) -> None:
    """Signal receiver: an agency saved or deleted (its validity bounds its staff's rights)
    makes this process forget every cached token, and with a shared cache every process;
    agencies change rarely."""
    auth_cache_clear()
    if _shared():
        transaction.on_commit(lambda: _bump([_ALL]))


def _cache_seconds() -> float:
    return float(getattr(settings, "MOTCUA_AUTH_CACHE_SECONDS", 10))


def _load(key_hash: str, versions) -> _Entry | None:
    found = (
        ApiToken.objects.select_related("user")
        .filter(
            key_hash=key_hash,
            revoked=False,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )
    if found is None:
        return None
    user = found.user
    staff_role_map(user)  # memoized on the user object, cached with it
    applicant_id(user)
    return _Entry(
        found.pk,
        user,
        found.last_used_at,
        time.monotonic() + _cache_seconds(),
        versions,
        found.expires_at,
    )


class TokenAuth(HttpBearer):
    def __init__(self, cache: TokenCache | None = None) -> None:
        super().__init__()
        self.cache = cache or PROCESS_CACHE

    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        key_hash = _hash(token)
        versions = _versions(key_hash)
        entry = self.cache.entries.get(key_hash)
        if entry is None or entry.expires < time.monotonic() or entry.versions != versions:
            entry = _load(key_hash, versions)
            if entry is None:
                return None
            if _cache_seconds() > 0 and versions is not _UNREADABLE:
                self.cache.put(key_hash, entry)
        now = timezone.now()
        if now >= entry.token_expires_at:  # expired while this process kept it
            return None
        if entry.last_used_at is None or now - entry.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=entry.token_id).update(last_used_at=now)
            entry.last_used_at = now
        # A copy per request: what a request memoizes on its user stays with that request.
        user = copy.copy(entry.user)
        request.user = user
        request.api_token_id = entry.token_id  # the listing marks it "current"
        return user


class SessionAuth(NinjaSessionAuth):
    """The Django session (the pages' calls). CSRF is checked only when a session cookie
    came: a call with no credentials at all is 401 (unauthenticated), not a CSRF 403;
    a session call that fails the CSRF check is 403 csrf_failed, in both languages."""

    def _get_key(self, request):
        if not request.COOKIES.get(self.param_name):
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise PermissionDenied(
                "Phiên đăng nhập thiếu hoặc sai mã CSRF; hãy tải lại trang.",
                "The session's CSRF token is missing or wrong; reload the page.",
                code="csrf_failed",
            ) from None


token_auth = TokenAuth()
django_auth = SessionAuth()
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
    otp: str = Field(
        "",
        max_length=32,
        description="Staff accounts only: the current 6-digit code of the account's "
        "authenticator app, or one of its unused recovery codes (second factor, "
        "docs/security.md). Citizens leave it out.",
    )


class TokenOut(Schema):
    token: str
    prefix: str
    username: str
    name: str
    expires_at: dt.datetime


router = Router(tags=["auth"])


@router.post(
    "/token",
    response={201: TokenOut},
    auth=None,
    openapi_extra=declare(throttled=True, credentials=True),
)
def login(request, payload: LoginIn):
    """Exchange a username and password for a new bearer token.

    Throttled like every login (django-axes, motcua.core.lockout): `authenticate` is given
    the request, so each failure counts against the account and the address, and a locked
    one is refused (429) before its password is checked.

    A staff account also gives its second factor in `otp` (motcua.org.otp): without it, or
    with a wrong or used code, 401 (`otp_required`, `otp_invalid`, `otp_not_enrolled`:
    enrol on the web site first); after several wrong codes in a row, 429 (`otp_throttled`)
    for a while. The token then stands for a verified login."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise LoginLocked()
    if user is None or not user.is_active:
        raise InvalidCredentials()
    if needs_second_factor(user):
        try:
            device = staff_otp_verify(user=user, code=payload.otp)
        except DomainError as exc:
            security_event("otp_failed", request=request, user=user, channel="api", reason=exc.code)
            raise
        security_event(
            "otp_verified",
            request=request,
            user=user,
            channel="api",
            second_factor="recovery_code" if type(device).__name__ == "StaticDevice" else "totp",
        )
    token, plaintext = token_create(user=user, name=payload.name or "login")
    # No login() here (no session): the token is the login, logged as one.
    security_event("login", request=request, user=user, channel="api_token", token_id=token.pk)
    return Status(201, _token_out(token, plaintext))


def _token_out(token: ApiToken, plaintext: str) -> dict:
    return {
        "token": plaintext,
        "prefix": token.prefix,
        "username": token.user.get_username(),
        "name": token.name,
        "expires_at": token.expires_at,
    }


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime
    current: bool = Field(description="the token this request was made with")


@router.get("/tokens", response=list[TokenInfo], auth=AUTH, url_name="auth_tokens")
def tokens_list(request):
    """The caller's live API tokens (not revoked, not expired), newest first; never their
    secrets, which were shown once."""
    current = getattr(request, "api_token_id", None)
    return [
        {
            "id": t.pk,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "expires_at": t.expires_at,
            "current": t.pk == current,
        }
        for t in tokens_live(request.user).order_by("-created_at", "-pk")
    ]


@router.delete("/tokens/{token_id}", response={204: None}, auth=AUTH, url_name="auth_token")
def token_delete(request, token_id: int):
    """Revoke one of the caller's own live tokens (the one in use too: it logs out). Another
    user's token, or one already revoked or expired, is 404: no one learns what others
    hold."""
    token = tokens_live(request.user).filter(pk=token_id).first()
    if token is None:
        raise NotFound("khóa API", "API token", field="token_id")
    token_revoke(token=token)
    return Status(204, None)
