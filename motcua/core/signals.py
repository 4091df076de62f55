"""Signal receivers that write the security log (motcua.core.seclog), connected in
CoreConfig.ready: logins, failed logins and logouts (Django's auth signals, sent by every
login that goes through `authenticate` / `login`: the portal's, the back office's, the
admin's; POST /api/auth/token sends `user_login_failed` through `authenticate` and writes
its own `login`), lockouts (django-axes), and changes of what a user may do: Django groups
and the `is_staff` / `is_superuser` flags. Staff roles in agencies are logged by their
services (motcua.org.services), which know the actor and the before → after.

The channel of a login is told by the path (admin, api_token, portal) unless the login
view names it on the request (`request.login_channel`, e.g. "oidc"); the view may add
fields to the line in `request.login_fields` (the OIDC issuer).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.http import HttpRequest

from .seclog import security_event, security_event_on_commit

FLAGS = ("is_staff", "is_superuser")
_STASH = "_seclog_flags"
_CLEARED = "_seclog_cleared"
USERNAME_MAX = 150


def login_channel(request: HttpRequest | None) -> str:
    explicit = getattr(request, "login_channel", None)
    if explicit:
        return str(explicit)
    path = getattr(request, "path", "") or ""
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/"):
        return "api_token"
    return "portal"


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **_kw: Any) -> None:
    security_event(
        "login",
        request=request,
        user=user,
        channel=login_channel(request),
        backend=getattr(user, "backend", None),
        **(getattr(request, "login_fields", None) or {}),
    )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_kw: Any
) -> None:
    """The name tried, never the password (Django has already masked it in `credentials`;
    only the username is read)."""
    field = get_user_model().USERNAME_FIELD
    username = credentials.get(field) or credentials.get("username") or ""
    security_event(
        "login_failed",
        request=request,
        level=logging.WARNING,
        username=str(username)[:USERNAME_MAX],
        channel=login_channel(request),
    )


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **_kw: Any) -> None:
    security_event("logout", request=request, user=user, channel=login_channel(request))


def on_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **_kw: Any
) -> None:
    """django-axes sends `user_locked_out` at the failure that reaches the limit and again
    at every attempt made while locked (each of those is a `login_failed` line already):
    one `lockout` line is written, at the failure that locks."""
    from axes.helpers import get_failure_limit

    failures = getattr(request, "axes_failures_since_start", None)
    limit = get_failure_limit(request, getattr(request, "axes_credentials", None))
    if failures is not None and failures != limit:
        return
    security_event(
        "lockout",
        request=request,
        level=logging.WARNING,
        username=(username or "")[:USERNAME_MAX],
        address=ip_address,
        failures=failures,
        limit=limit,
        cooloff_minutes=int(getattr(settings, "MOTCUA_LOGIN_COOLOFF_MINUTES", 15)),
        channel=login_channel(request),
    )


# --- is_staff / is_superuser -------------------------------------------------------------


def on_user_init(sender: Any, instance: Any, **_kw: Any) -> None:
    """Remember the flags as loaded (a deferred flag is not loaded: not remembered)."""
    setattr(instance, _STASH, {f: instance.__dict__.get(f) for f in FLAGS})


def on_user_saved(
    sender: Any, instance: Any, created: bool, update_fields: Any = None, **_kw: Any
) -> None:
    before = getattr(instance, _STASH, {})
    for flag in FLAGS:
        if update_fields is not None and flag not in update_fields:
            continue
        new = instance.__dict__.get(flag)
        old = None if created else before.get(flag)
        if new is None or (not created and old is None) or old == new:
            continue
        if created and not new:
            continue  # an ordinary account made: not a change of rights
        security_event_on_commit(
            "role_changed",
            change=flag,
            target_user_id=instance.pk,
            target_user=instance.get_username(),
            old=old,
            new=new,
        )
    on_user_init(sender, instance)


# --- groups --------------------------------------------------------------------------------


def _group_names(user_id: int) -> list[str]:
    return sorted(Group.objects.filter(user__pk=user_id).values_list("name", flat=True))


def on_groups_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **_kw: Any
) -> None:
    """User.groups changed from either side (user.groups.add(g), group.user_set.add(u)):
    one line per user whose groups changed, with the groups before and after."""
    User = get_user_model()
    if action == "pre_clear":
        if reverse:  # a group emptied: remember who was in it
            setattr(instance, _CLEARED, list(instance.user_set.values_list("pk", flat=True)))
        else:
            setattr(instance, _CLEARED, _group_names(instance.pk))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:
        user_ids = sorted(pk_set or ()) if action != "post_clear" else getattr(instance, _CLEARED)
        changes = {uid: {instance.name} for uid in user_ids}
    else:
        if action == "post_clear":
            names = set(getattr(instance, _CLEARED, []))
        else:
            names = set(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
        changes = {instance.pk: names}
    usernames = dict(
        User.objects.filter(pk__in=list(changes)).values_list("pk", User.USERNAME_FIELD)
    )
    for uid, names in changes.items():
        if not names:
            continue
        new = _group_names(uid)
        old = sorted(set(new) - names) if action == "post_add" else sorted(set(new) | names)
        security_event_on_commit(
            "role_changed",
            change="groups",
            target_user_id=uid,
            target_user=usernames.get(uid),
            old=old,
            new=new,
        )


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
    from django.db.models.signals import m2m_changed, post_init, post_save

    User = get_user_model()
    user_logged_in.connect(on_logged_in, dispatch_uid="seclog-login")
    user_login_failed.connect(on_login_failed, dispatch_uid="seclog-login-failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="seclog-logout")
    user_locked_out.connect(on_locked_out, dispatch_uid="seclog-lockout")
    post_init.connect(on_user_init, sender=User, dispatch_uid="seclog-user-init")
    post_save.connect(on_user_saved, sender=User, dispatch_uid="seclog-user-saved")
    m2m_changed.connect(
        on_groups_changed, sender=User.groups.through, dispatch_uid="seclog-user-groups"
    )
