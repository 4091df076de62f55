"""Who may open the back office: logged-in staff (an active role in some agency) or a
superuser. Everyone else is sent to the login page or gets the 403 page."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from motcua.dossiers.access import staff_roles


def is_staff_user(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or staff_roles(user)))


def render_page(request, template: str, context: dict, status: int = 200):
    """render() for back-office pages (one place to add page-wide context)."""
    return render(request, template, context, status=status)


def forbidden(request, error=None):
    return render_page(request, "backoffice/forbidden.html", {"error": error}, status=403)


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_user(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper
