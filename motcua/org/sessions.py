"""Limits on a signed-in session: an idle timeout for staff, an absolute lifetime for all.

A session carries three stamps, written when its user logs in (`session_stamp`, on Django's
`user_logged_in` signal): when it began, when it was last active, and whether its user is
staff (an administrator or a holder of a staff role in force at login; a role given later
counts from the next login). `SessionLimitsMiddleware` ends a session

- of staff, idle for longer than MOTCUA_STAFF_IDLE_MINUTES (default 30; 0 = never);
- of anyone, MOTCUA_SESSION_MAX_HOURS (default 12) after its login, however busy.

The last activity is written at most once per SEEN_RESOLUTION, so a busy officer's requests
do not save the session each time; to stay fair, a session is ended only once it has been
idle for the limit plus that resolution (at least the limit, at most a minute longer). A
session from before these stamps existed gets them on its next request.

An ended page session is logged out and sent to the login page with a message saying why
(Vietnamese, English on the language switch), then back where it was. An ended session on
the API is logged out and the request goes on anonymous (401 where a login is needed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from motcua.core.templatetags.bilingual import pick

from .selectors import staff_role_map

STARTED = "motcua_session_started"
SEEN = "motcua_session_seen"
STAFF = "motcua_session_staff"
SEEN_RESOLUTION = 60  # seconds
API_PREFIX = "/api/"
ADMIN_PREFIX = "/admin/"

GetResponse = Callable[[HttpRequest], HttpResponseBase]


def _now() -> int:
    return int(timezone.now().timestamp())


def is_staff_account(user: Any) -> bool:
    """Whether the idle limit applies to `user`'s sessions: an administrator (the admin) or
    a holder of a staff role in force (the back office)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or user.is_superuser or staff_role_map(user))


def session_stamp(session: SessionBase, user: Any, now: int | None = None) -> None:
    """Stamp a session as beginning now, for `user`."""
    now = _now() if now is None else now
    session[STARTED] = now
    session[SEEN] = now
    session[STAFF] = is_staff_account(user)


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **_kw: Any) -> None:
    """Signal receiver (`user_logged_in`): every login starts the session's clocks."""
    if request is not None and hasattr(request, "session"):
        session_stamp(request.session, user)


def session_end_reason(session: SessionBase, now: int) -> str | None:
    """Why the session must end now ("idle" or "lifetime"), or None."""
    started = int(session.get(STARTED, now))
    max_hours = float(settings.MOTCUA_SESSION_MAX_HOURS)
    if max_hours > 0 and now - started >= max_hours * 3600:
        return "lifetime"
    idle_minutes = int(settings.MOTCUA_STAFF_IDLE_MINUTES)
    if idle_minutes > 0 and session.get(STAFF):
        seen = int(session.get(SEEN, started))
        if now - seen >= idle_minutes * 60 + SEEN_RESOLUTION:
            return "idle"
    return None


def _message(reason: str) -> str:
    if reason == "idle":
        minutes = int(settings.MOTCUA_STAFF_IDLE_MINUTES)
        return pick(
            f"Phiên làm việc đã kết thúc vì không có thao tác trong {minutes} phút. "
            "Xin đăng nhập lại.",
            f"Your session ended after {minutes} minutes without activity. Please log in again.",
        )
    hours = f"{float(settings.MOTCUA_SESSION_MAX_HOURS):g}"
    return pick(
        f"Phiên đăng nhập đã quá {hours} giờ và đã kết thúc. Xin đăng nhập lại.",
        f"Your session ended: it was more than {hours} hours old. Please log in again.",
    )


class SessionLimitsMiddleware:
    """Ends a session past its idle or absolute limit (see the module docstring). Placed
    after the authentication and message middleware. A request without a signed-in session
    costs nothing more; a signed-in one reads its stamps from the session already loaded."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = request.session
        if SESSION_KEY not in session:
            return self.get_response(request)
        now = _now()
        if STARTED not in session:
            session_stamp(session, request.user, now)
            return self.get_response(request)
        reason = session_end_reason(session, now)
        if reason is None:
            if now - int(session.get(SEEN, 0)) >= SEEN_RESOLUTION:
                session[SEEN] = now
            return self.get_response(request)
        logout(request)
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        messages.warning(request, _message(reason))
        login_url = (
            f"{ADMIN_PREFIX}login/"
            if request.path_info.startswith(ADMIN_PREFIX)
            else str(settings.LOGIN_URL)
        )
        return redirect_to_login(request.get_full_path(), login_url)
