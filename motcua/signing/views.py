"""The public verification page (/xac-thuc/): no login, nothing personal beyond what the
holder of the document already has (no applicant, no dossier contents)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from motcua.core import ratelimit
from motcua.core.errors import DomainError
from motcua.core.http import client_address
from motcua.dossiers.attachments import check_file

from .selectors import verify_document
from .services import problem_text

STATUS_TEXT = {
    "valid": (
        "Hợp lệ: đây là kết quả do hệ thống cấp, nội dung không bị thay đổi, còn hiệu lực.",
        "Valid: a result this system issued, unaltered, in force.",
    ),
    "invalid": ("Không hợp lệ: chữ ký số không đúng.", "Not valid: the signature is not valid."),
    "not_issued_here": (
        "Chữ ký số hợp lệ nhưng tệp này không phải kết quả do hệ thống cấp "
        "(hoặc không phải bản đúng của mã kết quả này).",
        "The signature is valid, but this file is not a result this system issued "
        "(or not the file of this result code).",
    ),
    "revoked": ("Kết quả đã bị thu hồi.", "The result has been revoked."),
    "replaced": ("Kết quả đã được thay thế.", "The result has been replaced."),
    "unknown_code": ("Không tìm thấy mã kết quả này.", "No result has this code."),
}


VERIFY_SCOPE = "verify"


def _too_many(request: HttpRequest) -> HttpResponse | None:
    """Every check (a file uploaded, a result code opened) counts against the client's
    address (motcua.core.ratelimit, as the status lookup's failures do): checking a PDF
    costs a signature validation, and codes must not be tried by the thousand. Past
    MOTCUA_VERIFY_MAX_CHECKS in MOTCUA_VERIFY_WINDOW_SECONDS: 429 until the window ends."""
    limit = int(getattr(settings, "MOTCUA_VERIFY_MAX_CHECKS", 30))
    window = int(getattr(settings, "MOTCUA_VERIFY_WINDOW_SECONDS", 600))
    client = client_address(request)
    if ratelimit.over_limit(VERIFY_SCOPE, client, limit):
        minutes = max(1, round(window / 60))
        response = render(
            request,
            "signing/verify.html",
            {
                "code": None,
                "limited": True,
                "error": (
                    f"Bạn đã kiểm tra quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
                    f"Too many checks. Try again in {minutes} minutes.",
                ),
            },
            status=429,
        )
        response["Retry-After"] = str(window)
        return response
    if limit:
        ratelimit.count(VERIFY_SCOPE, client, window)
    return None


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, code: str | None = None) -> HttpResponse:
    answer = None
    error = None
    if request.method == "POST" or code:
        refused = _too_many(request)
        if refused is not None:
            return refused
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = ("Cần chọn tệp PDF để kiểm tra.", "Choose a PDF file to check.")
        else:
            try:
                content = check_file(upload, field="file").content
            except DomainError as e:
                error = (e.message, e.message_en)
            else:
                answer = verify_document(content, code)
    elif code:
        answer = verify_document(None, code)
    context = {
        "code": code,
        "answer": answer,
        "error": error,
        "status_text": STATUS_TEXT.get(answer.status) if answer else None,
        "problem": problem_text(answer.verdict.problem)
        if answer and answer.verdict and answer.verdict.problem
        else None,
    }
    status = 404 if answer and answer.status == "unknown_code" else 200
    return render(request, "signing/verify.html", context, status=status)
