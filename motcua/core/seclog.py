"""The security log: one JSON line per security event (docs/security.md, "Security log").

Every part of motcua that sees a security event — a login, a failed login, a lockout, a
token made or revoked, a role changed, a permission refused, an upload rejected, a staff
member opening a dossier — calls `security_event` and nothing else. The line goes to the
`motcua.security` logger, which settings send as JSON lines to standard error or, with
MOTCUA_SECURITY_LOG set, to that file; a SIEM or journald reads it from there.

    security_event("login_failed", request=request, username=username, channel="portal")

Each line carries: `ts` (UTC, ISO 8601 with milliseconds), `event`, `request_id` (the
`X-Request-ID` of the request, see core/requestid.py), `ip` and `user` / `user_id` when a
request or a user is given, then the event's own fields. No password, token secret or
file content is ever passed here: callers give names, ids and reasons only.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.http import HttpRequest

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
        "permission_denied",  # a 403 from a page or the API
        "upload_rejected",  # a file refused (type, size, volume, malware)
        "dossier_read",  # a staff member opened a dossier (who, when, which)
    }
)


def security_event(
    event: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    level: int = logging.INFO,
    **fields: Any,
) -> None:
    """Write one security event. `user` defaults to the request's authenticated user."""
    if event not in EVENTS:
        raise ValueError(f"Unknown security event {event!r}; add it to seclog.EVENTS")
    record: dict[str, Any] = {
        "ts": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "event": event,
    }
    rid = current_request_id.get()
    if rid:
        record["request_id"] = rid
    if request is not None:
        record["ip"] = client_address(request)
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


class JsonLinesFormatter(logging.Formatter):
    """Formats a `security_event` record as one JSON line (UTF-8, Vietnamese kept)."""

    def format(self, record: logging.LogRecord) -> str:
        data = getattr(record, "security", None)
        if data is None:
            data = {"ts": dt.datetime.now(dt.UTC).isoformat(), "message": record.getMessage()}
        return json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":"))
