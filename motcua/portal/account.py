"""The applicant's account page: the channels and language of their notifications
(motcua.notifications; the same service as PUT /api/notifications/preferences)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from motcua.core.errors import DomainError
from motcua.core.templatetags.bilingual import pick
from motcua.notifications import selectors, services


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    if not hasattr(request.user, "applicant"):
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.preference_set(
                actor=request.user,
                email=request.POST.get("email") == "1",
                sms=request.POST.get("sms") == "1",
                zalo=request.POST.get("zalo") == "1",
                language=request.POST.get("language", "vi"),
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                pick("Đã lưu cách nhận thông báo.", "Your notification choices are saved."),
            )
            return redirect("portal:notification_settings")
    return render(
        request,
        "portal/notification_settings.html",
        {"pref": selectors.effective_preference(request.user), "error": error},
        status=error.status if error else 200,
    )
