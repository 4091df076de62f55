"""Who may open the back office: logged-in staff (an active role in some agency) or a
superuser. Everyone else is sent to the login page or gets the 403 page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from motcua.core.errors import DomainError
from motcua.core.seclog import note_refusal
from motcua.core.types import Actor
from motcua.dossiers.access import staff_roles

View = Callable[..., HttpResponseBase]


def is_staff_user(user: Actor) -> bool:
    if not isinstance(user, User):
        return False  # anonymous
    return bool(user.is_authenticated and (user.is_superuser or staff_roles(user)))


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """render() for back-office pages (one place to add page-wide context)."""
    return render(request, template, context, status=status)


def forbidden(request: HttpRequest, error: object = None) -> HttpResponse:
    # The reason of the 403 for the security log's line (core.seclog.SecurityLogMiddleware).
    note_refusal(request, error.code if isinstance(error, DomainError) else "not_staff")
    return render_page(request, "backoffice/forbidden.html", {"error": error}, status=403)


def staff_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_user(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper
