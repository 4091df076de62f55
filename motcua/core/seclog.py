"""The security log: one JSON line per security event (docs/security.md, "Nhật ký an ninh").

Every part of motcua that sees a security event — a login, a failed login, a lockout, a
token made or revoked, a role changed, a permission refused, an upload rejected, a staff
member opening a dossier — calls `security_event` and nothing else. The line goes to the
`motcua.security` logger, which settings send as JSON lines to standard error or, with
MOTCUA_SECURITY_LOG set, to that file; a SIEM or journald reads it from there.

    security_event("login_failed", request=request, username=username, channel="portal")

Each line carries: `ts` (UTC, ISO 8601 with milliseconds), `event`, `request_id` (the
`X-Request-ID` of the request, see core/requestid.py), `ip`, `method` and `path` when a
request is known, and `user` / `user_id` (who did it) when a user is given or the request's
user is logged in, then the event's own fields. No password, token secret or file content
is ever passed here: callers give names, ids and reasons only.

The request: `SecurityLogMiddleware` keeps the request being served in a context variable,
so an event raised deep inside a service or a signal receiver (an upload refused by
`check_file`, a group changed in the admin) still names the caller and the address without
the request being passed down. The same middleware writes `permission_denied` for every
403 the site answers (pages, admin and API alike): one place, not one per view.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import transaction
from django.http import HttpRequest, HttpResponseBase

from .errors import DomainError
from .http import client_address
from .requestid import current_request_id

logger = logging.getLogger("motcua.security")

# The events written, so that a reader of the log (and a test) knows the vocabulary.
EVENTS = frozenset(
    {
        "login",  # a successful login (portal, admin, back office, API token, OIDC)
        "login_failed",  # a wrong password, an unknown account, a refused OIDC answer
        "lockout",  # django-axes locked an account or an address
        "logout",
        "otp_failed",  # a wrong second-factor code
        "otp_reset",  # an administrator reset a staff member's second factor
        "otp_verified",  # a staff session passed its second factor (after "login")
        "otp_enrolled",  # a staff member confirmed a new authenticator app
        "otp_recovery_codes",  # a staff member made a new set of recovery codes
        "token_created",
        "token_revoked",
        "role_changed",  # groups, staff/superuser flags, agency membership
        "permission_denied",  # a 403 from a page or the API, or a dossier hidden as 404
        "upload_rejected",  # a file refused (type, size, volume, malware)
        "dossier_read",  # a staff member opened a dossier (who, when, which)
        "payment_bad_signature",  # a payment provider's message whose checksum is wrong
        "stored_file_corrupt",  # a stored file's bytes differ from its recorded SHA-256
        "share_link_used",  # a result downloaded through a citizen's sharing link
    }
)

# The request being served (set by SecurityLogMiddleware), for events raised without one.
current_request: ContextVar[HttpRequest | None] = ContextVar(
    "motcua_security_request", default=None
)

# The attribute a refusal leaves on the request so that the 403 line names its reason.
REFUSAL_ATTR = "security_refusal"


def security_event(
    event: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    level: int = logging.INFO,
    **fields: Any,
) -> None:
    """Write one security event. `request` defaults to the request being served and `user`
    to that request's logged-in user: the one who acted."""
    if event not in EVENTS:
        raise ValueError(f"Unknown security event {event!r}; add it to seclog.EVENTS")
    if not logger.isEnabledFor(level):
        return
    record: dict[str, Any] = {
        "ts": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "event": event,
    }
    rid = current_request_id.get()
    if rid:
        record["request_id"] = rid
    if request is None:
        request = current_request.get()
    if request is not None:
        record["ip"] = client_address(request)
        if request.method:  # a request made up by force_login or a test has none
            record["method"] = request.method
            record["path"] = request.path
        if user is None:
            candidate = getattr(request, "user", None)
            if candidate is not None and candidate.is_authenticated:
                user = candidate
    if user is not None and getattr(user, "pk", None) is not None:
        record["user_id"] = user.pk
        record["user"] = user.get_username()
    for key, value in fields.items():
        record[key] = value
    logger.log(level, "%s", event, extra={"security": record})


def security_event_on_commit(event: str, **kwargs: Any) -> None:
    """`security_event` once the surrounding transaction commits (at once outside one): a
    change that is rolled back (a token, a role) is not reported as made. The request is
    the one being served now."""
    if "request" not in kwargs:
        kwargs["request"] = current_request.get()
    transaction.on_commit(lambda: security_event(event, **kwargs))


def note_refusal(request: HttpRequest, code: str, **fields: Any) -> None:
    """Name the reason of the 403 about to be answered (the API's error code, the back
    office's refusal); `SecurityLogMiddleware` writes it with the line."""
    setattr(request, REFUSAL_ATTR, {"code": code, **fields})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponseBase:
    """CSRF_FAILURE_VIEW: Django's own 403 page, its reason named in the security log."""
    from django.views.csrf import csrf_failure as django_csrf_failure

    note_refusal(request, "csrf", detail=reason)
    return django_csrf_failure(request, reason=reason)


_LOGGED = "_security_logged"
Describe = Callable[[tuple[Any, ...], dict[str, Any]], dict[str, Any]]
F = TypeVar("F", bound=Callable[..., Any])


def logs_rejected_upload(describe: Describe | None = None) -> Callable[[F], F]:
    """Decorate a check of uploaded files: any DomainError it raises (a type, a size, a
    volume, malware found by a scanner added later) is written as `upload_rejected` with
    the error's code, field and data, plus what `describe(args, kwargs)` tells of the file
    (its name and size), then raised as before. An error is written once even when one
    decorated check calls another."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except DomainError as exc:
                if not getattr(exc, _LOGGED, False):
                    setattr(exc, _LOGGED, True)
                    facts = describe(args, kwargs) if describe is not None else {}
                    security_event(
                        "upload_rejected",
                        level=logging.WARNING,
                        code=exc.code,
                        field=exc.field,
                        data=exc.data,
                        check=func.__name__,
                        **facts,
                    )
                raise

        return wrapper  # type: ignore[return-value]

    return decorate


def _view_name(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


class SecurityLogMiddleware:
    """Keeps the request being served for `security_event`, and writes one
    `permission_denied` line for every 403 answered, whoever produced it (a view, the
    back office's guard, Django's PermissionDenied, the CSRF check, the admin, the API's
    error handlers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                reason = getattr(request, REFUSAL_ATTR, None) or {"code": "forbidden"}
                security_event(
                    "permission_denied",
                    request=request,
                    level=logging.WARNING,
                    status=403,
                    view=_view_name(request),
                    **reason,
                )
        finally:
            current_request.reset(token)
        return response


class JsonLinesFormatter(logging.Formatter):
    """Formats a `security_event` record as one JSON line (UTF-8, Vietnamese kept)."""

    def format(self, record: logging.LogRecord) -> str:
        data = getattr(record, "security", None)
        if data is None:
            data = {"ts": dt.datetime.now(dt.UTC).isoformat(), "message": record.getMessage()}
        return json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":"))
