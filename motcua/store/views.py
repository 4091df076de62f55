"""The store's pages (kho dữ liệu): the owner's list, download, upload, delete, sharing; and
the public download through a share link. Thin callers of store.selectors and
store.services; every form works without JavaScript (POST, then redirect)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.errors import DomainError, PermissionDenied, ValidationFailed
from motcua.core.seclog import security_event
from motcua.core.templatetags.bilingual import pick
from motcua.core.validation import errors_from
from motcua.dossiers.attachments import file_response
from motcua.org.selectors import applicant_id

from . import selectors, services


def _owner_or_403(request: HttpRequest) -> int:
    owner = applicant_id(request.user)
    if owner is None:
        raise PermissionDenied(
            "Chỉ tài khoản công dân, tổ chức mới có kho dữ liệu.",
            "Only citizen and business accounts have a document store.",
        )
    return owner


def _forbidden(exc: DomainError) -> HttpResponse:
    return HttpResponse(
        f"{exc.message}\n{exc.message_en}\n", status=403, content_type="text/plain; charset=utf-8"
    )


def _date(raw: str, field: str) -> dt.date | None:
    """A date as typed: dd/mm/yyyy, or yyyy-mm-dd (what a date input posts)."""
    raw = raw.strip()
    if not raw:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, pattern).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    raise ValidationFailed(
        "invalid_date",
        f"Ngày '{raw}' không hợp lệ: nhập theo dạng dd/mm/yyyy.",
        f"The date '{raw}' is not valid: write it as dd/mm/yyyy.",
        field=field,
    )


def _page(request: HttpRequest, owner: int, errors: dict[str, DomainError], status: int = 200):
    items = selectors.store_items(owner)
    links = selectors.share_links(owner)
    now = timezone.now()
    return render(
        request,
        "store/index.html",
        {
            "items": items,
            "today": timezone.localdate(),
            "links": [
                {
                    "link": link,
                    "active": link.revoked_at is None and link.expires_at > now,
                    "url": request.build_absolute_uri(
                        reverse("store:shared", args=[services.share_token(link)])
                    ),
                }
                for link in links
            ],
            "share_days": services.SHARE_DAYS,
            "errors": errors,
            "form": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    try:
        owner = _owner_or_403(request)
    except DomainError as exc:
        return _forbidden(exc)
    return _page(request, owner, {})


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    try:
        owner = _owner_or_403(request)
    except DomainError as exc:
        return _forbidden(exc)
    post = request.POST
    try:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(
                "file_required", "Chọn tệp cần tải lên.", "Choose a file to upload.", field="file"
            )
        services.store_upload(
            actor=request.user,
            upload=upload,
            doc_type=post.get("doc_type", ""),
            issuer=post.get("issuer", ""),
            number=post.get("number", ""),
            valid_from=_date(post.get("valid_from", ""), "valid_from"),
            valid_until=_date(post.get("valid_until", ""), "valid_until"),
        )
    except DomainError as exc:
        return _page(request, owner, {e.field or "__all__": e for e in errors_from(exc)}, 400)
    messages.success(request, pick("Đã thêm giấy tờ vào kho.", "The document was added."))
    return redirect("store:index")


@login_required
@require_GET
def download(request: HttpRequest, key: str) -> HttpResponseBase:
    """One item of the owner's own store; anyone else's key is a 404."""
    owner = applicant_id(request.user)
    item = selectors.store_item(owner, key) if owner is not None else None
    if item is None:
        raise Http404("Không tìm thấy")
    return file_response(
        item.path, original_name=item.name, content_type=item.content_type, sha256=item.sha256
    )


@login_required
@require_POST
def delete(request: HttpRequest, document_id: int) -> HttpResponse:
    try:
        services.store_delete(actor=request.user, document_id=document_id)
    except DomainError as exc:
        if exc.status == 403:
            return _forbidden(exc)
        raise Http404("Không tìm thấy") from exc
    messages.success(request, pick("Đã xóa giấy tờ khỏi kho.", "The document was deleted."))
    return redirect("store:index")


@login_required
@require_POST
def share(request: HttpRequest) -> HttpResponse:
    try:
        owner = _owner_or_403(request)
    except DomainError as exc:
        return _forbidden(exc)
    raw = request.POST.get("days", "")
    try:
        services.share_create(
            actor=request.user,
            key=request.POST.get("key", ""),
            days=int(raw) if raw.isdigit() else 0,
        )
    except DomainError as exc:
        return _page(request, owner, {"share": exc}, 400)
    messages.success(
        request,
        pick(
            "Đã tạo liên kết chia sẻ: gửi liên kết bên dưới cho người cần xem.",
            "The share link was made: send the link below to whoever needs it.",
        ),
    )
    return redirect(reverse("store:index") + "#chia-se")


@login_required
@require_POST
def revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    try:
        owner = _owner_or_403(request)
        services.share_revoke(actor=request.user, link_id=link_id)
    except DomainError as exc:
        if exc.status == 403:
            return _forbidden(exc)
        if exc.status == 404:
            raise Http404("Không tìm thấy") from exc
        return _page(request, owner, {"share": exc}, 400)
    messages.success(request, pick("Đã thu hồi liên kết.", "The link was revoked."))
    return redirect(reverse("store:index") + "#chia-se")


@require_http_methods(["GET", "HEAD"])
def shared(request: HttpRequest, token: str) -> HttpResponseBase:
    """A shared result, for anyone with a link in force; otherwise a 404 (410 when the
    agency revoked the result) that says why a link stops working."""
    try:
        link = services.share_open(token=token)
    except DomainError as exc:
        # 410 for a result its agency revoked, 404 for a wrong, expired or revoked link.
        status = 410 if exc.status == 410 else 404
        return render(request, "store/shared_gone.html", {"error": exc}, status=status)
    att = link.attachment
    security_event("share_link_used", share_link=link.pk, attachment_id=att.pk)
    return file_response(
        att.file, original_name=att.original_name, content_type=att.content_type, sha256=att.sha256
    )
