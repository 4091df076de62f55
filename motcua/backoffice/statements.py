"""The collecting account's statement in the back office: the officer's queue of lines not
(fully) matched — unmatched, under-paid, over-paid — the upload of a statement file, and
the match of a line to a dossier by hand (a reason required; motcua.payments.services).
Only counter officers and leaders of the collecting agency (MOTCUA_VIETQR_AGENCY)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from motcua.core.errors import DomainError
from motcua.core.seclog import security_event
from motcua.core.templatetags.bilingual import pick
from motcua.payments import services as payment_services
from motcua.payments.models import LINE_STATUS_EN

from .guards import forbidden, render_page, staff_required

MAX_UPLOAD = 20 * 1024 * 1024


def _denied(request: HttpRequest) -> HttpResponse:
    security_event("permission_denied", request=request, page="statement_queue")
    return forbidden(request)


def _page(request: HttpRequest, errors: list[DomainError] | None = None, status: int = 200):
    accounts = payment_services.matchable_accounts(request.user)
    lines = payment_services.statement_queue(accounts)
    return render_page(
        request,
        "backoffice/statements.html",
        {
            "nav": "statements",
            "lines": lines,
            "accounts": accounts,
            "status_en": LINE_STATUS_EN,
            "errors": errors or [],
            "totals": payment_services.statement_totals(),
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "HEAD"])
def queue(request: HttpRequest) -> HttpResponse:
    if not payment_services.can_match(request.user):
        return _denied(request)
    return _page(request)


@staff_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    if not payment_services.can_match(request.user):
        return _denied(request)
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > MAX_UPLOAD:
        err = DomainError(
            "file_required",
            "Cần chọn tệp sao kê (CSV hoặc XLSX, tối đa 20 MB).",
            "Choose a statement file (CSV or XLSX, at most 20 MB).",
            field="file",
        )
        return _page(request, [err], status=400)
    accounts = payment_services.matchable_accounts(request.user)
    account = request.POST.get("account", "") or (accounts[0] if len(accounts) == 1 else "")
    if account not in accounts:
        err = DomainError(
            "account_required",
            "Cần chọn tài khoản thu của sao kê (một tài khoản của đơn vị mình).",
            "Choose the collecting account the statement is of (one of your agency's).",
            field="account",
        )
        return _page(request, [err], status=400)
    try:
        result = payment_services.statement_import(
            upload.read(), name=upload.name or "", actor=request.user, account=account
        )
    except DomainError as exc:
        return _page(request, [exc], status=exc.status)
    messages.success(
        request,
        pick(
            f"Đã nhập {result.lines} dòng; bỏ qua {result.duplicates} dòng đã nhập trước đó.",
            f"Imported {result.lines} lines; skipped {result.duplicates} already imported.",
        ),
    )
    return redirect("backoffice:statements")


@staff_required
@require_POST
def match(request: HttpRequest, line_id: int) -> HttpResponse:
    if not payment_services.can_match(request.user):
        return _denied(request)
    try:
        line = payment_services.statement_match(
            line_id=line_id,
            dossier_code=request.POST.get("dossier_code", "")[:48],
            actor=request.user,
            reason=request.POST.get("reason", "")[:1000],
        )
    except DomainError as exc:
        return _page(request, [exc], status=exc.status)
    messages.success(
        request,
        pick(
            f"Đã khớp giao dịch {line.bank_txn_id}: {line.get_status_display()}.",
            f"Matched transaction {line.bank_txn_id}: {LINE_STATUS_EN[line.status]}.",
        ),
    )
    return redirect("backoffice:statements")
